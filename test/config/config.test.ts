import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadCliConfig, loadServiceConfig, loadSpawnConfig, localDatabase } from '../../src/config/index.js';
import { ConfigError } from '../../src/lib/errors.js';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const CONFIG = new URL('../../src/config/index.js', import.meta.url).href;

test('defaults', () => {
  const c = loadSpawnConfig({});
  assert.equal(c.maxWorkers, 10);
  assert.equal(c.workerTimeout, 300_000);
  assert.equal(c.redisUrl, undefined);
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.dataDir, 'memory');
  assert.deepEqual(c.workerTypes, {
    discovery: { maxConcurrency: 3, memoryLimit: '256MB', cpuLimit: 0.5 },
    ingestion: { maxConcurrency: 2, memoryLimit: '192MB', cpuLimit: 0.3 },
    processing: { maxConcurrency: 1, memoryLimit: '384MB', cpuLimit: 1 },
  });
  assert.deepEqual(
    { maxRetries: c.retryPolicy.maxRetries, backoffMultiplier: c.retryPolicy.backoffMultiplier, maxBackoff: c.retryPolicy.maxBackoff },
    { maxRetries: 3, backoffMultiplier: 2, maxBackoff: 60_000 },
  );
  assert.equal(c.schedules.discovery, '0 */6 * * *');
  assert.equal(c.schedules.ingestion, '*/30 * * * *');
  assert.equal(loadServiceConfig({}).dataDir, '.scenescout/data');
  assert.equal(loadSpawnConfig({ SPAWN_MAX_WORKERS: '', SCENESCOUT_DATA_DIR: '/tmp/x' }).maxWorkers, 10, 'empty means unset');
  assert.equal(c.poolSize, 10);
  assert.equal(loadSpawnConfig({ SCENESCOUT_PG_POOL_SIZE: '4' }).poolSize, 4);
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
  // Statements planned per run and those keeping a generic plan need a connection each.
  assert.throws(() => loadSpawnConfig({ SCENESCOUT_PG_POOL_SIZE: '1' }), /SCENESCOUT_PG_POOL_SIZE="1": must be at least 2/);
  assert.throws(() => loadServiceConfig({ SCENESCOUT_API_TOKEN: 'short' }), (err: Error) => {
    assert.match(err.message, /SCENESCOUT_API_TOKEN=\[redacted\]: must be at least 16 characters/);
    assert.doesNotMatch(err.message, /short/);
    return true;
  });
});

test('a token is at least 16 characters: a shorter one is a ConfigError naming SCENESCOUT_API_TOKEN', () => {
  for (const load of [loadServiceConfig, loadCliConfig]) {
    assert.throws(() => load({ SCENESCOUT_API_TOKEN: 'x'.repeat(15) }), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /SCENESCOUT_API_TOKEN=\[redacted\]: must be at least 16 characters/);
      return true;
    });
  }
  assert.equal(loadServiceConfig({ SCENESCOUT_API_TOKEN: 'x'.repeat(16) }).apiToken, 'x'.repeat(16));
});

test('a HOST other than loopback needs a token: without one the service refuses to start', () => {
  for (const host of ['0.0.0.0', '::', '10.1.2.3', 'scenescout.internal']) {
    assert.throws(() => loadServiceConfig({ HOST: host }), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, new RegExp(`HOST=${JSON.stringify(host).replace(/\./g, '\\.')} needs SCENESCOUT_API_TOKEN`));
      assert.match(err.message, /unset HOST to listen on 127\.0\.0\.1 only/);
      return true;
    });
    assert.equal(loadServiceConfig({ HOST: host, SCENESCOUT_API_TOKEN: 'x'.repeat(16) }).host, host);
  }
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]']) {
    assert.equal(loadServiceConfig({ HOST: host }).host, host);
  }
  assert.equal(loadServiceConfig({}).host, undefined, 'no HOST and no token: 127.0.0.1, as before');
  const r = spawnSync(process.execPath, [MAIN], { env: { ...process.env, HOST: '0.0.0.0', SCENESCOUT_API_TOKEN: '', PORT: '0' }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^scenescout: Invalid configuration: HOST="0\.0\.0\.0" needs SCENESCOUT_API_TOKEN: .+\n$/);
});

