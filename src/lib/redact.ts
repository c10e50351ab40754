/**
 * Keeps secrets out of logs and errors. Two layers, because either alone leaks:
 * query parameters and `Bearer` tokens are masked by pattern (covers secrets we were not told
 * about, e.g. a private calendar URL's `?token=`), and the client's own key is masked by value
 * (covers a provider echoing it back in an error body).
 */

const SECRET_PARAMS = /^(api[-_]?key|key|token|access[-_]?token|auth|authorization|client[-_]?secret|secret|signature|sig|password|pwd)$/i;
const SECRET_PARAM_IN_TEXT =
  /([?&;](?:api[-_]?key|key|token|access[-_]?token|auth|authorization|client[-_]?secret|secret|signature|sig|password|pwd)=)[^&\s#"'<>]*/gi;
const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/=-]+/gi;

export const REDACTED = 'REDACTED';

/** The URL with secret query values and userinfo replaced; never throws. */
export function redactUrl(input: string | URL): string {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    return redactText(String(input));
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
