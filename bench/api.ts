/**
 * npm run bench:api — wrk against GET /api/spawn?action=status and GET /api/events while
 * tasks run, paced at a target rate (default 500 req/s) with wrk's Lua delay(). Reports
 * req/s and p50/p99 per endpoint; the last line is one JSON object.
 *
 *   --rate R (default 500)  --seconds S (default 10)  --connections C (default 10)
 * Uses Postgres when DATABASE_URL is set, else the embedded database.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { silentLogger } from '../src/lib/logger.js';
import { createService } from '../src/service.js';
import { createApp } from '../src/server/app.js';
import { startHttpServer } from '../src/server/server.js';
import { arg, round } from './lib/stats.js';
import { parseWrk } from './lib/wrk.js';

const RATE = arg('rate', 500);
const SECONDS = arg('seconds', 10);
const CONNS = arg('connections', 10);
const DATABASE_URL = process.env.DATABASE_URL || undefined;
const schema = `bench_api_${Date.now().toString(36)}`;
const NOOP = fileURLToPath(new URL('./workers/noop-worker.js', import.meta.url));

async function main() {
  if (spawnSync('wrk', ['--version']).error) {
    throw new Error('wrk is not installed: apt-get install wrk');
  }
  const svc = await createService({
    config: {
      databaseUrl: DATABASE_URL, schema: DATABASE_URL ? schema : 'public', dataDir: 'memory', autoscale: false,
      schedules: { enabled: false },
      workerTypes: {
        discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 },
        noop: { script: NOOP, maxConcurrency: 2, memoryLimit: '128MB', initialWorkers: 2 },
      },
    },
    citiesFile: false,
  });
  await svc.start();
  // A catalogue to query: 5,000 events around one point over the next 30 days.
  await svc.controller.db.query(
    `INSERT INTO events (title, starts_at, timezone, venue_name, city, latitude, longitude, category, search_text)
     SELECT 'Event ' || g, now() + (g % 720) * interval '1 hour', 'Europe/Berlin', 'Venue ' || (g % 50), 'Berlin',
            52.52 + (g % 100) * 0.001, 13.40 + (g % 70) * 0.001,
            (ARRAY['music','sports','comedy','film','other'])[1 + g % 5], lower('event ' || g || ' venue ' || (g % 50) || ' berlin')
       FROM generate_series(1, 5000) AS g`,
  );
  const app = createApp({ service: svc, logger: silentLogger, apiToken: 'bench-token-0123456789' });
  const http = await startHttpServer({ app, port: 0, host: '127.0.0.1', apiToken: 'bench-token-0123456789', logger: silentLogger });
  // Tasks keep running during the measurement.
  let sent = 0;
  const feeder = setInterval(() => {
    for (let i = 0; i < 5; i++) void svc.distributeTask({ id: `bench-${sent++}`, type: 'noop', priority: 0, parameters: {} }).catch(() => {});
  }, 50);
  const dir = mkdtempSync(path.join(tmpdir(), 'scenescout-wrk-'));
  const script = path.join(dir, 'pace.lua');
  // wrk has no rate option; each connection waits CONNS/RATE s between requests.
  writeFileSync(script, `function delay() return ${Math.round((CONNS / RATE) * 1000)} end\n`);
  const results: Record<string, ReturnType<typeof parseWrk>> = {};
  const targets = {
    status: `${http.url}/api/spawn?action=status`,
    events: `${http.url}/api/events?lat=52.52&lng=13.405&radius_km=10&category=music&limit=50`,
  };
  try {
    for (const [name, url] of Object.entries(targets)) {
      // async: the server under test runs in this process and must keep answering
      const { stdout: out } = await promisify(execFile)('wrk', ['-t', '2', '-c', String(CONNS), '-d', `${SECONDS}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
      results[name] = parseWrk(out);
      const r = results[name]!;
      process.stdout.write(`${name}: ${round(r.rps, 0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}\n`);
    }
  } finally {
    clearInterval(feeder);
    await http.close();
    await svc.stop();
    if (DATABASE_URL) {
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.query(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
      await c.end();
    }
  }
  const s = results.status!;
  const e = results.events!;
  process.stdout.write(`tasks distributed during the run: ${sent}; goal: p99 < 20 ms at ${RATE} req/s\n`);
  process.stdout.write(
    `${JSON.stringify({
      target_rps: RATE, database: DATABASE_URL ? 'postgres' : 'pglite', tasks_during_run: sent,
      status_rps: round(s.rps, 1), status_p50_ms: s.p50, status_p99_ms: s.p99, status_non2xx: s.non2xx,
      events_rps: round(e.rps, 1), events_p50_ms: e.p50, events_p99_ms: e.p99, events_non2xx: e.non2xx,
    })}\n`,
  );
}

await main();
