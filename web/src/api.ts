/**
 * The dashboard's calls to the SceneScout HTTP API. Every call carries the bearer token the
 * user saved in this browser: a server with a token needs it for changes and for operational
 * reads (status, workers, dead letters). Changes also send `X-Requested-With`, which the server
 * requires of a change without a JSON body (cross-site forms cannot send it).
 */
import type { CityStats } from '../../src/contracts/catalogue-stats.js';
import type { City } from '../../src/contracts/cities.js';
import type { CanonicalEvent, EventPage } from '../../src/contracts/events.js';
import type { ReviewDecisionResult, ReviewItem } from '../../src/contracts/dedupe.js';
import type { ScheduleDiscoveryResult } from '../../src/contracts/service.js';
import type { SourceHealth, UnquarantineResult } from '../../src/contracts/source-health.js';
import type { DeadLetter, SystemStatus, WorkerSnapshot } from '../../src/contracts/status.js';

export type { SourceHealth, UnquarantineResult };
export type { CanonicalEvent, City, CityStats, DeadLetter, EventPage, ReviewDecisionResult, ReviewItem, ScheduleDiscoveryResult, SystemStatus, WorkerSnapshot };

/** A query parameter as the OpenAPI document describes it (the parts the events explorer reads). */
export interface ApiParameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: ParameterSchema;
}
export interface ParameterSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: ParameterSchema[];
  oneOf?: ParameterSchema[];
  items?: ParameterSchema;
  minimum?: number;
  maximum?: number;
  description?: string;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: ApiParameter[] }>>;
}

const TOKEN_KEY = 'scenescout.apiToken';

export function loadToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveToken(token: string): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token lasts for this page only
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function call<T>(path: string, init?: RequestInit, token?: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: 'application/json', ...authHeaders(token), ...init?.headers } });
  } catch {
    throw new ApiError(0, 'cannot reach the server');
  }
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: fall through to the status
  }
  if (!res.ok) {
    const message = (body as { error?: unknown } | undefined)?.error;
    const hint = res.status === 401 ? ' — set the API token above' : '';
    throw new ApiError(res.status, `${typeof message === 'string' ? message : `HTTP ${res.status}`}${hint}`);
  }
  return body as T;
}

function change<T>(method: 'POST' | 'DELETE', path: string, body: unknown | undefined, token: string): Promise<T> {
  const headers: Record<string, string> = { 'x-requested-with': 'scenescout-dashboard' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return call<T>(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, token);
}

function post<T>(path: string, body: unknown | undefined, token: string): Promise<T> {
  return change('POST', path, body, token);
}

export const api = {
  status: (token?: string) => call<SystemStatus>('/api/spawn?action=status', undefined, token),
  workers: (token?: string) => call<WorkerSnapshot[]>('/api/spawn?action=workers', undefined, token),
  deadLetters: (limit = 20, token?: string) => call<DeadLetter[]>(`/api/dead-letters?limit=${limit}`, undefined, token),
  spawnWorker: (type: string, token: string) =>
    post<{ workerId: string }>('/api/spawn', { action: 'spawn', params: { type } }, token),
  runDiscovery: (token: string) => post<ScheduleDiscoveryResult>('/api/spawn', { action: 'discovery', params: {} }, token),
  discoverCity: (cityId: string, token: string) =>
    post<ScheduleDiscoveryResult>('/api/spawn', { action: 'discovery', params: { cityIds: [cityId] } }, token),
  cities: (token?: string) => call<City[]>('/api/cities', undefined, token),
  cityStats: (token?: string) => call<CityStats[]>('/api/cities/stats', undefined, token),
  sources: (token?: string) => call<SourceHealth[]>('/api/sources', undefined, token),
  unquarantine: (id: string, token: string) =>
    post<UnquarantineResult>(`/api/sources/${encodeURIComponent(id)}/unquarantine`, undefined, token),
  /** `query` as URL search parameters; the cursor of the page before, if any. */
  events: (query: URLSearchParams, cursor?: string | null) => {
    const qs = new URLSearchParams(query);
    if (cursor) qs.set('cursor', cursor);
    return call<EventPage>(`/api/events?${qs}`);
  },
  /** The filters GET /api/events takes, read from the API's own OpenAPI document. */
  eventFilters: async () => {
    const doc = await call<OpenApiDocument>('/api/openapi.json');
    return (doc.paths['/api/events']?.get?.parameters ?? []).filter((p) => p.in === 'query' && p.name !== 'cursor');
  },
  review: (limit = 50, token?: string) => call<{ items: ReviewItem[] }>(`/api/review?limit=${limit}`, undefined, token),
  decideReview: (pairId: string, decision: 'same' | 'different', token: string) =>
    post<ReviewDecisionResult>(`/api/review/${encodeURIComponent(pairId)}`, { decision }, token),
  retry: (taskId: string, token: string) =>
    post<{ taskId: string; jobId: string }>(`/api/dead-letters/${encodeURIComponent(taskId)}/retry`, undefined, token),
  dismiss: (taskId: string, token: string) =>
    change<{ taskId: string; dismissed: true }>('DELETE', `/api/dead-letters/${encodeURIComponent(taskId)}`, undefined, token),
};

/** Poll interval: 5 s, or `?refresh=ms` (e2e tests use 500). */
export function refreshInterval(search: string = location.search): number {
  const value = Number(new URLSearchParams(search).get('refresh'));
  if (!Number.isFinite(value) || value <= 0) return 5000;
  return Math.min(Math.max(value, 250), 600_000);
}
