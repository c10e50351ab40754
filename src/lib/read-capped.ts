/**
 * Reading a body (a provider's response, a client's request) as UTF-8 text without holding more
 * than a cap: the one place that streams, counts and stops. Bodies read with `res.text()` have
 * no bound, and their buffers live outside the V8 heap, where `resourceLimits` do not reach.
 */

/**
 * The stream as text (a BOM dropped, as `res.text()` does). Past `limit` bytes it stops reading,
 * cancels the stream and throws `tooLarge(bytesSeen)`.
 */
export async function readTextCapped(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  tooLarge: (bytesSeen: number) => Error,
): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(size);
    }
    chunks.push(value);
  }
  return decodeUtf8(chunks, size);
}

/** At most the first `limit` characters of the stream's text, the rest left unread (an error body's first words). */
export async function readTextPrefix(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) return decodeUtf8(chunks, size);
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return decodeUtf8(chunks, size).slice(0, limit);
}

function decodeUtf8(chunks: Uint8Array[], size: number): string {
  return new TextDecoder('utf-8').decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
}
