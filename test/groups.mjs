// Writes the entries `npm test` runs, build/test-groups/*.test.js: a process per entry, each
// running its test files one after another (test/helpers/file-group.ts). A process costs
// seconds of CPU before its first test (Node, the modules, and above all opening PGlite), so
// most files share one of GROUPS processes. Files whose time goes to other processes (the CLI,
// Chromium) are kept out of those groups, whose balance counts time as this process's CPU: the
// files of each TOGETHER set share a process of their own (one Node start and one PGlite instead
// of one per file). Files that test something process-wide (the kept empty cluster, data folder
// locks, the environment, `main`) keep a process of their own.
// Groups are balanced on the durations the last run kept (test-durations/; a file no run has
// timed counts DEFAULT_MS, or ALONE_DEFAULT_MS when it waits on other processes), and the
// entries are named so that the longest starts first. How many groups: the count, of
// MIN_GROUPS to MAX_GROUPS, whose entries would end soonest when node --test runs them
// CONCURRENCY at a time in that order (the fewest on a tie: each opens a PGlite). With four
// groups for four slots, every other entry waited for a group to end, and ran on in the tail.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** As `npm test`'s --test-concurrency. */
const CONCURRENCY = 4;
const MIN_GROUPS = 2;
const MAX_GROUPS = 8;
const DEFAULT_MS = 5000;
const ALONE_DEFAULT_MS = 30_000;
const TOGETHER = [/^test\/cli\//, /^test\/e2e\//];
const ALONE = [
  /^test\/main\.test\.ts$/,
  /^test\/config\/config\.test\.ts$/,
  /^test\/lib\/api\/rate-limit\.test\.ts$/,
  /^test\/lib\/db\/empty-cluster\.test\.ts$/,
  /^test\/lib\/db\/data-dir-lock\.test\.ts$/,
];

async function testFiles(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await testFiles(path)));
    else if (entry.name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

function keptDurations(root) {
  const dir = join(root, 'node_modules/.cache/scenescout/test-durations');
  const kept = new Map();
  try {
    for (const f of readdirSync(dir)) kept.set(decodeURIComponent(f.replace(/\.json$/, '')), JSON.parse(readFileSync(join(dir, f), 'utf8')).ms);
  } catch {
    // No run kept any yet.
  }
  return kept;
}

export async function writeTestGroups(root) {
  const build = join(root, 'build');
  const out = join(build, 'test-groups');
  const kept = keptDurations(root);
  const files = (await testFiles(join(build, 'test')))
    .map((path) => {
      const name = relative(build, path).replace(/\.js$/, '.ts');
      const set = TOGETHER.findIndex((re) => re.test(name));
      const alone = ALONE.some((re) => re.test(name));
      return { name, path, alone, set, ms: kept.get(name) ?? (alone || set >= 0 ? ALONE_DEFAULT_MS : DEFAULT_MS) };
    })
    .sort((a, b) => b.ms - a.ms || a.name.localeCompare(b.name));
  let entries = planEntries(files, MIN_GROUPS);
  for (let n = MIN_GROUPS + 1; n <= MAX_GROUPS; n++) {
    const plan = planEntries(files, n);
    if (endOf(plan) < endOf(entries)) entries = plan;
  }
  await mkdir(out, { recursive: true });
  const width = String(entries.length).length;
  await Promise.all(
    entries.map((entry, i) => {
      const label = entry.label ?? (entry.files.length === 1 ? entry.files[0].name.replace(/^test\//, '').replace(/\.test\.ts$/, '').replaceAll('/', '-') : 'group');
      const list = entry.files.map((f) => `  { name: ${JSON.stringify(f.name)}, load: () => import(${JSON.stringify(relative(out, f.path))}) },`);
      const text = [
        `import { runTestFiles } from '../test/helpers/file-group.js';`,
        `runTestFiles([`,
        ...list,
        `]);`,
        '',
      ].join('\n');
      return writeFile(join(out, `${String(i + 1).padStart(width, '0')}-${label}.test.js`), text);
    }),
  );
  return entries.length;
}

/** The entries, longest first, with the shared files in `count` groups. */
function planEntries(files, count) {
  const entries = [];
  const groups = Array.from({ length: count }, () => ({ files: [], ms: 0 }));
  const sets = TOGETHER.map((re) => ({ files: [], ms: 0, label: re.source.replace(/^\^test\\\/|\\\/$/g, '') }));
  for (const file of files) {
    if (file.alone) entries.push({ files: [file], ms: file.ms });
    else if (file.set >= 0) {
      sets[file.set].files.push(file);
      sets[file.set].ms += file.ms;
    } else {
      const lightest = groups.reduce((a, b) => (b.ms < a.ms ? b : a));
      lightest.files.push(file);
      lightest.ms += file.ms;
    }
  }
  entries.push(...groups.filter((g) => g.files.length > 0), ...sets.filter((g) => g.files.length > 0));
  return entries.sort((a, b) => b.ms - a.ms);
}

/** When the last entry would end, each starting in order as soon as one of CONCURRENCY slots is free. */
function endOf(entries) {
  const slots = Array.from({ length: CONCURRENCY }, () => 0);
  for (const entry of entries) {
    const i = slots.indexOf(Math.min(...slots));
    slots[i] += entry.ms;
  }
  return Math.max(...slots);
}
