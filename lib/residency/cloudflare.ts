import {
  PERSONAL_DATA_PATH_PREFIXES,
  PUBLIC_CATALOG_PATH_PREFIXES,
} from '../../lambdas/core/data-classification';
import { CLOUDFLARE_RESIDENCY } from '../topology/cdn';
import type { Zone } from '../topology/model';
import { zoneOfApiHost } from './cdn';
import { ExpressionError, parseExpression, type SampleRequest, type Truth } from './cloudflare-expressions';
import type { Inventory, InventoryResource } from './inventory';
import { terraformReference, terraformString } from './terraform';

/**
 * What Cloudflare fronts, read from its Terraform JSON: per load-balanced
 * hostname, the origins behind it (attributed to topology zones), which paths
 * reach an origin past the zone's firewall rules, which paths the cache rules
 * cache, the Regional Services region, and where the hostname's request logs
 * go. The same questions the CloudFront reader (cdn.ts) answers from
 * CloudFormation.
 */

export const CLOUDFLARE_TYPES = {
  loadBalancer: 'cloudflare_load_balancer',
  pool: 'cloudflare_load_balancer_pool',
  ruleset: 'cloudflare_ruleset',
  regionalHostname: 'cloudflare_regional_hostname',
  logpushJob: 'cloudflare_logpush_job',
  r2Bucket: 'cloudflare_r2_bucket',
} as const;

export type CloudflareOriginKind = 'zone-api' | 'external' | 'unresolved';

export interface CloudflareOrigin {
  readonly pool: string;
  /** The host the origin is reached as (its Host header override, else its address). */
  readonly host: string;
  readonly kind: CloudflareOriginKind;
  readonly zone?: Zone;
  readonly region?: string;
}

export interface CloudflareLogDestination {
  readonly job: InventoryResource;
  readonly destination: string;
  /** `r2`: an R2 bucket (jurisdiction decides where it is); `s3`: an AWS S3 bucket in `region`. */
  readonly kind: 'r2' | 's3' | 'external';
  readonly bucket?: string;
  readonly jurisdiction?: string;
  readonly region?: string;
  /** Human wording for the report, e.g. "R2 bucket x (jurisdiction eu)". */
  readonly location: string;
  /** A problem with the destination itself (e.g. an R2 endpoint's jurisdiction differs from the bucket's). */
  readonly inconsistency?: string;
}

export interface CloudflarePathVerdict {
  readonly path: string;
  readonly method: string;
  /** The request reaches an origin: no firewall rule blocks it for certain. */
  readonly reachesOrigin: boolean;
  /** The cache rules cache it (`unknown` when an expression could not be followed). */
  readonly cached: Truth;
}

