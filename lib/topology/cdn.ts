import type { TopologyModel, Zone } from './model';
import { PARTITION_CAPABILITIES } from './regions';
import type { CdnVendor, Topology, ZoneConfig } from './schema';

/**
 * Which CDN fronts which zone, under which names, and what the second vendor
 * can promise for a residency class. The CDK stacks (CloudFront, Route 53
 * steering), the Terraform app (Cloudflare) and the residency rules all ask
 * these functions; none of them re-derives a hostname.
 */

/** What Cloudflare can keep inside a residency class (its Data Localization Suite, as far as Terraform reaches). */
export interface CloudflareResidency {
  /**
   * Regional Services region key: TLS termination and request processing only in
   * that region's data centres (`cloudflare_regional_hostname.region_key`).
   * Absent: the class needs no restriction.
   */
  readonly regionalServicesKey?: string;
  /** R2 jurisdiction that guarantees where the CDN's request logs are stored (`cloudflare_r2_bucket.jurisdiction`). */
  readonly logJurisdiction: 'default' | 'eu';
  /** Cloudflare regions the load-balancer monitors probe from. Absent: every region. */
  readonly checkRegions?: readonly string[];
}

/** Per residency class: how Cloudflare is configured so the zone's traffic and logs stay where the topology says. */
export const CLOUDFLARE_RESIDENCY: Readonly<Record<ZoneConfig['residency'], CloudflareResidency>> = {
  none: { logJurisdiction: 'default' },
  eu: { regionalServicesKey: 'eu', logJurisdiction: 'eu', checkRegions: ['WEU', 'EEU'] },
};

/** The public hostname label of the catalog read path. */
export const CATALOG_HOSTNAME_LABEL = 'catalog';

/** 5xx answers that make CloudFront retry a GET/HEAD on the zone's secondary cell (origin group failover). */
export const CLOUDFRONT_FAILOVER_STATUS_CODES = [500, 502, 503, 504] as const;

/** TTLs of the public catalog on the CDNs, in seconds. */
export interface CatalogCacheTtls {
  /** CloudFront cache policy minimum: 0, so an origin's `no-store`, `no-cache` or `private` keeps an answer out of the cache. */
  readonly minSeconds: number;
  /** Without a max-age from the origin (CloudFront), and Cloudflare's edge TTL (`override_origin`). */
  readonly defaultSeconds: number;
  /** CloudFront cache policy maximum: an origin's max-age can shorten the TTL, never lengthen it. */
  readonly maxSeconds: number;
}

/** The catalog's cache TTLs from `edge.catalogCacheTtlSeconds`: the CloudFront cache policy and the Cloudflare cache rule read them. */
export function catalogCacheTtls(edge: Pick<Topology['edge'], 'catalogCacheTtlSeconds'>): CatalogCacheTtls {
  return {
    minSeconds: 0,
    defaultSeconds: edge.catalogCacheTtlSeconds,
    maxSeconds: edge.catalogCacheTtlSeconds,
  };
}

/** Suffix Cloudflare serves a partial (CNAME setup) zone's proxied hostnames under. */
export const CLOUDFLARE_CNAME_SUFFIX = 'cdn.cloudflare.net';

/**
 * CloudFront in the edge stack (partition `aws`) can front the zone: not sovereign, and in `aws` itself.
 * CloudFront exists in aws-eusc since 2026-11-23 (PARTITION_CAPABILITIES), but a distribution of the edge
 * stack must never front a cell of another partition; an in-partition CDN there is a separate stack's job.
 */
export function cloudFrontEligible(zone: Zone): boolean {
  return !zone.sovereign && zone.partition === 'aws' && PARTITION_CAPABILITIES[zone.partition].cloudFront;
}

/**
 * The zones a vendor fronts. No vendor fronts a sovereign zone: CloudFront in
 * `aws` is outside its partition, and Cloudflare is outside every AWS partition.
 */
export function cdnZones(model: TopologyModel, vendor: CdnVendor): readonly Zone[] {
  const { edge } = model.config;
  if (vendor === 'cloudfront') return edge.enabled ? model.zones.filter(cloudFrontEligible) : [];
  return edge.cloudflare ? model.zones.filter((zone) => !zone.sovereign) : [];
}

/** The vendors fronting a zone, in the order CDN_VENDORS lists them. */
export function cdnVendorsOf(model: TopologyModel, zone: Zone): readonly CdnVendor[] {
  return (['cloudfront', 'cloudflare'] as const).filter((vendor) => cdnZones(model, vendor).includes(zone));
}

/**
 * Public hostnames of a zone's catalog read path, steered between its CDNs:
 * `catalog.<zone>.<domain>`, and `catalog.<domain>` for the zone serving
 * geography `default`. A bare name belongs to one zone only: a CloudFront alias
 * is unique across all distributions, so `catalog.<domain>` cannot be geolocated
 * between per-zone distributions the way `api.<domain>` is between regional APIs.
 */
export function catalogHostnames(model: TopologyModel, zone: Zone): readonly string[] {
  const own = `${CATALOG_HOSTNAME_LABEL}.${zone.subdomain}`;
  return zone.geographies.includes('default') ? [own, `${CATALOG_HOSTNAME_LABEL}.${model.domain}`] : [own];
}

/**
 * The name a single vendor serves the zone under, whatever the steering does:
 * `<vendor>.<zone>.<domain>`. Route 53 health-checks each CDN through it.
 */
export function cdnVendorHostname(zone: Pick<Zone, 'subdomain'>, vendor: CdnVendor): string {
  return `${vendor}.${zone.subdomain}`;
}

/** Where a partial Cloudflare zone serves a proxied hostname: the CNAME target for it. */
export function cloudflareCnameTarget(hostname: string): string {
  return `${hostname}.${CLOUDFLARE_CNAME_SUFFIX}`;
}
