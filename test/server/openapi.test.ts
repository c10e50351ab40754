/**
 * The OpenAPI document against the running API: every route app.ts registers is documented
 * (and nothing else is), and every documented operation, called over real HTTP on the real
 * service, answers a documented status with a body the document's JSON Schema accepts
 * (validated by Ajv against the served /api/openapi.json, not against our zod schemas).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { pino } from 'pino';
import { createApp } from '../../src/server/app.js';
import { recordSourceFailure } from '../../src/lib/db/queries/source-health.js';
import { openApiDocument } from '../../src/server/openapi.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/server.js';
import type { RunningService } from '../../src/service.js';
import { LD_ID, seedUnsurePair } from '../fixtures/catalogue/review-pair.js';
import { sourceOf } from '../lib/catalogue/helpers.js';
import { startCatalogueService } from './catalogue-service.js';
import { fakeDashboardDir, TOKEN } from './helpers.js';
import { closeTestDatabases } from '../helpers/db.js';

after(closeTestDatabases);

const addFormats = addFormatsModule as unknown as (ajv: InstanceType<typeof Ajv2020>) => void;

interface Case {
  /** path with its query; `{name}` is replaced by the seeded value of that name (`vars` below) */
  url: string;
  body?: unknown;
  token?: boolean;
  headers?: Record<string, string>;
  /** the status this call must get */
  status: number;
}

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/**
 * Calls for each documented operation (`METHOD path-template`). An operation missing here
 * fails the walk, so a newly documented route needs a call.
 */
const CASES: Record<string, Case[]> = {
  'get /healthz': [{ url: '/healthz', status: 200 }],
  'get /readyz': [{ url: '/readyz', status: 200 }],
  'get /metrics': [{ url: '/metrics', status: 200 }],
  'get /api/openapi.json': [{ url: '/api/openapi.json', status: 200 }],
  'get /api/docs': [{ url: '/api/docs', status: 200 }],
  'get /api/spawn': [
    { url: '/api/spawn?action=status', status: 200, token: true },
    { url: '/api/spawn?action=workers', status: 200, token: true },
    { url: '/api/spawn?action=tasks&state=all&limit=5', status: 200, token: true },
    { url: '/api/spawn?action=nap', status: 400, token: true },
    { url: '/api/spawn?action=status', status: 401 },
  ],
  'post /api/spawn': [
    { url: '/api/spawn', token: true, body: { action: 'task', params: { task: { id: 'openapi-walk-1', type: 'processing', parameters: { cityId: 'sf' } } } }, status: 200 },
    { url: '/api/spawn', token: true, body: { action: 'discovery', params: { cityIds: ['oakland'], sources: ['ics'] } }, status: 200 },
    { url: '/api/spawn', token: true, body: { action: 'discovery', params: { cityIds: ['Not A Slug'] } }, status: 400 },
    { url: '/api/spawn', body: { action: 'discovery', params: {} }, status: 401 },
  ],
  'get /api/events': [
    { url: '/api/events?limit=3', status: 200 },
    { url: '/api/events?lat=37.78&lng=-122.43&radius_km=10&category=music&q=residency', status: 200 },
    { url: '/api/events?limit=0', status: 400 },
  ],
  'get /api/events/{id}': [
    { url: '/api/events/{event}', status: 200 },
    { url: '/api/events/{event}', headers: { 'if-none-match': '{etag}' }, status: 304 },
    { url: '/api/events/{survivor}', status: 200 },
    { url: '/api/events/{mergedAway}', status: 301 },
    { url: '/api/events/00000000-0000-4000-8000-000000000000', status: 404 },
    { url: '/api/events/not-an-id', status: 400 },
  ],
  'get /api/review': [
    { url: '/api/review', status: 200, token: true },
    { url: '/api/review?status=decided&limit=5', status: 200, token: true },
    { url: '/api/review?status=everything', status: 400, token: true },
    { url: '/api/review', status: 401 },
  ],
  'post /api/review/{pairId}': [
    { url: '/api/review/{pairId}', body: { decision: 'different' }, status: 401 },
    { url: '/api/review/{pairId}', token: true, body: { decision: 'maybe' }, status: 400 },
    { url: '/api/review/AAAAAAAAAAAAAAAAAAAAAA', token: true, body: { decision: 'different' }, status: 404 },
    { url: '/api/review/{pairId}', token: true, body: { decision: 'different' }, status: 200 },
  ],
  'post /api/events/{id}/unmerge': [
    { url: '/api/events/{survivor}/unmerge', body: { source: 'jsonld', externalId: LD_ID }, status: 401 },
    { url: '/api/events/{survivor}/unmerge', token: true, body: { source: 'jsonld' }, status: 400 },
    { url: '/api/events/{survivor}/unmerge', token: true, body: { source: 'jsonld', externalId: 'nope' }, status: 404 },
    { url: '/api/events/{survivor}/unmerge', token: true, body: { source: 'jsonld', externalId: LD_ID }, status: 200 },
    // Split out, the venue page is an event of its own: nothing left to split.
    { url: '/api/events/{mergedAway}/unmerge', token: true, body: { source: 'jsonld', externalId: LD_ID }, status: 409 },
  ],
  'get /api/dead-letters': [
    { url: '/api/dead-letters?limit=5', status: 200, token: true },
    { url: '/api/dead-letters?limit=-1', status: 400, token: true },
    { url: '/api/dead-letters', status: 401 },
  ],
  'delete /api/dead-letters/{taskId}': [
    { url: '/api/dead-letters/no-such-task', token: true, status: 404 },
    { url: '/api/dead-letters/no-such-task', status: 401 },
  ],
  'post /api/dead-letters/{taskId}/retry': [
    { url: '/api/dead-letters/no-such-task/retry', token: true, status: 404 },
    { url: '/api/dead-letters/no-such-task/retry', status: 401 },
  ],
  'get /api/cities': [{ url: '/api/cities', token: true, status: 200 }, { url: '/api/cities', status: 401 }],
  'post /api/cities': [
    { url: '/api/cities', token: true, body: { id: 'berkeley', name: 'Berkeley', latitude: 37.8715, longitude: -122.273, timezone: 'America/Los_Angeles', sources: { ics: { feeds: ['https://example.org/cal.ics'] } } }, status: 201 },
    { url: '/api/cities', token: true, body: { id: 'x', name: 'X', latitude: 95, longitude: 0, timezone: 'UTC' }, status: 400 },
  ],
  'get /api/cities/stats': [{ url: '/api/cities/stats', token: true, status: 200 }, { url: '/api/cities/stats', status: 401 }],
  'patch /api/cities/{id}': [
    { url: '/api/cities/oakland', token: true, body: { priority: 7 }, status: 200 },
    { url: '/api/cities/nowhere', token: true, body: { priority: 7 }, status: 404 },
    { url: '/api/cities/oakland', token: true, body: { priority: 'high' }, status: 400 },
  ],
  'get /api/sources': [
    { url: '/api/sources', token: true, status: 200 },
    { url: '/api/sources', status: 401 },
  ],
  'post /api/sources/{id}/unquarantine': [
    { url: '/api/sources/{sourceId}/unquarantine', status: 401 },
    { url: '/api/sources/NOT-AN-ID/unquarantine', token: true, status: 400 },
    { url: '/api/sources/0000000000000000/unquarantine', token: true, status: 404 },
    { url: '/api/sources/{sourceId}/unquarantine', token: true, status: 200 },
  ],
};

