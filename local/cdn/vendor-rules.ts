import { isPersonalDataPath, PUBLIC_CATALOG_PATH_PREFIXES } from '../../lambdas/core/data-classification';
import {
  type CatalogCacheTtls,
  type CdnVendor,
  catalogCacheTtls,
  type TopologyModel,
} from '../../lib/topology';
import { type Directives, directiveSeconds } from './cache-control';

/**
 * What each CDN vendor's configuration says, read from the same model fields
 * and data classification the real configurations are built from
 * (lib/constructs/catalog-distribution.ts and lib/stacks/edge-stack.ts for
 * CloudFront, lib/cdn-terraform/cloudflare-edge-stack.ts for Cloudflare):
 * which paths reach a cell, how long an answer stays fresh, how long a dead
 * origin may hold a request. The stand-ins (cdn-stand-in.ts) only apply it.
 */

export const CDN_LABELS: Readonly<Record<CdnVendor, string>> = {
  cloudfront: 'CloudFront',
  cloudflare: 'Cloudflare',
};

/** Methods both vendors let through to a cell: CloudFront's ALLOW_GET_HEAD, Cloudflare's firewall rule. */
export const READ_METHODS: readonly string[] = ['GET', 'HEAD'];

/** How long a CDN waits for a cell (topology `edge.origin`), in real milliseconds: never time-scaled. */
export interface OriginTimeouts {
  readonly connectionAttempts: number;
  readonly connectionTimeoutMs: number;
  readonly readTimeoutMs: number;
}

export function originTimeouts(model: Pick<TopologyModel, 'config'>): OriginTimeouts {
  const { origin } = model.config.edge;
  return {
    connectionAttempts: origin.connectionAttempts,
    connectionTimeoutMs: origin.connectionTimeoutSeconds * 1000,
    readTimeoutMs: origin.readTimeoutSeconds * 1000,
  };
}

/**
 * How long a dead origin may hold a request before a CDN gives up on it:
 * attempts x connection timeout (2 s with the defaults). The topology's own
 * "fail fast" bound; the zone-outage-read-path drill holds writes to it too.
 */
export function deadOriginBoundMs(model: Pick<TopologyModel, 'config'>): number {
  const timeouts = originTimeouts(model);
  return timeouts.connectionAttempts * timeouts.connectionTimeoutMs;
}

/**
 * What a path is to a CDN: the public catalog (cached), the health path
 * (forwarded, never cached), or anything else (refused at the edge; a
 * personal-data path is named as such in the refusal).
 */
export type PathClass = 'catalog' | 'health' | 'personal' | 'other';

export interface FrontedPaths {
  /** Prefixes as CloudFront path patterns `<prefix>*` and Cloudflare's `starts_with` read them. */
  readonly catalogPrefixes: readonly string[];
  readonly healthPath: string;
}

/** The catalog prefixes (data classification) and health path (topology) both vendors front. */
export function frontedPaths(model: Pick<TopologyModel, 'failover'>): FrontedPaths {
  const catalogPrefixes = [...PUBLIC_CATALOG_PATH_PREFIXES];
  const personal = catalogPrefixes.filter(isPersonalDataPath);
  if (personal.length > 0 || isPersonalDataPath(model.failover.healthCheck.path)) {
    throw new Error(
      `CDN stand-in: ${[...personal, model.failover.healthCheck.path].join(', ')} carries personal data and must never be behind a CDN; fix lambdas/core/data-classification.ts or healthCheck.path`,
    );
  }
  return { catalogPrefixes, healthPath: model.failover.healthCheck.path };
}

export function classifyPath(path: string, fronted: FrontedPaths): PathClass {
  if (path === fronted.healthPath) return 'health';
  if (fronted.catalogPrefixes.some((prefix) => path.startsWith(prefix))) return 'catalog';
  return isPersonalDataPath(path) ? 'personal' : 'other';
}

/** The catalog's TTLs (lib/topology `catalogCacheTtls`): CloudFront's cache policy, Cloudflare's edge TTL. */
export function cacheTtls(model: Pick<TopologyModel, 'config'>): CatalogCacheTtls {
  return catalogCacheTtls(model.config.edge);
}

/**
 * Seconds a vendor keeps a 200 catalog answer fresh, or undefined when it
 * must not store it.
 * - CloudFront: the cache policy's min/default/max TTL. With a minimum of 0 an
 *   origin's `no-store`, `no-cache` or `private` keeps the answer out; `s-maxage`,
 *   else `max-age`, clamped to [min, max]; neither: the default.
 * - Cloudflare: the cache rule's edge TTL `override_origin`: the topology's TTL
 *   whatever max-age says. Whether that override also stores a `no-store` or
 *   `private` answer is not settled by Cloudflare's documentation; the stand-in
 *   does not (the catalog never sends either on a 200).
 */
export function freshSeconds(
  vendor: CdnVendor,
  directives: Directives,
  ttls: CatalogCacheTtls,
): number | undefined {
  if (vendor === 'cloudflare') {
    return directives.has('no-store') || directives.has('private') ? undefined : ttls.defaultSeconds;
  }
  if (ttls.minSeconds === 0 && ['no-store', 'no-cache', 'private'].some((d) => directives.has(d))) {
    return undefined;
  }
  const fromOrigin = directiveSeconds(directives, 's-maxage') ?? directiveSeconds(directives, 'max-age');
  if (fromOrigin === undefined) return ttls.defaultSeconds;
  return Math.min(ttls.maxSeconds, Math.max(ttls.minSeconds, fromOrigin));
}

/**
 * RFC 5861 windows after expiry, from the origin's header: both vendors
 * honour them (CloudFront since May 2023; Cloudflare with origin cache control
 * and serve-stale, as its cache rule sets).
 */
export function staleSeconds(directives: Directives): { whileRevalidate: number; ifError: number } {
  return {
    whileRevalidate: directiveSeconds(directives, 'stale-while-revalidate') ?? 0,
    ifError: directiveSeconds(directives, 'stale-if-error') ?? 0,
  };
}

/** Why an origin could not be used, and the status each vendor answers for it. */
export type OriginFailure = 'refused' | 'connect-timeout' | 'read-timeout' | 'reset';

/**
 * CloudFront: 502 when it cannot connect or the connection breaks, 504 on a
 * timeout. Cloudflare: 521 web server down (refused), 522 connection timed
 * out, 524 a timeout occurred (no answer within the read timeout), 520 for an
 * empty or broken answer.
 */
export const ORIGIN_FAILURE_STATUS: Readonly<Record<CdnVendor, Readonly<Record<OriginFailure, number>>>> = {
  cloudfront: { refused: 502, reset: 502, 'connect-timeout': 504, 'read-timeout': 504 },
  cloudflare: { refused: 521, 'connect-timeout': 522, 'read-timeout': 524, reset: 520 },
};
