/**
 * HTTP fuzzing with fast-check: hostile requests over every route (methods, path parameters,
 * query strings, bodies, headers) against a real server. Shared by the deterministic test
 * (fuzz.test.ts) and the fault suite (test/faults/http-fuzz.fault.ts). A request is bad when
 * it gets a 5xx: everything a caller sends must get a 4xx naming the problem, or a 2xx.
 */
import fc from 'fast-check';
import { createService, type RunningService } from '../../src/service.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createApp } from '../../src/server/app.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/server.js';
import type { Backend } from '../helpers/db.js';
import { fakeDashboardDir } from './helpers.js';

export const FUZZ_TOKEN = 'fuzz-token-0123456789';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface FuzzResult {
  requests: number;
  status5xx: number;
  /** how many answers had each status */
  byStatus: Record<string, number>;
  /** the first few requests answered with a 5xx */
  failures: Array<{ method: string; path: string; status: number; body: string; answer: string }>;
}

// ---- hostile pieces ------------------------------------------------------------------

const hostileStrings = fc.constantFrom(
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud800y', '\ud83d\ude00', '\u202e', '\r\n', '%00', '%ED%A0%80',
  '../../etc/passwd', 'file:///etc/passwd', 'http://169.254.169.254/', "' OR 1=1 --", '"; DROP TABLE events; --',
  '0000-01-01', '-271821-04-20', '+275760-09-13', '9999-12-31T23:59:59Z', '2025-02-30', '1e309', 'NaN', '-0', '99999999999',
  'x'.repeat(5000), '__proto__', 'constructor', '{}', '[]', 'null',
);
const anyString = fc.oneof(hostileStrings, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));

/** Percent-encodes every byte: raw NULs, invalid UTF-8 and encoded surrogates reach the server. */
const rawBytes = fc.uint8Array({ maxLength: 12 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
const wellFormed = (s: string) => s.replace(/[\ud800-\udfff]/g, '\ufffd');
const pathSegment = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('berlin', 'fuzz-1', 'fuzz-2', 'fuzz-task-1', 'x', 'discovery-ics-demo-1', '..', '%2e%2e', 'a%2Fb') },
  { weight: 1, arbitrary: anyString.map((s) => encodeURIComponent(wellFormed(s))) },
  { weight: 1, arbitrary: rawBytes },
);

const QUERY_KEYS = ['action', 'state', 'limit', 'lat', 'lng', 'radius_km', 'from', 'to', 'category', 'q', 'cursor', 'verbose'];
const queryValue = fc.oneof(
  anyString,
  fc.constantFrom('status', 'workers', 'tasks', 'failed', 'all', 'music', 'jazz', '52.5', '13.4', '10', '0', '-1', '2025-06-01'),
  fc.double().map(String),
  fc.integer().map(String),
);
/** Valid event queries with one hostile parameter. */
const nearlyValidEventQuery = fc
  .tuple(fc.constantFrom('q', 'category', 'from', 'to', 'cursor', 'lat', 'radius_km', 'limit'), fc.oneof(hostileStrings, anyString, rawBytes))
  .map(([k, v]) => `?lat=52.5&lng=13.4&${k}=${/^(%[0-9a-f]{2})+$/.test(v) ? v : encodeURIComponent(wellFormed(v))}`);

const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), anyString), fc.oneof(queryValue, rawBytes)), { maxLength: 5 })
  .map((pairs) =>
    pairs.length === 0
      ? ''
      : `?${pairs.map(([k, v]) => `${encodeURIComponent(wellFormed(k))}=${/^(%[0-9a-f]{2})+$/.test(v) ? v : encodeURIComponent(wellFormed(v))}`).join('&')}`,
  );

