/**
 * The shape of src/: lower layers never import higher ones, no module imports itself
 * through others, and no file grows past 400 lines. Every import counts (static, type-only,
 * re-exports and dynamic `import()`).
 *
 *   base ← db ← providers and catalogue ← spawn ← service ← server, cli, app ← main
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { packageRoot } from '../src/lib/paths.js';

const ROOT = packageRoot();

/** Lowest first. A path ending in '/' is a folder; every file in src/ must fall in one layer. */
const LAYERS: ReadonlyArray<readonly [name: string, paths: readonly string[]]> = [
  ['base', ['src/config/', 'src/contracts/', 'src/lib/errors.ts', 'src/lib/logger.ts', 'src/lib/paths.ts', 'src/lib/geo.ts', 'src/lib/redact.ts', 'src/lib/read-capped.ts', 'src/lib/kept-read.ts', 'src/lib/own.ts']],
  ['db', ['src/lib/db/']],
  ['providers and catalogue', ['src/lib/api/', 'src/lib/normalize/', 'src/lib/catalogue/', 'src/lib/cities.ts']],
  ['spawn', ['src/lib/spawn/']],
  ['service', ['src/service.ts']],
  ['server, cli, app', ['src/server/', 'src/cli/', 'src/app/']],
  ['main', ['src/main.ts']],
];

/**
 * Upward edges another change is removing, each `from -> to`. Only for work in flight in
 * another branch; empty it as that work lands.
 */
const PENDING_UPWARD: readonly string[] = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(rel);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function layerOf(file: string): number {
  const i = LAYERS.findIndex(([, paths]) => paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
  assert.notEqual(i, -1, `${file} is in no layer: add it to LAYERS in test/layering.test.ts`);
  return i;
}

/** The src/ files `file` imports, by the compiler's own reading of its import forms. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const candidates = [target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), `${target}.ts`, `${target}/index.ts`];
      const found = candidates.find((c) => existsSync(path.join(ROOT, c)));
      assert.ok(found, `${file} imports ${spec}, which is not a file in the tree`);
      return found;
    });
}

const FILES = sourceFiles('src');
const GRAPH = new Map(FILES.map((f) => [f, importsOf(f)]));

test('every file in src/ has a layer', () => {
  assert.ok(FILES.length > 50, `found only ${FILES.length} files under ${ROOT}/src`);
  for (const file of FILES) layerOf(file);
});

test('no import runs upward', () => {
  const upward: string[] = [];
  for (const [from, targets] of GRAPH) {
    for (const to of targets) {
      if (!to.startsWith('src/') || layerOf(to) <= layerOf(from)) continue;
      const edge = `${from} -> ${to}`;
      if (!PENDING_UPWARD.includes(edge)) upward.push(`${edge}  (${LAYERS[layerOf(from)]![0]} imports ${LAYERS[layerOf(to)]![0]})`);
    }
  }
  assert.deepEqual(upward, [], `upward imports:\n${upward.join('\n')}`);
});

test('the pending list holds only edges that still exist', () => {
  const stale = PENDING_UPWARD.filter((edge) => {
    const [from, to] = edge.split(' -> ') as [string, string];
    return !GRAPH.get(from)?.includes(to);
  });
  assert.deepEqual(stale, [], 'remove these from PENDING_UPWARD');
});

test('no import cycle', () => {
  const cycles = findCycles(GRAPH);
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`);
});

/** A file longer than this holds more than one responsibility: split it along them. */
const MAX_LINES = 400;

test(`no file in src/ is over ${MAX_LINES} lines`, () => {
  const long = FILES.map((file) => [file, readFileSync(path.join(ROOT, file), 'utf8').split('\n').length - 1] as const)
    .filter(([, lines]) => lines > MAX_LINES)
    .map(([file, lines]) => `${file}: ${lines} lines`);
  assert.deepEqual(long, [], `over ${MAX_LINES} lines:\n${long.join('\n')}`);
});

/** Each strongly connected group of files, printed as one cycle through it (Tarjan). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || graph.get(v)?.includes(v)) out.push(cycleThrough(graph, new Set(group), v));
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** A path from `start` back to itself inside `group`, e.g. `a.ts -> b.ts -> a.ts`. */
function cycleThrough(graph: ReadonlyMap<string, readonly string[]>, group: Set<string>, start: string): string {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!group.has(w)) continue;
      if (w === start) {
        const between: string[] = [];
        for (let u = v; u !== start; u = previous.get(u)!) between.unshift(u);
        return [start, ...between, start].join(' -> ');
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...group].join(' -> ');
}
