import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * SSRF guard for subscriber URLs. A webhook URL is chosen by a tenant, so the
 * dispatcher must never be turned into a proxy towards the cell's own network:
 * every address a host name resolves to is checked, at registration and again
 * at delivery time (the production HTTP client pins the checked address, see
 * http-client.ts, so DNS rebinding between check and connect does not work).
 *
 * cloud mode: https only; loopback, private, link-local, metadata and other
 * special-purpose ranges refused. local mode (the local topology): the same,
 * except loopback on the ports the local topology lists (its webhook sink),
 * over plain http too. Any other loopback port (the edge's /control API,
 * DynamoDB Local, the cells) is refused.
 */

/** Loopback ports a webhook may target locally: the local topology's sink port(s), from its port plan. */
export interface LocalNetwork {
  readonly kind: 'local';
  readonly loopbackPorts: readonly number[];
}
export type NetworkMode = 'cloud' | LocalNetwork;

export function localNetwork(loopbackPorts: readonly number[]): LocalNetwork {
  return { kind: 'local', loopbackPorts: [...loopbackPorts] };
}

/** All addresses of a host name (A and AAAA). Injected in tests. */
export type Resolver = (hostname: string) => Promise<readonly string[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

type Category = 'loopback' | 'private' | 'link-local' | 'metadata' | 'reserved';
type Family = 'ipv4' | 'ipv6';

/**
 * THE list of refused ranges. node:net's BlockList does the prefix matching
 * (no hand-written address parsing). ipaddr.js was considered: its named
 * ranges lack IPv4-compatible `::/96` and site-local `fec0::/10`, so a list
 * like this one would be needed beside it anyway.
 * Addresses that embed an IPv4 address are refused as a whole (IPv4-mapped,
 * IPv4-compatible, NAT64, 6to4, Teredo): the embedded address may be anything.
 */
const RANGES: ReadonlyArray<readonly [string, number, Family, Category]> = [
  ['169.254.169.254', 32, 'ipv4', 'metadata'],
  ['169.254.170.2', 32, 'ipv4', 'metadata'], // ECS task metadata
  ['fd00:ec2::254', 128, 'ipv6', 'metadata'], // EC2 IMDS over IPv6
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'private'], // carrier-grade NAT
  ['fc00::', 7, 'ipv6', 'private'], // unique local
  ['fec0::', 10, 'ipv6', 'private'], // site-local (deprecated, still routed inside some networks)
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['0.0.0.0', 8, 'ipv4', 'reserved'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.0.2.0', 24, 'ipv4', 'reserved'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['198.51.100.0', 24, 'ipv4', 'reserved'],
  ['203.0.113.0', 24, 'ipv4', 'reserved'],
  ['224.0.0.0', 3, 'ipv4', 'reserved'], // multicast + 240/4 + broadcast
  ['::', 96, 'ipv6', 'reserved'], // unspecified and IPv4-compatible (::a.b.c.d, e.g. [::169.254.169.254])
  ['::ffff:0:0', 96, 'ipv6', 'reserved'], // IPv4-mapped (::ffff:a.b.c.d)
  ['::ffff:0:0:0', 96, 'ipv6', 'reserved'], // IPv4-translated (RFC 6145)
  ['64:ff9b::', 96, 'ipv6', 'reserved'], // NAT64 can reach any IPv4 address
  ['64:ff9b:1::', 48, 'ipv6', 'reserved'], // local-use NAT64 (RFC 8215)
  ['100::', 64, 'ipv6', 'reserved'], // discard-only
  ['2001::', 23, 'ipv6', 'reserved'], // IETF protocol assignments, Teredo (2001::/32) included
  ['2001:db8::', 32, 'ipv6', 'reserved'],
  ['2002::', 16, 'ipv6', 'reserved'], // 6to4, same reason as NAT64
  ['ff00::', 8, 'ipv6', 'reserved'],
];

/** Category order when ranges overlap: the most specific meaning wins (::1 is loopback, not reserved). */
const ORDER: readonly Category[] = ['metadata', 'loopback', 'private', 'link-local', 'reserved'];

// One BlockList per category and family. An address is checked only against its own family's lists:
// BlockList matches a plain IPv4 address against IPv4-mapped IPv6 subnets, so a mixed list would
// classify every IPv4 address as reserved.
const lists = new Map<`${Category}/${Family}`, BlockList>();
for (const [network, prefix, family, category] of RANGES) {
  const key = `${category}/${family}` as const;
  const list = lists.get(key) ?? new BlockList();
  list.addSubnet(network, prefix, family);
  lists.set(key, list);
}

/** `public` or the special-purpose category of an IP address. */
export function classifyAddress(address: string): Category | 'public' {
  const version = isIP(address);
  if (version === 0) return 'reserved';
  const family: Family = version === 4 ? 'ipv4' : 'ipv6';
  for (const category of ORDER)
    if (lists.get(`${category}/${family}`)?.check(address, family)) return category;
  return 'public';
}

/** The port a URL connects to (its explicit port, else the scheme's default). */
export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Why a connection to `address:port` is refused, or undefined when it is allowed. */
export function refusalOf(address: string, port: number, mode: NetworkMode): string | undefined {
  const category = classifyAddress(address);
  if (category === 'public') return undefined;
  if (mode !== 'cloud' && category === 'loopback') {
    if (mode.loopbackPorts.includes(port)) return undefined;
    return `resolves to a loopback address (${address}) on port ${port}, which is not a webhook target of the local topology (allowed loopback ports: ${mode.loopbackPorts.join(', ') || 'none'})`;
  }
  return `resolves to a ${category} address (${address})`;
}

export class UnsafeUrlError extends Error {
  override name = 'UnsafeUrlError';
}

export interface UrlCheckOptions {
  readonly mode: NetworkMode;
  readonly resolve?: Resolver;
}

/**
 * Resolves the URL's host and throws `UnsafeUrlError` (a message safe to show
 * the caller) unless every address is allowed. Returns the addresses.
 */
export async function assertSafeUrl(rawUrl: string, options: UrlCheckOptions): Promise<readonly string[]> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UnsafeUrlError('not a valid absolute URL');
  }
  if (url.username || url.password) throw new UnsafeUrlError('credentials in the URL are not allowed');
  const isHttps = url.protocol === 'https:';
  if (!isHttps && !(options.mode !== 'cloud' && url.protocol === 'http:')) {
    throw new UnsafeUrlError('the URL must use https');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: readonly string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch {
      throw new UnsafeUrlError(`host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0) throw new UnsafeUrlError(`host ${host} does not resolve`);
  const port = portOf(url);
  for (const address of addresses) {
    const refusal = refusalOf(address, port, options.mode);
    if (refusal) throw new UnsafeUrlError(`host ${host} ${refusal}; refused`);
    if (!isHttps && classifyAddress(address) !== 'loopback') {
      throw new UnsafeUrlError('plain http is allowed for loopback only (local topology)');
    }
  }
  return addresses;
}