export interface CloudflareFront {
  readonly loadBalancer: InventoryResource;
  readonly hostname: string;
  readonly origins: readonly CloudflareOrigin[];
  /** Regional Services region key of the hostname, if any. */
  readonly regionKey?: string;
  /** Public, health and static samples: what the hostname serves, for the report. */
  readonly served: readonly CloudflarePathVerdict[];
  /** Personal-data samples that reach an origin or are cached: each one is a violation. */
  readonly personalExposures: readonly CloudflarePathVerdict[];
  readonly logs: readonly CloudflareLogDestination[];
  /** Expressions that could not be parsed at all. */
  readonly unreadable: readonly string[];
}

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Personal-data requests every CDN hostname is tested with. */
export function personalDataSamples(): SampleRequest[] {
  return PERSONAL_DATA_PATH_PREFIXES.flatMap((prefix) =>
    [prefix, `${prefix}/`, `${prefix}/sample-id`].flatMap((path) =>
      ALL_METHODS.map((method) => ({ host: '', path, method })),
    ),
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Raw Terraform value of a zone id: a literal id or a reference; both sides compare as written. */
const zoneKey = (resource: InventoryResource) => JSON.stringify(resource.properties.zone_id ?? null);

interface CompiledRule {
  readonly action: string;
  readonly enabled: boolean;
  readonly matches: (request: SampleRequest) => Truth;
  readonly cache?: boolean;
}

function compileRules(
  rulesets: readonly InventoryResource[],
  phase: string,
  unreadable: string[],
): CompiledRule[] {
  return rulesets
    .filter((r) => r.properties.phase === phase)
    .flatMap((r) =>
      list(r.properties.rules)
        .filter(isRecord)
        .map((rule): CompiledRule => {
          const expression = String(rule.expression ?? '');
          let matches: (request: SampleRequest) => Truth;
          try {
            matches = parseExpression(expression);
          } catch (error) {
            if (!(error instanceof ExpressionError)) throw error;
            unreadable.push(`${r.constructPath}: ${expression}`);
            matches = () => 'unknown';
          }
          const parameters = isRecord(rule.action_parameters) ? rule.action_parameters : {};
          return {
            action: String(rule.action ?? ''),
            enabled: rule.enabled !== false,
            matches,
            ...(typeof parameters.cache === 'boolean' ? { cache: parameters.cache } : {}),
          };
        }),
    );
}

/** Blocked for certain: a block rule matches before any skip rule may apply. Unknown is not blocked. */
function blocked(rules: readonly CompiledRule[], request: SampleRequest): boolean {
  for (const rule of rules.filter((r) => r.enabled)) {
    const match = rule.matches(request);
    if (rule.action === 'skip' && match !== false) return false;
    if (rule.action === 'block' && match === true) return true;
  }
  return false;
}

/** The cache decision after every matching cache rule (later rules override earlier ones). */
function cached(rules: readonly CompiledRule[], request: SampleRequest): Truth {
  let decision: Truth = false;
  for (const rule of rules.filter(
    (r) => r.enabled && r.action === 'set_cache_settings' && r.cache !== undefined,
  )) {
    const match = rule.matches(request);
    if (match === true) decision = rule.cache!;
    else if (match === 'unknown' && rule.cache) decision = decision === true ? true : 'unknown';
  }
  return decision;
}

function originsOf(loadBalancer: InventoryResource, inventory: Inventory): CloudflareOrigin[] {
  const p = loadBalancer.properties;
  const poolRefs = [
    ...list(p.default_pools),
    p.fallback_pool,
    ...[p.region_pools, p.country_pools, p.pop_pools].flatMap((map) =>
      isRecord(map) ? Object.values(map).flatMap(list) : [],
    ),
  ];
  const addresses = [...new Set(poolRefs.map((ref) => terraformReference(ref) ?? JSON.stringify(ref)))];
  return addresses.flatMap((address): CloudflareOrigin[] => {
    const pool = inventory.terraformResources.find(
      (r) => r.stack === loadBalancer.stack && r.logicalId === address && r.type === CLOUDFLARE_TYPES.pool,
    );
    if (!pool) return [{ pool: address, host: `pool ${address}`, kind: 'unresolved' }];
    return list(pool.properties.origins)
      .filter(isRecord)
      .map((origin): CloudflareOrigin => {
        const headerHost = isRecord(origin.header) ? list(origin.header.host)[0] : undefined;
        const host =
          terraformString(headerHost, pool, inventory.terraformResources) ??
          terraformString(origin.address, pool, inventory.terraformResources);
        if (!host) return { pool: pool.logicalId, host: JSON.stringify(origin.address), kind: 'unresolved' };
        const zone = zoneOfApiHost(host, inventory.model.zones);
        const cell = zone?.cells.find((c) => c.apiDomainName === host);
        return {
          pool: pool.logicalId,
          host,
          kind: zone ? 'zone-api' : 'external',
          ...(zone ? { zone } : {}),
          ...(cell ? { region: cell.region } : {}),
        };
      });
  });
}

const R2_ENDPOINT = /^[0-9a-f]{32}(?:\.([a-z]+))?\.r2\.cloudflarestorage\.com$/;

function logDestination(job: InventoryResource, inventory: Inventory): CloudflareLogDestination {
  const raw = String(job.properties.destination_conf ?? '');
  // The secret query parameters are Terraform variables: never echo them into a report.
  const destination = raw.replace(/(secret-access-key|access-key-id)=[^&]*/g, '$1=***');
  const buckets = inventory.terraformResources.filter(
    (r) => r.stack === job.stack && r.type === CLOUDFLARE_TYPES.r2Bucket,
  );
  const declaredJurisdiction = (bucket: string) =>
    buckets.find((b) => terraformString(b.properties.name, b, inventory.terraformResources) === bucket)
      ?.properties.jurisdiction;
  const match = /^([a-z0-9]+):\/\/([^/?]+)[^?]*(?:\?(.*))?$/.exec(raw);
  if (!match)
    return { job, destination, kind: 'external', location: `unrecognised destination ${destination}` };
  const [, scheme, bucket, query] = match as unknown as [string, string, string, string | undefined];
  const params = new URLSearchParams(query ?? '');
  if (scheme === 'r2') {
    const jurisdiction = declaredJurisdiction(bucket);
    return typeof jurisdiction === 'string'
      ? {
          job,
          destination,
          kind: 'r2',
          bucket,
          jurisdiction,
          location: `R2 bucket ${bucket} (jurisdiction ${jurisdiction})`,
        }
      : {
          job,
          destination,
          kind: 'r2',
          bucket,
          location: `R2 bucket ${bucket} (jurisdiction not declared here)`,
        };
  }
  if (scheme === 's3') {
    const endpoint = params.get('endpoint');
    if (!endpoint) {
      const region = params.get('region') ?? undefined;
      return {
        job,
        destination,
        kind: 's3',
        bucket,
        ...(region ? { region } : {}),
        location: `S3 bucket ${bucket} in ${region ?? 'an unnamed region'}`,
      };
    }
    const r2 = R2_ENDPOINT.exec(endpoint);
    if (r2) {
      const jurisdiction = r2[1] ?? 'default';
      const declared = declaredJurisdiction(bucket);
      const declaredText = typeof declared === 'string' ? declared : 'default';
      return {
        job,
        destination,
        kind: 'r2',
        bucket,
        jurisdiction,
        location: `R2 bucket ${bucket} (jurisdiction ${jurisdiction})`,
        ...(buckets.length > 0 && declared !== undefined && declaredText !== jurisdiction
          ? {
              inconsistency: `the endpoint is R2 jurisdiction ${jurisdiction} but bucket ${bucket} is declared in jurisdiction ${declaredText}`,
            }
          : {}),
      };
    }
    return { job, destination, kind: 'external', bucket, location: `S3-compatible store ${endpoint}` };
  }
  return { job, destination, kind: 'external', location: `${scheme} destination ${bucket}` };
}

/** The hostnames a Logpush job's filter keeps (`ClientRequestHost in/eq`); undefined: every hostname of its zone. */
function filteredHosts(job: InventoryResource): readonly string[] | undefined {
  const text = job.properties.filter;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  let filter: unknown;
  try {
    filter = JSON.parse(text);
  } catch {
    return undefined;
  }
  const where = isRecord(filter) ? filter.where : undefined;
  const clauses = isRecord(where) && Array.isArray(where.and) ? where.and : [where];
  for (const clause of clauses) {
    if (!isRecord(clause) || clause.key !== 'ClientRequestHost') continue;
    if (clause.operator === 'in' && Array.isArray(clause.value)) return clause.value.map(String);
    if (clause.operator === 'eq' && typeof clause.value === 'string') return [clause.value];
  }
  return undefined;
}

function regionKeyOf(hostname: string, zoneKeyValue: string, regional: readonly InventoryResource[]) {
  const covers = (pattern: string) => {
    if (pattern === hostname) return true;
    if (!pattern.startsWith('*.')) return false;
    // A wildcard regional hostname covers exactly one label.
    const suffix = pattern.slice(1);
    return hostname.endsWith(suffix) && !hostname.slice(0, -suffix.length).includes('.');
  };
  const found = regional.find(
    (r) =>
      zoneKey(r) === zoneKeyValue &&
      typeof r.properties.hostname === 'string' &&
      covers(r.properties.hostname),
  );
  return typeof found?.properties.region_key === 'string' ? found.properties.region_key : undefined;
}

/** Every Cloudflare load-balanced hostname of the inventory's Terraform JSON, with what it fronts. */
export function cloudflareFronts(inventory: Inventory): CloudflareFront[] {
  const tf = inventory.terraformResources;
  const ofType = (type: string) => tf.filter((r) => r.type === type);
  return ofType(CLOUDFLARE_TYPES.loadBalancer).map((loadBalancer) => {
    const hostname = String(loadBalancer.properties.name ?? loadBalancer.logicalId);
    const key = zoneKey(loadBalancer);
    const inZone = (r: InventoryResource) => r.stack === loadBalancer.stack && zoneKey(r) === key;
    const unreadable: string[] = [];
    const rulesets = ofType(CLOUDFLARE_TYPES.ruleset).filter(inZone);
    const firewall = compileRules(rulesets, 'http_request_firewall_custom', unreadable);
    const cache = compileRules(rulesets, 'http_request_cache_settings', unreadable);
    const verdict = (sample: SampleRequest): CloudflarePathVerdict => {
      const request = { ...sample, host: hostname };
      return {
        path: sample.path,
        method: sample.method,
        reachesOrigin: !blocked(firewall, request),
        cached: cached(cache, request),
      };
    };
    const servedSamples = [
      ...PUBLIC_CATALOG_PATH_PREFIXES.map((path) => ({ host: hostname, path, method: 'GET' })),
      { host: hostname, path: inventory.model.config.healthCheck.path, method: 'GET' },
      { host: hostname, path: '/index.html', method: 'GET' },
    ];
    const logs = ofType(CLOUDFLARE_TYPES.logpushJob)
      .filter(inZone)
      .filter((job) => filteredHosts(job)?.includes(hostname) ?? true)
      .map((job) => logDestination(job, inventory));
    const regionKey = regionKeyOf(hostname, key, ofType(CLOUDFLARE_TYPES.regionalHostname).filter(inZone));
    return {
      loadBalancer,
      hostname,
      origins: originsOf(loadBalancer, inventory),
      ...(regionKey ? { regionKey } : {}),
      served: servedSamples.map(verdict),
      personalExposures: personalDataSamples()
        .map(verdict)
        .filter((v) => v.reachesOrigin || v.cached !== false),
      logs,
      unreadable,
    };
  });
}

/** Whether a log destination keeps a zone's logs where its residency says (R2 jurisdiction or the zone's own regions). */
export function logDestinationWithinZone(destination: CloudflareLogDestination, zone: Zone): boolean {
  if (zone.sovereign) return false;
  if (zone.residency === 'none') return true;
  if (destination.inconsistency) return false;
  if (destination.kind === 'r2') {
    return destination.jurisdiction === CLOUDFLARE_RESIDENCY[zone.residency].logJurisdiction;
  }
  if (destination.kind === 's3')
    return destination.region !== undefined && zone.regions.includes(destination.region);
  return false;
}

/** The Regional Services key a hostname of this zone needs; undefined when its residency needs none. */
export function requiredRegionKey(zone: Zone): string | undefined {
  return CLOUDFLARE_RESIDENCY[zone.residency].regionalServicesKey;
}
