/**
 * Which URLs we fetch on a user's behalf (iCalendar feeds, JSON-LD pages, and every redirect
 * they lead to): http(s) only, and only hosts whose every DNS address is a public unicast
 * one. Loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the cloud metadata
 * endpoints, fe80::/10), CGNAT (100.64/10, Alibaba's metadata), unspecified, multicast and
 * reserved addresses are refused, IPv4-mapped IPv6 ones by their IPv4 address. Without this a
 * token holder could point a feed at the metadata service, an internal Postgres, or a
 * redirect to either.
 *
 * `allowPrivate` (SCENESCOUT_ALLOW_PRIVATE_URLS) lifts the address rule for tests and private
 * deployments; the scheme rule always holds.
 */
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

export interface UrlGuardOptions {
  /** Accept loopback, private and link-local addresses (default false). */
  allowPrivate?: boolean;
  /** DNS resolution; default `dns.promises.lookup(host, { all: true })`. */
  resolve?: (host: string) => Promise<string[]>;
}

/** Why a URL may not be fetched, or null when it may. Never throws. */
export type UrlRefusal = 'not an http(s) URL' | 'not a valid URL' | 'address not allowed';

/** True for an address we may connect to on a user's behalf: public unicast only. */
export function isPublicAddress(address: string): boolean {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return false;
  }
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  // 6to4, Teredo and NAT64 (rfc6052) embed an IPv4 address we would have to decode; none of
  // them is a plausible feed host, so they are refused with the rest.
  return ip.range() === 'unicast';
}

/** The scheme rule alone: a parsed http(s) URL, or the refusal. No DNS. */
export function httpUrlOrRefusal(value: string | URL): URL | UrlRefusal {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return 'not a valid URL';
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : 'not an http(s) URL';
}

/**
 * Why `value` may not be fetched, checked after DNS resolution (every address must be public),
 * or null when it may. A host that does not resolve is not refused here: the fetch fails on
 * its own, and a feed whose DNS is briefly down can still be saved.
 */
export async function checkFetchUrl(value: string | URL, options: UrlGuardOptions = {}): Promise<UrlRefusal | null> {
  const url = httpUrlOrRefusal(value);
  if (typeof url === 'string') return url;
  if (options.allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) return isPublicAddress(host) ? null : 'address not allowed';
  // `localhost` and its subdomains resolve to loopback whatever DNS says (RFC 6761).
  if (/(^|\.)localhost\.?$/i.test(host)) return 'address not allowed';
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? resolveAll)(host);
  } catch {
    return null;
  }
  return addresses.every(isPublicAddress) ? null : 'address not allowed';
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}
