import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadServiceConfig, loadSpawnConfig } from '../../src/config/spawn.js';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

test('defaults follow the design', () => {
  const c = loadSpawnConfig({});
  assert.equal(c.maxWorkers, 10);
  assert.equal(c.workerTimeout, 300_000);
  assert.equal(c.redisUrl, undefined);
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.dataDir, 'memory');
  assert.deepEqual(c.workerTypes, {
    discovery: { maxConcurrency: 3, memoryLimit: '512MB', cpuLimit: 0.5 },
    ingestion: { maxConcurrency: 5, memoryLimit: '2GB', cpuLimit: 0.3, youngGenerationMb: 192 },
    processing: { maxConcurrency: 2, memoryLimit: '1GB', cpuLimit: 1 },
  });
  assert.deepEqual(
    { maxRetries: c.retryPolicy.maxRetries, backoffMultiplier: c.retryPolicy.backoffMultiplier, maxBackoff: c.retryPolicy.maxBackoff },
    { maxRetries: 3, backoffMultiplier: 2, maxBackoff: 60_000 },
  );
  assert.equal(c.schedules.discovery, '0 */6 * * *');
  assert.equal(c.schedules.ingestion, '*/30 * * * *');
  assert.equal(loadServiceConfig({}).dataDir, '.scenescout/data');
  assert.equal(loadSpawnConfig({ SPAWN_MAX_WORKERS: '', SCENESCOUT_DATA_DIR: '/tmp/x' }).maxWorkers, 10, 'empty means unset');
});

test('a bad value names the variable and its value', () => {
  assert.throws(() => loadSpawnConfig({ SPAWN_MAX_WORKERS: 'lots' }), /Invalid configuration: SPAWN_MAX_WORKERS="lots": /);
  assert.throws(() => loadSpawnConfig({ SPAWN_WORKER_TIMEOUT: '-5' }), /SPAWN_WORKER_TIMEOUT="-5"/);
  assert.throws(() => loadSpawnConfig({ DATABASE_URL: 'mysql://u:hunter2@db/x' }), (err: Error) => {
    assert.match(err.message, /DATABASE_URL="mysql:\/\/u:\*\*\*@db\/x": must be a postgres:\/\/ or postgresql:\/\/ URL/);
    assert.doesNotMatch(err.message, /hunter2/);
    return true;
  });
  assert.throws(() => loadServiceConfig({ PORT: '70000' }), /PORT="70000"/);
  assert.throws(() => loadServiceConfig({ SCENESCOUT_API_TOKEN: 'short' }), (err: Error) => {
    assert.match(err.message, /SCENESCOUT_API_TOKEN=\[redacted\]: must be at least 16 characters/);
    assert.doesNotMatch(err.message, /short/);
    return true;
  });
});

test('the service refuses to start on bad configuration with a one-line message', () => {
  const r = spawnSync(process.execPath, [MAIN], { env: { ...process.env, SPAWN_MAX_WORKERS: 'zero', PORT: '0' }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^scenescout: Invalid configuration: SPAWN_MAX_WORKERS="zero": .+\n$/);
});