test('the service refuses to start on bad configuration with a one-line message', () => {
  const r = spawnSync(process.execPath, [MAIN], { env: { ...process.env, SPAWN_MAX_WORKERS: 'zero', PORT: '0' }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^scenescout: Invalid configuration: SPAWN_MAX_WORKERS="zero": .+\n$/);
});

test('switches accept true/false/1/0 only: 0 means off', () => {
  assert.equal(loadServiceConfig({}).discoverOnStart, true);
  assert.equal(loadServiceConfig({ SCENESCOUT_DISCOVER_ON_START: '0' }).discoverOnStart, false);
  assert.equal(loadServiceConfig({ SCENESCOUT_DISCOVER_ON_START: 'false' }).discoverOnStart, false);
  assert.equal(loadServiceConfig({ SCENESCOUT_DISCOVER_ON_START: '1' }).discoverOnStart, true);
  assert.throws(() => loadServiceConfig({ SCENESCOUT_DISCOVER_ON_START: 'no' }), /SCENESCOUT_DISCOVER_ON_START="no": must be true, false, 1 or 0/);
  assert.equal(loadSpawnConfig({ SCENESCOUT_SCHEDULES: '0' }).schedules.enabled, false);
  assert.throws(() => loadSpawnConfig({ SCENESCOUT_SCHEDULES: 'off' }), /SCENESCOUT_SCHEDULES="off"/);
});

test('the CLI reads only its own variables, each validated', () => {
  assert.deepEqual(loadCliConfig({ SPAWN_MAX_WORKERS: 'lots' }), { url: 'http://127.0.0.1:3000', urlFromEnv: false, token: undefined });
  assert.equal(loadCliConfig({ PORT: '4100' }).url, 'http://127.0.0.1:4100');
  assert.deepEqual(loadCliConfig({ SCENESCOUT_URL: 'https://scenescout.example:8443', SCENESCOUT_API_TOKEN: 'x'.repeat(16) }), {
    url: 'https://scenescout.example:8443',
    urlFromEnv: true,
    token: 'x'.repeat(16),
  });
  assert.throws(() => loadCliConfig({ PORT: 'eighty' }), /PORT="eighty"/);
  assert.throws(() => loadCliConfig({ SCENESCOUT_URL: 'ftp://files.example' }), /SCENESCOUT_URL="ftp:\/\/files.example": must be an http/);
});

test('the local database: DATABASE_URL (described without its password) or the embedded folder', () => {
  assert.deepEqual(localDatabase({}), {
    dataDir: '.scenescout/data',
    databaseUrl: undefined,
    description: 'embedded PGlite in .scenescout/data',
    logLevel: 'info',
  });
  assert.equal(localDatabase({ SCENESCOUT_DATA_DIR: 'memory' }).description, 'embedded PGlite in memory');
  const pg = localDatabase({ DATABASE_URL: 'postgres://app:hunter2@db:5432/events' });
  assert.equal(pg.dataDir, 'memory');
  assert.match(pg.description, /^Postgres at postgres:\/\/.*@db:5432\/events$/);
  assert.doesNotMatch(pg.description, /hunter2/);
});

test('importing the config parses nothing; spawnConfig is parsed on first read', () => {
  const script = `
    const config = await import(${JSON.stringify(CONFIG)});
    console.log('imported');
    try { console.log(config.spawnConfig.maxWorkers); } catch (err) { console.log(err.code, err.message); }
  `;
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  const bad = run({ SPAWN_MAX_WORKERS: 'zero' });
  assert.equal(bad.status, 0, bad.stderr);
  assert.match(bad.stdout, /^imported\nERR_CONFIG Invalid configuration: SPAWN_MAX_WORKERS="zero"/);
  const good = run({ SPAWN_MAX_WORKERS: '7' });
  assert.equal(good.stdout, 'imported\n7\n');
});

test('spawnConfig reads like the SpawnConfig it stands for, and is read-only', async () => {
  const { spawnConfig } = await import('../../src/config/index.js');
  const fresh = loadSpawnConfig();
  assert.deepEqual({ ...spawnConfig }, fresh);
  assert.deepEqual(Object.keys(spawnConfig), Object.keys(fresh));
  assert.equal('workerTypes' in spawnConfig, true);
  assert.throws(() => {
    (spawnConfig as { maxWorkers: number }).maxWorkers = 1;
  }, TypeError);
});
