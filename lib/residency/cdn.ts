import { CachePolicy } from 'aws-cdk-lib/aws-cloudfront';
import { isPersonalDataPath, PERSONAL_DATA_PATH_PREFIXES } from '../../lambdas/core/data-classification';
import type { Zone } from '../topology/model';
import { REGIONS } from '../topology/regions';
import { localReference, resolveString } from './intrinsics';
import { type Inventory, type InventoryResource, sameStackResource } from './inventory';
import { stackScope } from './replication';

/**
 * What a CloudFront distribution fronts: per cache behaviour, the path
 * pattern, whether it can route a personal-data path, and the origins it
 * forwards to, each attributed to a topology zone where the template allows.
 */

/** `external`: a literal host that belongs to no zone of the topology (e.g. a static-asset host). */
export type OriginKind = 'zone-api' | 's3' | 'regional-endpoint' | 'external' | 'unresolved';

export interface CdnOrigin {
  readonly id: string;
  readonly domain: string;
  readonly kind: OriginKind;
  readonly originPath?: string;
  readonly zone?: Zone;
  readonly region?: string;
  /** The S3 bucket of the assembly behind an S3 origin, when it is one. */
  readonly bucket?: InventoryResource;
}

/** CloudFront's managed CachingDisabled policy: a behaviour with it forwards every request and caches nothing. */
export const CLOUDFRONT_CACHING_DISABLED_POLICY_ID = CachePolicy.CACHING_DISABLED.cachePolicyId;

export interface CdnBehavior {
  readonly location: string;
  readonly pathPattern: string;
  readonly isDefault: boolean;
  /** The behaviour caches responses (any cache policy but CachingDisabled). */
  readonly cached: boolean;
  /** The pattern can route one of PERSONAL_DATA_PATH_PREFIXES. */
  readonly routesPersonalData: boolean;
  readonly origins: readonly CdnOrigin[];
}

