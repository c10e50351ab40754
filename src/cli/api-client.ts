/**
 * A small fetch wrapper for the HTTP control API. Every failure becomes a coded error whose
 * kind chooses the exit code (errors.ts): no answer is an UnreachableError, an answer that is
 * not a success an HttpError with its status. Commands only handle the happy path.
 */
import { HttpError, UnreachableError, ValidationError } from '../lib/errors.js';
import { unreachable } from './errors.js';

export interface ApiClientOptions {
  baseUrl: string;
  /** sent as `Authorization: Bearer` on changes only; never printed */
  token?: string;
  /** per request; default 15 s */
  timeoutMs?: number;
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString() ? `?${params}` : '';
    return this.request<T>('GET', `${path}${qs}`);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** True when a SceneScout server answers `/healthz` within `timeoutMs`. */
  async isUp(timeoutMs = 1500): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
      const body = (await res.json().catch(() => null)) as { ok?: unknown } | null;
      return res.ok && body?.ok === true;
    } catch {
      return false;
    }
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // A server with a token needs it for operational reads too. X-Requested-With lets a change
    // without a body (retry) through the server's cross-site check.
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (method !== 'GET') headers['x-requested-with'] = 'scenescout-cli';
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') {
        throw new UnreachableError(this.baseUrl, `the SceneScout server at ${this.baseUrl} did not answer ${method} ${path} within ${this.timeoutMs / 1000} s`);
      }
      throw unreachable(this.baseUrl);
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = text === '' ? null : JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (res.ok) {
      if (data === undefined) throw new HttpError(res.status, `${method} ${path}: the server at ${this.baseUrl} did not answer with JSON; is it a SceneScout server?`);
      return data as T;
    }
    const message = typeof (data as { error?: unknown } | null)?.error === 'string' ? (data as { error: string }).error : `HTTP ${res.status}`;
    throw new HttpError(res.status, this.explain(res.status, message, method));
  }

  private explain(status: number, message: string, method: string): string {
    if (status !== 401) return message;
    return this.token
      ? `the server refused the API token: ${message}`
      : `this ${method === 'GET' ? 'request' : 'change'} needs the API token: pass --token or set SCENESCOUT_API_TOKEN (${message})`;
  }
}

export function normalizeBaseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ValidationError(`invalid API URL ${JSON.stringify(url)}: expected e.g. http://127.0.0.1:3000`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ValidationError(`invalid API URL ${JSON.stringify(url)}: must start with http:// or https://`);
  }
  if (u.username || u.password) throw new ValidationError('the API URL must not carry credentials; pass --token instead');
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}
