/**
 * Documents the ics and jsonld clients read: http(s) URLs through the HTTP helper (limiter,
 * timeout, retries), anything else as a local file path or file: URL.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ProviderError, ResponseTooLargeError } from '../errors.js';
import { readTextCapped } from '../read-capped.js';
import type { HttpClient } from './http.js';
import type { SourceId } from './types.js';

export interface LoadedDocument {
  /** the URL (redacted) or absolute path, as reported in events and errors */
  location: string;
  text: string;
}

export function isHttpUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

export async function loadDocument(
  source: SourceId,
  http: HttpClient,
  location: string,
  accept: string,
  signal?: AbortSignal,
): Promise<LoadedDocument> {
  if (isHttpUrl(location)) {
    const res = await http.getText(location, { headers: { accept }, signal });
    return { location: res.url, text: res.body };
  }
  const path = location.startsWith('file:') ? fileURLToPath(location) : resolve(location);
  try {
    return { location: path, text: await readCapped(path, http, signal) };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (err instanceof ResponseTooLargeError) throw err;
    // One category for every reason (ENOENT, EACCES, EISDIR…): the message is stored with the
    // task, and telling them apart would map the host's files. No attempt can fix it.
    throw new ProviderError('ERR_PROVIDER_RESPONSE', `${source}: could not fetch ${path}: unreadable file`, {
      source,
      url: path,
      cause: err,
      retryable: false,
    });
  }
}

/** A local file as UTF-8 text, held to the same cap as a response body. */
function readCapped(path: string, http: HttpClient, signal?: AbortSignal): Promise<string> {
  const stream = Readable.toWeb(createReadStream(path, { signal, highWaterMark: 1024 * 1024 })) as ReadableStream<Uint8Array>;
  return readTextCapped(stream, http.maxBodyBytes, (size) => http.tooLarge(path, size));
}

/**
 * Runs `read` for each document; one document failing is reported through `onError` and does
 * not stop the others, unless every document failed (then the first error is thrown, so the
 * task is retried) or the failure is one that concerns the whole source (budget, abort).
 */
export async function forEachDocument(
  locations: readonly string[],
  read: (location: string) => Promise<void>,
  onError: (location: string, err: unknown) => void,
  isFatal: (err: unknown) => boolean,
): Promise<void> {
  let firstError: unknown;
  let failures = 0;
  for (const location of locations) {
    try {
      await read(location);
    } catch (err) {
      if (isFatal(err)) throw err;
      failures++;
      firstError ??= err;
      onError(location, err);
    }
  }
  if (locations.length > 0 && failures === locations.length) throw firstError;
}

/** True when `err` is the reason of the caller's own abort. */
export function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && err === signal.reason;
}
