/**
 * Keeps secrets out of logs and errors. Two layers, because either alone leaks:
 * query parameters and `Bearer` tokens are masked by pattern (covers secrets we were not told
 * about, e.g. a private calendar URL's `?token=`), and the client's own key is masked by value
 * (covers a provider echoing it back in an error body).
 */

/** Query parameters whose values are secrets. */
const SECRET_NAMES = 'api[-_]?key|key|token|access[-_]?token|auth|authorization|client[-_]?secret|secret|signature|sig|password|pwd';
const SECRET_PARAMS = new RegExp(`^(?:${SECRET_NAMES})$`, 'i');
const SECRET_PARAM_IN_TEXT = new RegExp(`([?&;](?:${SECRET_NAMES})=)[^&\\s#"'<>]*`, 'gi');
/**
 * What either function below could mask: a secret parameter, a percent-encoded parameter name
 * (URLSearchParams decodes it before the name is checked), userinfo, or a Bearer token.
 */
const MAY_HOLD_SECRET = new RegExp(`[?&;](?:${SECRET_NAMES})=|[?&;][^=&#\\s"]*%|://[^/?#\\s"]*@|\\bBearer\\s`, 'i');
const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/=-]+/gi;

export const REDACTED = 'REDACTED';

/**
 * False when `text` holds nothing redactUrl or redactText would mask, so a caller can skip
 * looking at each string of a large answer (true may still mean nothing to mask).
 */
export function mayHoldSecret(text: string): boolean {
  return MAY_HOLD_SECRET.test(text);
}

/** The URL with secret query values and userinfo replaced; never throws. */
export function redactUrl(input: string | URL): string {
  // The text pass first: URLSearchParams does not split at `;`, so `?a=1;sig=…` is one value to it.
  const text = redactText(String(input));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.username || url.password) {
    url.username = REDACTED;
    url.password = '';
  }
  const parts: string[] = [];
  for (const [name, value] of url.searchParams) {
    const shown = SECRET_PARAMS.test(name) ? REDACTED : value;
    parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(shown)}`);
  }
  url.search = parts.length ? `?${parts.join('&')}` : '';
  return url.toString();
}

/** Masks secret-looking query parameters, Bearer tokens and each literal secret in `text`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(SECRET_PARAM_IN_TEXT, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`);
  for (const secret of secrets) {
    // Very short values would mask unrelated text and are not real keys anyway.
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/**
 * `value` as JSON, with every string that could hold a URL credential redacted: what the API
 * serves. Most answers (a page of events) hold none: then the plain text is kept, and no string
 * is looked at.
 */
export function redactedJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return mayHoldSecret(text) ? JSON.stringify(value, redactStrings) : text;
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
function redactStrings(_key: string, value: unknown): unknown {
  if (typeof value !== 'string' || !mayHoldSecret(value)) return value;
  return URL_LIKE.test(value) && !/\s/.test(value) ? redactUrl(value) : redactText(value);
}

/**
 * A copy of `err` safe to attach as `cause`: scrubbed message and stack, `code`/`name` kept,
 * nested causes dropped (undici causes can carry the request URL).
 */
export function redactError(err: unknown, secrets: readonly string[] = []): Error {
  const source = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(redactText(source.message, secrets));
  copy.name = source.name;
  copy.stack = redactText(source.stack ?? '', secrets);
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
  return copy;
}
