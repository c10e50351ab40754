/**
 * Which URLs we fetch on a user's behalf (iCalendar feeds, JSON-LD pages, and every redirect
 * they lead to): http(s) only, and only hosts whose every DNS address is a public unicast
 * one. Loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the cloud metadata
 * endpoints, fe80::/10), CGNAT (100.64/10, Alibaba's metadata), unspecified, multicast and
 * reserved addresses are refused, IPv4-mapped IPv6 ones by their IPv4 address. Without this a
 * token holder could point a feed at the metadata service, an internal Postgres, or a
 * redirect to either.
 *
 * The addresses checked are the addresses connected to: `guardedDispatcher` gives fetch a
 * connection pool whose DNS lookup runs the same check (DNS rebinding, below).
 *
 * `allowPrivate` (SCENESCOUT_ALLOW_PRIVATE_URLS) lifts the address rule for tests and private
 * deployments; the scheme rule always holds.
 */
import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, type Dispatcher } from 'undici';

export interface UrlGuardOptions {
  /** Accept loopback, private and link-local addresses (default false). */
  allowPrivate?: boolean;
  /** DNS resolution; default `dns.promises.lookup(host, { all: true })`. Tests pass their own. */
  resolve?: HostResolver;
}

/** A host name's addresses, as `dns.lookup` would answer them. */
export type HostResolver = (host: string) => Promise<string[]>;

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
  if (isLocalhostName(host)) return 'address not allowed';
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? resolveAll)(host);
  } catch {
    return null;
  }
  return addresses.every(isPublicAddress) ? null : 'address not allowed';
}

/** `localhost` and its subdomains resolve to loopback whatever DNS says (RFC 6761). */
function isLocalhostName(host: string): boolean {
  return /(^|\.)localhost\.?$/i.test(host);
}

// ---- connect-time pinning -----------------------------------------------------------------
//
// checkFetchUrl resolves a name and checks its addresses, but a connection resolves the name
// again: a name whose DNS answers a public address to the check and 127.0.0.1 to the connect
// (DNS rebinding) would get through. So the socket's own resolution goes through the guard
// too: the `lookup` below resolves, checks, and hands `net.connect` only the addresses it
// checked. IP literals never reach a lookup; checkFetchUrl refuses those before connecting.
// TLS still verifies the URL's host name: the connector sets `servername` from the host, not
// from the address.

/** Errors the connect-time check raised, recognised again when fetch wraps them. */
const refusedAtConnect = new WeakSet<Error>();

/** A `net.connect` lookup that resolves with the guard's resolver and refuses what it refuses. */
export function guardedLookup(options: UrlGuardOptions): LookupFunction {
  const resolve = options.resolve ?? resolveAll;
  const lookupFn = (hostname: string, hints: { family?: number | string; all?: boolean }, callback: (err: Error | null, address?: unknown, family?: number) => void) => {
    const host = hostname.replace(/^\[|\]$/g, '');
    resolve(host).then(
      (resolved) => {
        if (!options.allowPrivate && (isLocalhostName(host) || !resolved.every(isPublicAddress))) {
          const err = new Error(`${host}: address not allowed`);
          refusedAtConnect.add(err);
          return callback(err);
        }
        const family = hints.family === 'IPv4' ? 4 : hints.family === 'IPv6' ? 6 : Number(hints.family ?? 0);
        const addresses = resolved.filter((a) => isIP(a) !== 0 && (family === 0 || isIP(a) === family));
        if (addresses.length === 0) {
          return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host }));
        }
        if (hints.all) return callback(null, addresses.map((address) => ({ address, family: isIP(address) })));
        callback(null, addresses[0], isIP(addresses[0]!));
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  };
  return lookupFn as unknown as LookupFunction;
}

/** 'address not allowed' when `err` (or one of its causes) is the connect-time check's refusal. */
export function refusalAtConnect(err: unknown): UrlRefusal | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (refusedAtConnect.has(e)) return 'address not allowed';
  }
  return null;
}

/** Agents by their rule; the default resolver's are shared by every client of the process. */
const sharedAgents = new Map<boolean, Agent>();
const agentsByResolver = new WeakMap<HostResolver, Map<boolean, Agent>>();

/**
 * The fetch dispatcher whose connections go only to addresses the guard checked (all of them
 * when `allowPrivate`). Pooled connections are reused: each was checked when it was opened.
 */
export function guardedDispatcher(options: UrlGuardOptions): Dispatcher {
  const allowPrivate = options.allowPrivate === true;
  let agents = sharedAgents;
  if (options.resolve) {
    agents = agentsByResolver.get(options.resolve) ?? new Map();
    agentsByResolver.set(options.resolve, agents);
  }
  let agent = agents.get(allowPrivate);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup({ allowPrivate, resolve: options.resolve }) } });
    agents.set(allowPrivate, agent);
  }
  return agent;
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}
