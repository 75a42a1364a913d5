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
 * special-purpose ranges refused. local mode (the local topology): loopback is
 * allowed too (the local webhook sink listens on 127.0.0.1), http only there.
 */

export type NetworkMode = 'cloud' | 'local';
/** All addresses of a host name (A and AAAA). Injected in tests. */
export type Resolver = (hostname: string) => Promise<readonly string[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

type Category = 'loopback' | 'private' | 'link-local' | 'metadata' | 'reserved';

const ranges: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6', Category]> = [
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
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['0.0.0.0', 8, 'ipv4', 'reserved'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.0.2.0', 24, 'ipv4', 'reserved'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['198.51.100.0', 24, 'ipv4', 'reserved'],
  ['203.0.113.0', 24, 'ipv4', 'reserved'],
  ['224.0.0.0', 3, 'ipv4', 'reserved'], // multicast + 240/4 + broadcast
  ['::', 128, 'ipv6', 'reserved'],
  ['64:ff9b::', 96, 'ipv6', 'reserved'], // NAT64 can reach any IPv4 address
  ['2002::', 16, 'ipv6', 'reserved'], // 6to4, same reason
  ['2001:db8::', 32, 'ipv6', 'reserved'],
  ['ff00::', 8, 'ipv6', 'reserved'],
];

const lists = new Map<Category, BlockList>();
for (const [network, prefix, family, category] of ranges) {
  const list = lists.get(category) ?? new BlockList();
  list.addSubnet(network, prefix, family);
  lists.set(category, list);
}
const ORDER: readonly Category[] = ['metadata', 'loopback', 'private', 'link-local', 'reserved'];
// IPv4-mapped IPv6 (::ffff:a.b.c.d) is refused outright rather than re-parsed. Kept apart because
// BlockList also matches plain IPv4 addresses against an IPv4-mapped subnet.
const mapped = new BlockList();
mapped.addSubnet('::ffff:0:0', 96, 'ipv6');

/** `public` or the special-purpose category of an IP address. */
export function classifyAddress(address: string): Category | 'public' {
  const family = isIP(address);
  if (family === 0) return 'reserved';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (type === 'ipv6' && mapped.check(address, 'ipv6')) return 'reserved';
  for (const category of ORDER) if (lists.get(category)?.check(address, type)) return category;
  return 'public';
}

export function addressAllowed(address: string, mode: NetworkMode): boolean {
  const category = classifyAddress(address);
  return category === 'public' || (mode === 'local' && category === 'loopback');
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
  if (!isHttps && !(options.mode === 'local' && url.protocol === 'http:')) {
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
  for (const address of addresses) {
    const category = classifyAddress(address);
    if (!addressAllowed(address, options.mode)) {
      throw new UnsafeUrlError(`host ${host} resolves to a ${category} address (${address}); refused`);
    }
    if (!isHttps && category !== 'loopback') {
      throw new UnsafeUrlError('plain http is allowed for loopback only (local topology)');
    }
  }
  return addresses;
}