/** Deeply nested JSON text, built as text so nothing here recurses. */
const deepJson = fc.integer({ min: 50, max: 6000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`);
const leaf: fc.Arbitrary<unknown> = fc.oneof(anyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const value: fc.Arbitrary<unknown> = fc.oneof(
  { maxDepth: 3 },
  leaf,
  fc.array(leaf, { maxLength: 4 }),
  fc.dictionary(anyString, leaf, { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

const sources = fc.oneof(
  value,
  fc.record(
    {
      eventbrite: fc.oneof(value, fc.record({ organizationIds: fc.oneof(value, fc.array(anyString)), venueIds: value }, { requiredKeys: [] })),
      ics: fc.oneof(value, fc.record({ feeds: fc.oneof(value, fc.array(anyString, { maxLength: 3 })) })),
      jsonld: fc.oneof(value, fc.record({ pages: fc.oneof(value, fc.array(anyString, { maxLength: 3 })) })),
      ticketmaster: fc.oneof(value, fc.record({ enabled: fc.oneof(fc.boolean(), value) })),
    },
    { requiredKeys: [] },
  ),
);

const city = fc.record(
  {
    id: fc.oneof(fc.constantFrom('berlin', 'fuzz-town'), anyString),
    name: anyString,
    latitude: fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), value),
    longitude: fc.oneof(fc.double({ min: -180, max: 180, noNaN: true }), value),
    timezone: fc.oneof(fc.constantFrom('UTC', 'Europe/Berlin', 'europe/berlin', '+01:00'), anyString),
    radiusM: fc.oneof(fc.integer(), value),
    priority: fc.oneof(fc.integer(), value),
    enabled: fc.oneof(fc.boolean(), value),
    sources,
  },
  { requiredKeys: [] },
);

const task = fc.record(
  {
    id: fc.oneof(fc.constantFrom('fuzz-task'), anyString),
    type: fc.oneof(fc.constantFrom('discovery', 'ingestion', 'processing', 'nope'), anyString),
    priority: fc.oneof(fc.integer(), value),
    parameters: fc.oneof(value, fc.dictionary(anyString, value, { maxKeys: 4 })),
    singletonKey: anyString,
    queueWhileRunning: fc.oneof(fc.boolean(), value),
  },
  { requiredKeys: [] },
);

const spawnBody = fc.oneof(
  fc.record({ action: fc.constant('spawn'), params: fc.oneof(value, fc.record({ type: fc.oneof(fc.constantFrom('discovery', 'nope'), anyString) })) }),
  fc.record({ action: fc.constant('task'), params: fc.oneof(value, fc.record({ task })) }),
  fc.record({ action: fc.constant('discovery'), params: fc.oneof(value, fc.record({ cityIds: fc.oneof(value, fc.array(anyString)), sources: fc.oneof(value, fc.array(anyString)) }, { requiredKeys: [] })) }),
  fc.record({ action: anyString, params: value }),
);

/** A valid request with one field replaced by something hostile: reaches the database layer. */
const hostileLeaf = fc.oneof(hostileStrings, anyString, value);
const nearlyValidCity = fc
  .tuple(fc.constantFrom('id', 'name', 'timezone', 'feed', 'page', 'org', 'radiusM', 'latitude'), hostileLeaf, fc.nat(1000))
  .map(([field, bad, n]) => {
    const c: Record<string, unknown> = { id: `fuzz-${n}`, name: 'Fuzz', latitude: 1, longitude: 2, timezone: 'UTC', sources: {} };
    const src = c.sources as Record<string, unknown>;
    if (field === 'feed') src.ics = { feeds: [bad] };
    else if (field === 'page') src.jsonld = { pages: ['https://calendar.example.org/p.html', bad] };
    else if (field === 'org') src.eventbrite = { organizationIds: bad };
    else c[field] = bad;
    return c;
  });
const nearlyValidTask = fc
  .tuple(fc.constantFrom('id', 'singletonKey', 'param', 'key', 'feeds', 'priority', 'type'), hostileLeaf, anyString, fc.nat(1000))
  .map(([field, bad, key, n]) => {
    const t: Record<string, unknown> = { id: `fuzz-task-${n}`, type: 'ingestion', parameters: { note: 'x' } };
    if (field === 'param') t.parameters = { note: bad };
    else if (field === 'key') t.parameters = { [key]: 1 };
    else if (field === 'feeds') Object.assign(t, { type: 'discovery', parameters: { source: 'ics', feeds: [bad] } });
    else t[field] = bad;
    return { action: 'task', params: { task: t } };
  });

const bodyText = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(nearlyValidCity, nearlyValidTask).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.oneof(city, spawnBody).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: deepJson.map((d) => `{"action":"task","params":{"task":{"id":"deep","type":"discovery","parameters":{"a":${d}}}}}`) },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: anyString.map(wellFormed) },
  { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '\u0000', '{"a":"\\u0000"}', '{"name":"\\ud800"}', '{"__proto__":{"x":1}}') },
);

// Mostly what a real client sends (the token, JSON), so most requests reach the handlers;
// the rest probe the auth and cross-site checks.
const headers = fc
  .record({
    'content-type': fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'text/plain', 'application/vnd.api+json', 'multipart/form-data; boundary=x', 'garbage', '') },
    ),
    authorization: fc.oneof(
      { weight: 8, arbitrary: fc.constant(`Bearer ${FUZZ_TOKEN}`) },
      { weight: 1, arbitrary: fc.constantFrom('Bearer wrong-token-xxxxxxxx', 'Basic Zm9vOmJhcg==', 'Bearer', '') },
    ),
    origin: fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1') }),
    'x-requested-with': fc.constantFrom('', 'fuzz'),
    accept: fc.constantFrom('application/json', '*/*', 'text/html'),
  })
  .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== '')) as Record<string, string>);

const ROUTES = [
  '/api/spawn', '/api/events', '/api/dead-letters', '/api/dead-letters/:id/retry', '/api/dead-letters/:id', '/api/cities', '/api/cities/:id',
  '/healthz', '/readyz', '/metrics', '/', '/assets/:id', '/api/:id',
];

/** One hostile request over any route. */
/** The routes' own methods, drawn most often, so most requests reach a handler. */
const VALID: Array<[string, string]> = [
  ['GET', '/api/spawn'], ['POST', '/api/spawn'], ['POST', '/api/spawn'], ['GET', '/api/events'], ['GET', '/api/events'],
  ['GET', '/api/dead-letters'], ['POST', '/api/dead-letters/:id/retry'], ['DELETE', '/api/dead-letters/:id'],
  ['GET', '/api/cities'], ['POST', '/api/cities'], ['POST', '/api/cities'], ['PATCH', '/api/cities/:id'], ['PATCH', '/api/cities/:id'],
];
const methodAndRoute = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...VALID) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS'), fc.constantFrom(...ROUTES)) },
);

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    pair: methodAndRoute,
    segment: pathSegment,
    query: queryString,
    headers,
    body: bodyText,
  })
  .map(({ pair, ...rest }) => ({ ...rest, method: pair[0], route: pair[1] }))
  .chain((r) =>
    r.route === '/api/events' || r.route === '/api/spawn'
      ? fc.oneof(fc.constant(r), nearlyValidEventQuery.map((query) => ({ ...r, query })))
      : fc.constant(r),
  )
  .map(({ method, route, segment, query, headers, body }) => {
    const path = route.replace(':id', segment) + query;
    const withBody = method === 'POST' || method === 'PATCH' || method === 'PUT' || method === 'DELETE';
    return { method, path, headers, ...(withBody ? { body } : {}) };
  });

/** Sends `count` requests drawn with `seed` to `baseUrl` and counts the 5xx answers. */
export async function fuzzServer(baseUrl: string, count: number, seed: number): Promise<FuzzResult> {
  const result: FuzzResult = { requests: 0, status5xx: 0, byStatus: {}, failures: [] };
  for (const req of fc.sample(fuzzRequest, { numRuns: count, seed })) {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
    } catch {
      continue; // a request fetch itself refuses to send (e.g. a bad URL) never reached the server
    }
    const answer = await res.text();
    result.requests++;
    result.byStatus[res.status] = (result.byStatus[res.status] ?? 0) + 1;
    if (res.status >= 500) {
      result.status5xx++;
      if (result.failures.length < 10) {
        result.failures.push({ method: req.method, path: req.path.slice(0, 200), status: res.status, body: (req.body ?? '').slice(0, 200), answer: answer.slice(0, 200) });
      }
    }
  }
  return result;
}

export interface FuzzTarget {
  url: string;
  service: RunningService;
  http: RunningHttpServer;
  close(): Promise<void>;
}

/** The real service on `backend` (no workers run tasks, no schedules) behind a real HTTP server. */
export async function startFuzzTarget(backend: Backend): Promise<FuzzTarget> {
  const service = await createService({
    citiesFile: false,
    config: {
      ...(await backend.config()),
      maxWorkers: 2,
      autoscale: false,
      schedules: { enabled: false },
      workerTypes: { discovery: { initialWorkers: 0 }, ingestion: { initialWorkers: 0 }, processing: { initialWorkers: 0 } },
    },
  });
  await service.start();
  // A built-dashboard stand-in, so the result does not hang on whether `npm run build:web` ran.
  const app = createApp({ service, apiToken: FUZZ_TOKEN, logger: silentLogger, bodyLimitBytes: 64 * 1024, staticDir: fakeDashboardDir() });
  const http = await startHttpServer({ app, port: 0, host: '127.0.0.1', apiToken: FUZZ_TOKEN, logger: silentLogger });
  return {
    url: http.url,
    service,
    http,
    async close() {
      await http.close();
      await service.stop();
    },
  };
}
