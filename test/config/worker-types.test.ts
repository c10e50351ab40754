/** SPAWN_WORKER_TYPES: custom worker types declared in a JSON file, without code. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { loadSpawnConfig } from '../../src/config/index.js';
import { SpawnController } from '../../src/lib/spawn/controller.js';
import { closeTestDatabases, pgliteBackend } from '../helpers/db.js';

const dir = mkdtempSync(path.join(tmpdir(), 'scenescout-types-'));
after(() => rmSync(dir, { recursive: true, force: true }));
after(closeTestDatabases);
const BEHAVE = fileURLToPath(new URL('../fixtures/workers/behave.js', import.meta.url));

function typesFile(content: unknown): string {
  const file = path.join(dir, `types-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

test('a file declares a new type (script resolved from its folder) and changes a built-in one', () => {
  const file = typesFile({ echo: { script: path.relative(dir, BEHAVE), maxConcurrency: 2, initialWorkers: 1 }, discovery: { maxConcurrency: 5 } });
  const c = loadSpawnConfig({ SPAWN_WORKER_TYPES: file });
  assert.deepEqual(c.workerTypes.echo, { maxConcurrency: 2, memoryLimit: '256MB', cpuLimit: 0.5, initialWorkers: 1, script: BEHAVE });
  assert.deepEqual(c.workerTypes.discovery, { maxConcurrency: 5, memoryLimit: '256MB', cpuLimit: 0.5 });
  assert.deepEqual(Object.keys(c.workerTypes), ['discovery', 'ingestion', 'processing', 'echo']);
});

test('bad declarations name the variable, the entry and the field', () => {
  assert.throws(() => loadSpawnConfig({ SPAWN_WORKER_TYPES: typesFile({ echo: { maxConcurrency: 2 } }) }), /SPAWN_WORKER_TYPES=".*": echo\.script is required for a new worker type/);
  // A name every object answers to is a new type like any other, not a built-in one.
  assert.throws(() => loadSpawnConfig({ SPAWN_WORKER_TYPES: typesFile({ constructor: { maxConcurrency: 2 } }) }), /constructor\.script is required for a new worker type/);
  assert.throws(() => loadSpawnConfig({ SPAWN_WORKER_TYPES: typesFile({ echo: { script: 'x.js', maxConcurrency: 0 } }) }), /echo\.maxConcurrency must be a positive integer/);
  assert.throws(() => loadSpawnConfig({ SPAWN_WORKER_TYPES: typesFile({ 'Bad Name': { script: 'x.js' } }) }), /"Bad Name" must be a worker type name/);
  assert.throws(() => loadSpawnConfig({ SPAWN_WORKER_TYPES: typesFile({ echo: { script: 'x.js', memory: '1GB' } }) }), /echo.*memory/);
  assert.throws(() => loadSpawnConfig({ SPAWN_WORKER_TYPES: path.join(dir, 'missing.json') }), /SPAWN_WORKER_TYPES=".*missing\.json": ENOENT/);
  assert.throws(() => loadSpawnConfig({ SPAWN_WORKER_TYPES: '{"echo": ' }), /^ConfigError: SPAWN_WORKER_TYPES: .*JSON/);
});

test('a controller built from the environment runs a declared type', async () => {
  const saved = process.env.SPAWN_WORKER_TYPES;
  process.env.SPAWN_WORKER_TYPES = JSON.stringify({ echo: { script: BEHAVE, initialWorkers: 1 } });
  // The file's embedded database (a schema of its own), not a fresh in-memory instance.
  const db = await pgliteBackend.config();
  const c = new SpawnController({ ...db, autoscale: false, pollInterval: 50, schedules: { enabled: false },
    workerTypes: { discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 } } });
  if (saved === undefined) delete process.env.SPAWN_WORKER_TYPES;
  else process.env.SPAWN_WORKER_TYPES = saved;
  try {
    await c.initialize();
    const done = new Promise<{ result: unknown }>((resolve) => c.on('task:completed', resolve));
    await c.distributeTask({ id: 'declared', type: 'echo', priority: 0, parameters: { mode: 'ok', value: 7 } });
    assert.deepEqual(((await done).result as { value: number }).value, 7);
  } finally {
    await c.shutdown(0);
  }
});