/** Hono's `/a/:id` as OpenAPI's `/a/{id}`. */
const template = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** JSON pointer to a part of the document. */
const pointer = (...parts: string[]) => `openapi#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

describe('every documented operation answers as documented (real HTTP, real service)', { timeout: 120_000 }, () => {
  let service: RunningService;
  let server: RunningHttpServer;
  let doc: Record<string, any>;
  let ajv: InstanceType<typeof Ajv2020>;
  const vars: Record<string, string> = {};

  before(async () => {
    service = await startCatalogueService({ sfEvents: 4 });
    // Dedupe's operator routes need a merged event and a pair in the review queue: the concert
    // from three sources, run through the real ingestion and dedupe (the venue page merges with
    // Ticketmaster; the Eventbrite listing waits for review).
    const db = service.controller.db;
    await seedUnsurePair(db);
    const ld = await sourceOf(db, 'jsonld');
    assert.notEqual(ld.event_id, ld.origin_event_id, 'the venue page was merged into the concert');
    vars.survivor = ld.event_id;
    vars.mergedAway = ld.origin_event_id;
    const { items } = await service.dedupe!.listReview();
    const pair = items.find((i) => [i.a.source, i.b.source].includes('eventbrite'));
    assert.ok(pair, 'the eventbrite listing waits for review');
    vars.pairId = pair.pairId;
    // A quarantined feed, for source health's routes.
    const feed = { cityId: 'oakland', source: 'ics', feed: 'https://example.org/broken.ics?token=hidden' };
    const policy = { quarantineAfter: 1, backoffMs: 60_000, maxBackoffMs: 60_000 };
    vars.sourceId = (await recordSourceFailure(db, feed, 'ics: could not fetch https://example.org/broken.ics?token=hidden: HTTP 404', policy)).id;
    const logger = pino({ level: 'silent' });
    server = await startHttpServer({ app: createApp({ service, apiToken: TOKEN, logger, staticDir: fakeDashboardDir() }), port: 0, host: '127.0.0.1', apiToken: TOKEN, logger });
    // The document as served, not as built in this process.
    doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as Record<string, any>;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc, 'openapi');
    const page = (await (await fetch(`${server.url}/api/events?limit=1`)).json()) as { events: Array<{ id: string }> };
    vars.event = page.events[0]!.id;
    vars.etag = (await fetch(`${server.url}/api/events/${vars.event}`)).headers.get('etag') ?? '';
  });

  after(async () => {
    await server?.close();
    await service?.stop();
  });

  it('documents every route app.ts registers, and only those', () => {
    const app = createApp({ service, apiToken: TOKEN, logger: pino({ level: 'silent' }), staticDir: fakeDashboardDir() });
    const built = openApiDocument();
    const registered = new Set(
      app.routes
        // `use()` middleware and the 405 answers are method ALL; `*` is the dashboard.
        .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
        // The docs page's own script and Swagger UI files are part of GET /api/docs.
        .filter((r) => !r.path.startsWith('/api/docs/'))
        .map((r) => `${r.method.toLowerCase()} ${template(r.path)}`),
    );
    const documented = new Set(Object.entries(built.paths ?? {}).flatMap(([path, item]) => Object.keys(item ?? {}).filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k)).map((m) => `${m} ${path}`)));
    assert.deepEqual([...registered].filter((r) => !documented.has(r)).sort(), [], 'registered but not documented');
    assert.deepEqual([...documented].filter((d) => !registered.has(d)).sort(), [], 'documented but not registered');
    assert.ok(registered.has('post /api/spawn') && registered.has('get /api/events/{id}'));
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)) as Record<string, unknown>);
    assert.equal(validator.version, '3.1');
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2)?.slice(0, 2000));
  });

  it('documents POST /api/spawn discovery params (cityIds, sources)', () => {
    const text = JSON.stringify(doc.paths['/api/spawn'].post.requestBody);
    assert.match(text, /"cityIds"/);
    assert.match(text, /"sources"/);
    assert.match(text, /"ticketmaster"/);
  });

  it('has a call for every documented operation', () => {
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k)).map((m) => `${m} ${path}`),
    );
    assert.deepEqual(documented.filter((op) => !CASES[op]).sort(), []);
    assert.deepEqual(Object.keys(CASES).filter((op) => !documented.includes(op)).sort(), []);
  });

  for (const [op, cases] of Object.entries(CASES)) {
    const [method, path] = op.split(' ') as [Method, string];
    it(`${op}`, async () => {
      const operation = doc.paths[path][method] as Record<string, any>;
      for (const c of cases) {
        const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => {
          assert.ok(vars[k] !== undefined, `no seeded value for {${k}}`);
          return vars[k]!;
        });
        const headers: Record<string, string> = Object.fromEntries(Object.entries(c.headers ?? {}).map(([k, v]) => [k, fill(v)]));
        if (c.token) headers.authorization = `Bearer ${TOKEN}`;
        if (c.body !== undefined) {
          headers['content-type'] = 'application/json';
          // A call the test expects to succeed sends what the document says the API accepts.
          if (c.status < 300) {
            const check = ajv.compile({ $ref: pointer('paths', path, method, 'requestBody', 'content', 'application/json', 'schema') });
            assert.ok(check(c.body), `${op}: the document rejects the request body: ${ajv.errorsText(check.errors)}`);
          }
        }
        const url = fill(c.url);
        // Redirects are answers to check, not to follow.
        const res = await fetch(`${server.url}${url}`, { method: method.toUpperCase(), headers, body: c.body === undefined ? undefined : JSON.stringify(c.body), redirect: 'manual' });
        const text = await res.text();
        assert.equal(res.status, c.status, `${method.toUpperCase()} ${url}: ${text.slice(0, 300)}`);
        const documented = operation.responses[String(res.status)] as Record<string, any> | undefined;
        assert.ok(documented, `${op}: status ${res.status} is not documented`);
        for (const [name, header] of Object.entries((documented.headers ?? {}) as Record<string, { required?: boolean }>)) {
          if (header.required) assert.ok(res.headers.has(name), `${op} ${res.status}: the required header ${name} is missing`);
        }
        const content = documented.content as Record<string, { schema: unknown }> | undefined;
        if (!content) {
          assert.equal(text, '', `${op} ${res.status}: documented without a body`);
          continue;
        }
        const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
        assert.ok(content[type], `${op} ${res.status}: content-type ${type} is not documented (${Object.keys(content).join(', ')})`);
        const body: unknown = type === 'application/json' ? JSON.parse(text) : text;
        const validate = ajv.compile({ $ref: pointer('paths', path, method, 'responses', String(res.status), 'content', type, 'schema') });
        assert.ok(validate(body), `${method.toUpperCase()} ${url} ${res.status}: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 400)}`);
      }
    });
  }
});
