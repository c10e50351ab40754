/**
 * The dashboard's calls to the SceneScout HTTP API. Reads are open; changes carry the bearer
 * token the user saved in this browser.
 */
import type { ReviewDecisionResult, ReviewItem } from '../../src/contracts/dedupe.js';
import type { ScheduleDiscoveryResult } from '../../src/contracts/service.js';
import type { DeadLetter, SystemStatus, WorkerSnapshot } from '../../src/contracts/status.js';

export type { DeadLetter, ReviewDecisionResult, ReviewItem, ScheduleDiscoveryResult, SystemStatus, WorkerSnapshot };

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

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: 'application/json', ...init?.headers } });
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

function post<T>(path: string, body: unknown | undefined, token: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return call<T>(path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

export const api = {
  status: () => call<SystemStatus>('/api/spawn?action=status'),
  workers: () => call<WorkerSnapshot[]>('/api/spawn?action=workers'),
  deadLetters: (limit = 20) => call<DeadLetter[]>(`/api/dead-letters?limit=${limit}`),
  spawnWorker: (type: string, token: string) =>
    post<{ workerId: string }>('/api/spawn', { action: 'spawn', params: { type } }, token),
  runDiscovery: (token: string) => post<ScheduleDiscoveryResult>('/api/spawn', { action: 'discovery', params: {} }, token),
  review: (limit = 50) => call<{ items: ReviewItem[] }>(`/api/review?limit=${limit}`),
  decideReview: (pairId: string, decision: 'same' | 'different', token: string) =>
    post<ReviewDecisionResult>(`/api/review/${encodeURIComponent(pairId)}`, { decision }, token),
  retry: (taskId: string, token: string) =>
    post<{ taskId: string; jobId: string }>(`/api/dead-letters/${encodeURIComponent(taskId)}/retry`, undefined, token),
};

/** Poll interval: 5 s, or `?refresh=ms` (e2e tests use 500). */
export function refreshInterval(search: string = location.search): number {
  const value = Number(new URLSearchParams(search).get('refresh'));
  if (!Number.isFinite(value) || value <= 0) return 5000;
  return Math.min(Math.max(value, 250), 600_000);
}
