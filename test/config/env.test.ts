/** src/config is the only reader of the environment, and the README documents all it reads. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SERVICE_VARIABLES, SPAWN_VARIABLES } from '../../src/config/index.js';
import { packageRoot } from '../../src/lib/paths.js';

const ROOT = packageRoot();
const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return /\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

test('nothing in src/ outside src/config reads process.env', () => {
  const files = sourceFiles(SRC);
  assert.ok(files.length > 50, `found only ${files.length} source files under ${SRC}`);
  const readers: string[] = [];
  for (const file of files) {
    const rel = path.relative(ROOT, file).split(path.sep).join('/');
    if (rel.startsWith('src/config/')) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        // `process.env`, `process['env']`, and destructuring `{ env } = process` all read it.
        if (/process\s*(?:\.\s*env\b|\[\s*['"`]env['"`]\s*\])|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/.test(line)) readers.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(readers, [], `read the environment through src/config instead:\n${readers.join('\n')}`);
});

test('the README documents every variable the config reads', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  const documented = new Set([...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]));
  const missing = [...new Set([...SPAWN_VARIABLES, ...SERVICE_VARIABLES])].filter((name) => !documented.has(name));
  assert.deepEqual(missing, [], 'each variable gets its own row in the Configuration table');
  const unknown = [...documented].filter((name) => !SPAWN_VARIABLES.includes(name) && !SERVICE_VARIABLES.includes(name));
  assert.deepEqual(unknown, [], 'the table names only variables the config reads');
});
