/**
 * The Cache-Control directives of an origin answer, as the CDN stand-ins read
 * them (RFC 9111 section 5.2 syntax: comma-separated `name` or `name=value`,
 * names case-insensitive, a quoted value unquoted).
 *
 * Hand-written rather than a library such as http-cache-semantics: the
 * stand-ins need the directives, not an RFC 9111 cache. What a CDN does with
 * them is its configuration's business (CloudFront clamps max-age to the cache
 * policy, Cloudflare's edge TTL overrides it; see vendor-rules.ts), which a
 * generic cache would decide differently.
 */

export type Directives = ReadonlyMap<string, string | true>;

export function parseCacheControl(header: string | null | undefined): Directives {
  const directives = new Map<string, string | true>();
  for (const part of (header ?? '').split(',')) {
    const [rawName, ...rest] = part.split('=');
    const name = rawName?.trim().toLowerCase();
    if (!name) continue;
    const value = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    // The first occurrence wins, as RFC 9111 advises for a duplicated directive.
    if (!directives.has(name)) directives.set(name, rest.length > 0 ? value : true);
  }
  return directives;
}

/** A delta-seconds directive (`max-age=60`), or undefined when absent or not a non-negative integer. */
export function directiveSeconds(directives: Directives, name: string): number | undefined {
  const value = directives.get(name);
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
}
