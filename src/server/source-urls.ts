/**
 * What the API accepts as a feed or page: http(s) URLs whose host is not on a refused address
 * (src/lib/api/url-guard.ts), checked when a city or a discovery task is saved. Local paths
 * and file: URLs are the operator's, from the cities file only. Workers check again at fetch
 * time and on every redirect, since DNS answers can change after the save.
 */
import type { CitySources } from '../contracts/cities.js';
import { checkFetchUrl } from '../lib/api/url-guard.js';
import { ValidationError } from '../lib/errors.js';

export interface SourceUrlOptions {
  /** SCENESCOUT_ALLOW_PRIVATE_URLS: lift the address rule (the scheme rule stays) */
  allowPrivate?: boolean;
}

const WHY = {
  'not a valid URL': 'must be an http(s) URL (local files are allowed only in the cities file)',
  'not an http(s) URL': 'must be an http(s) URL (local files are allowed only in the cities file)',
  'address not allowed': 'resolves to a loopback, private, link-local or metadata address, which is not allowed',
} as const;

/** Throws a ValidationError naming `<what>: <field>.<index>` for the first refused URL. */
export async function assertFetchableUrls(
  what: string,
  lists: Array<[field: string, urls: readonly unknown[] | undefined]>,
  options: SourceUrlOptions = {},
): Promise<void> {
  for (const [field, urls] of lists) {
    for (const [i, url] of (urls ?? []).entries()) {
      if (typeof url !== 'string') throw new ValidationError(`invalid ${what}: ${field}.${i}: must be a string`);
      const refusal = await checkFetchUrl(url, { allowPrivate: options.allowPrivate });
      if (refusal) throw new ValidationError(`invalid ${what}: ${field}.${i}: ${WHY[refusal]}`);
    }
  }
}

export function assertFetchableCitySources(sources: CitySources | undefined, options: SourceUrlOptions = {}, what = 'city'): Promise<void> {
  return assertFetchableUrls(
    what,
    [
      ['sources.ics.feeds', sources?.ics?.feeds],
      ['sources.jsonld.pages', sources?.jsonld?.pages],
    ],
    options,
  );
}

/** A raw discovery task's `parameters.feeds` / `parameters.pages`, when it has them. */
export async function assertFetchableTaskParameters(parameters: Record<string, unknown>, options: SourceUrlOptions = {}): Promise<void> {
  const lists: Array<[string, unknown[] | undefined]> = [];
  for (const key of ['feeds', 'pages'] as const) {
    const v = parameters[key];
    if (v === undefined) continue;
    if (!Array.isArray(v)) throw new ValidationError(`invalid request body: params.task.parameters.${key}: must be an array of http(s) URLs`);
    lists.push([`params.task.parameters.${key}`, v]);
  }
  await assertFetchableUrls('request body', lists, options);
}