function globToRegExp(pattern: string): RegExp {
  const normalized = pattern.startsWith('/') || pattern.startsWith('*') ? pattern : `/${pattern}`;
  const body = normalized
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** True when a CloudFront path pattern (`*`, `?` wildcards) matches some personal-data path. */
export function pathPatternRoutesPersonalData(pattern: string, originPath = ''): boolean {
  const regexp = globToRegExp(pattern);
  const samples = PERSONAL_DATA_PATH_PREFIXES.flatMap((prefix) => [prefix, `${prefix}/`, `${prefix}/id`]);
  if (originPath && isPersonalDataPath(originPath)) return true;
  return samples.some((sample) => regexp.test(sample) && isPersonalDataPath(sample));
}

export function zoneOfApiHost(host: string, zones: readonly Zone[]): Zone | undefined {
  return zones.find(
    (zone) =>
      host === zone.subdomain ||
      host.endsWith(`.${zone.subdomain}`) ||
      zone.cells.some((cell) => cell.apiDomainName === host),
  );
}

function regionInHost(host: string): string | undefined {
  return host.split('.').find((label) => Object.hasOwn(REGIONS, label));
}

function zoneOfRegion(region: string, zones: readonly Zone[]): Zone | undefined {
  const candidates = zones.filter((z) => z.regions.includes(region));
  // A region shared by zones: attribute to the most restricted one, so a check errs on the safe side.
  return (
    candidates.find((z) => z.sovereign) ?? candidates.find((z) => z.residency !== 'none') ?? candidates[0]
  );
}

function classifyOrigin(
  origin: Record<string, unknown>,
  distribution: InventoryResource,
  inventory: Inventory,
): CdnOrigin {
  const zones = inventory.model.zones;
  const id = String(origin.Id ?? '');
  const originPath = typeof origin.OriginPath === 'string' ? origin.OriginPath : undefined;
  const common = { id, ...(originPath ? { originPath } : {}) };
  const local = localReference(origin.DomainName);
  if (local) {
    const bucket = sameStackResource(inventory, distribution, local.logicalId);
    if (bucket?.type === 'AWS::S3::Bucket') {
      return {
        ...common,
        domain: `${local.logicalId}.${local.attribute}`,
        kind: 's3',
        bucket,
        ...(bucket.zone ? { zone: bucket.zone } : {}),
        ...(bucket.stack.region ? { region: bucket.stack.region } : {}),
      };
    }
  }
  const host = resolveString(origin.DomainName, stackScope(distribution));
  if (!host) return { ...common, domain: JSON.stringify(origin.DomainName), kind: 'unresolved' };
  const apiZone = zoneOfApiHost(host, zones);
  if (apiZone) {
    const cell = apiZone.cells.find((c) => c.apiDomainName === host);
    return {
      ...common,
      domain: host,
      kind: 'zone-api',
      zone: apiZone,
      ...(cell ? { region: cell.region } : {}),
    };
  }
  const region = regionInHost(host);
  if (region) {
    const zone = zoneOfRegion(region, zones);
    const bucket = inventory.resources.find(
      (r) =>
        r.type === 'AWS::S3::Bucket' &&
        host.startsWith(`${resolveString(r.properties.BucketName, stackScope(r)) ?? '\u0000'}.s3`),
    );
    return {
      ...common,
      domain: host,
      kind: host.includes('.s3.') || host.includes('.s3-') ? 's3' : 'regional-endpoint',
      region,
      ...(zone ? { zone } : {}),
      ...(bucket ? { bucket } : {}),
    };
  }
  return { ...common, domain: host, kind: 'external' };
}

interface DistributionConfig {
  Origins?: Record<string, unknown>[];
  OriginGroups?: { Items?: { Id?: string; Members?: { Items?: { OriginId?: string }[] } }[] };
  DefaultCacheBehavior?: { TargetOriginId?: string; CachePolicyId?: unknown };
  CacheBehaviors?: { PathPattern?: string; TargetOriginId?: string; CachePolicyId?: unknown }[];
}

export function cdnBehaviors(distribution: InventoryResource, inventory: Inventory): CdnBehavior[] {
  const config = (distribution.properties.DistributionConfig ?? {}) as DistributionConfig;
  const origins = new Map(
    (config.Origins ?? []).map((o) => [String(o.Id), classifyOrigin(o, distribution, inventory)]),
  );
  const groups = new Map(
    (config.OriginGroups?.Items ?? []).map((g) => [
      String(g.Id),
      (g.Members?.Items ?? []).map((m) => String(m.OriginId)),
    ]),
  );
  const resolveTarget = (targetId: string | undefined): CdnOrigin[] => {
    const ids = groups.get(String(targetId)) ?? [String(targetId)];
    return ids.map(
      (id) => origins.get(id) ?? { id, domain: `unknown origin ${id}`, kind: 'unresolved' as const },
    );
  };
  const behavior = (
    location: string,
    pathPattern: string,
    isDefault: boolean,
    targetId: string | undefined,
    cachePolicyId: unknown,
  ): CdnBehavior => {
    const targets = resolveTarget(targetId);
    return {
      location,
      pathPattern,
      isDefault,
      cached: cachePolicyId !== CLOUDFRONT_CACHING_DISABLED_POLICY_ID,
      routesPersonalData: targets.some((o) => pathPatternRoutesPersonalData(pathPattern, o.originPath)),
      origins: targets,
    };
  };
  return [
    ...(config.DefaultCacheBehavior
      ? [
          behavior(
            'Properties/DistributionConfig/DefaultCacheBehavior',
            '*',
            true,
            config.DefaultCacheBehavior.TargetOriginId,
            config.DefaultCacheBehavior.CachePolicyId,
          ),
        ]
      : []),
    ...(config.CacheBehaviors ?? []).map((b, i) =>
      behavior(
        `Properties/DistributionConfig/CacheBehaviors/${i}`,
        String(b.PathPattern ?? '*'),
        false,
        b.TargetOriginId,
        b.CachePolicyId,
      ),
    ),
  ];
}

/** Where a CloudFront distribution's standard logs go: the bucket and its region, as far as the template says. */
export function cloudFrontLogDestination(
  distribution: InventoryResource,
  inventory: Inventory,
): { readonly bucket: string; readonly region?: string; readonly prefix?: string } | undefined {
  const config = (distribution.properties.DistributionConfig ?? {}) as {
    Logging?: { Bucket?: unknown; Prefix?: unknown };
  };
  if (!config.Logging) return undefined;
  const prefix = typeof config.Logging.Prefix === 'string' ? config.Logging.Prefix : undefined;
  const local = localReference(config.Logging.Bucket);
  const bucket = local ? sameStackResource(inventory, distribution, local.logicalId) : undefined;
  if (bucket) {
    return {
      bucket: bucket.constructPath,
      ...(bucket.stack.region ? { region: bucket.stack.region } : {}),
      ...(prefix ? { prefix } : {}),
    };
  }
  const host = resolveString(config.Logging.Bucket, stackScope(distribution));
  const region = host ? regionInHost(host) : undefined;
  return {
    bucket: host ?? JSON.stringify(config.Logging.Bucket),
    ...(region ? { region } : {}),
    ...(prefix ? { prefix } : {}),
  };
}
