import { CertificatePack } from '@cdktf/provider-cloudflare/lib/certificate-pack';
import { LoadBalancer } from '@cdktf/provider-cloudflare/lib/load-balancer';
import { LoadBalancerMonitor } from '@cdktf/provider-cloudflare/lib/load-balancer-monitor';
import { LoadBalancerPool } from '@cdktf/provider-cloudflare/lib/load-balancer-pool';
import { LogpushJob } from '@cdktf/provider-cloudflare/lib/logpush-job';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { R2Bucket } from '@cdktf/provider-cloudflare/lib/r2-bucket';
import { RegionalHostname } from '@cdktf/provider-cloudflare/lib/regional-hostname';
import { Ruleset, type RulesetRules } from '@cdktf/provider-cloudflare/lib/ruleset';
import { Zone as CloudflareZone } from '@cdktf/provider-cloudflare/lib/zone';
import { ZoneSetting } from '@cdktf/provider-cloudflare/lib/zone-setting';
import { LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { isPersonalDataPath, PUBLIC_CATALOG_PATH_PREFIXES } from '../../lambdas/core/data-classification';
import {
  CLOUDFLARE_RESIDENCY,
  catalogHostnames,
  cdnVendorHostname,
  cdnZones,
  type Cell,
  type TopologyModel,
  type Zone,
} from '../topology';
import { and, hostIn, methodIn, not, or, pathEquals, pathStartsWith } from './expressions';

export interface CloudflareEdgeStackProps {
  readonly model: TopologyModel;
  /**
   * Public API path prefixes Cloudflare may serve and cache.
   * @default PUBLIC_CATALOG_PATH_PREFIXES
   */
  readonly publicPathPrefixes?: readonly string[];
}

export function cloudflareStackName(model: Pick<TopologyModel, 'appName'>): string {
  return `${model.appName}-cdn-cloudflare`;
}

/** R2 bucket of a zone's Cloudflare request logs. */
export function cloudflareLogBucketName(
  model: Pick<TopologyModel, 'appName'>,
  zone: Pick<Zone, 'name'>,
): string {
  return `${model.appName}-cdn-logs-${zone.name}`;
}

/** S3-compatible endpoint of an R2 jurisdiction (Logpush writes a jurisdictional bucket through it). */
export function r2Endpoint(accountId: string, jurisdiction: 'default' | 'eu'): string {
  return jurisdiction === 'default'
    ? `${accountId}.r2.cloudflarestorage.com`
    : `${accountId}.${jurisdiction}.r2.cloudflarestorage.com`;
}

/** Methods Cloudflare forwards to a cell: the catalog is read-only, like CloudFront's catalog behaviour. */
const READ_METHODS = ['GET', 'HEAD'] as const;

/** Terraform names: letters, digits, underscores. */
const tfName = (...parts: readonly string[]) => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');

/**
 * Cloudflare as the second CDN vendor, emitted as Terraform JSON: per fronted
 * zone, one health monitor and one load-balancer pool per cell (primary, then
 * secondary), a load balancer per public hostname failing over between the
 * pools, and the zone's request logs in an R2 bucket of the zone's
 * jurisdiction. Zone-wide: a firewall rule that lets only the public catalog
 * (GET/HEAD) and the health path through, cache rules for the catalog path
 * only, short origin timeouts, and serve-stale on origin errors.
 *
 * Never a sovereign zone (Cloudflare is outside every AWS partition), never a
 * personal-data path. A residency-restricted zone is served through Regional
 * Services (TLS and processing only in the zone's region) and logs to an R2
 * bucket in its jurisdiction.
 */
export class CloudflareEdgeStack extends TerraformStack {
  readonly zones: readonly Zone[];
  readonly hostnames: readonly string[];

  constructor(scope: Construct, id: string, props: CloudflareEdgeStackProps) {
    super(scope, id);
    const { model } = props;
    const config = model.config.edge.cloudflare;
    const publicPathPrefixes = props.publicPathPrefixes ?? PUBLIC_CATALOG_PATH_PREFIXES;
    const zones = cdnZones(model, 'cloudflare');
    const problems: string[] = [];
    if (!config)
      problems.push('model: edge.cloudflare is not set; add it to the topology or do not build this stack');
    if (config && zones.length === 0) {
      problems.push('model: no zone may be fronted by Cloudflare (every zone is sovereign)');
    }
    if (publicPathPrefixes.length === 0) {
      problems.push('publicPathPrefixes: list at least one public path, e.g. PUBLIC_CATALOG_PATH_PREFIXES');
    }
    for (const prefix of publicPathPrefixes) {
      if (!prefix.startsWith('/')) problems.push(`publicPathPrefixes: "${prefix}" must start with /`);
      if (isPersonalDataPath(prefix)) {
        problems.push(`publicPathPrefixes: "${prefix}" carries personal data and must never be behind a CDN`);
      }
    }
    if (problems.length > 0 || !config) throw new Error(`CloudflareEdgeStack ${id}: ${problems.join('; ')}`);

    const { accountId } = config;
    const { healthCheck } = model.config;
    const { origin } = model.config.edge;
    new CloudflareProvider(this, 'cloudflare', {});
    // Relative to the stack's working directory, so the JSON is the same on every machine; use a remote backend in production.
    new LocalBackend(this, { path: `terraform.${id}.tfstate` });

    const zoneId = (() => {
      if ('id' in config.zone) return config.zone.id;
      const created = new CloudflareZone(this, 'zone', {
        account: { id: accountId },
        name: model.domain,
        // Route 53 stays authoritative: Cloudflare serves the hostnames CNAMEd to <name>.cdn.cloudflare.net.
        type: 'partial',
      });
      new TerraformOutput(this, 'zone_verification_key', {
        value: created.verificationKey,
        description:
          'Copy into the topology as edge.cloudflare.verificationKey; the routing stack publishes it',
      });
      return created.id;
    })();

    const hostnamesByZone = new Map(
      zones.map((zone) => [
        zone.name,
        [...catalogHostnames(model, zone), cdnVendorHostname(zone, 'cloudflare')],
      ]),
    );
    const allHostnames = [...hostnamesByZone.values()].flat();

    for (const zone of zones) {
      const residency = CLOUDFLARE_RESIDENCY[zone.residency];
      const pools = zone.cells.map((cell) => {
        const monitor = new LoadBalancerMonitor(this, tfName('monitor', zone.name, cell.role), {
          accountId,
          description: `${model.appName} ${zone.name} ${cell.role} cell (${cell.region}) health`,
          type: 'https',
          method: 'GET',
          path: healthCheck.path,
          // API Gateway routes on the Host header: each cell answers only its own names.
          header: { Host: [cell.apiDomainName] },
          expectedCodes: '200',
          followRedirects: false,
          allowInsecure: false,
          interval: healthCheck.intervalSeconds,
          consecutiveDown: healthCheck.failureThreshold,
          consecutiveUp: healthCheck.failureThreshold,
          timeout: origin.readTimeoutSeconds,
          retries: 0,
        });
        return new LoadBalancerPool(this, tfName('pool', zone.name, cell.role), {
          accountId,
          name: tfName(model.appName, zone.name, cell.role),
          description: `${zone.name} ${cell.role} cell ${cell.region}`,
          origins: [cellOrigin(cell)],
          minimumOrigins: 1,
          monitor: monitor.id,
          ...(residency.checkRegions ? { checkRegions: [...residency.checkRegions] } : {}),
        });
      });
      const [primaryPool, secondaryPool] = pools as [LoadBalancerPool, LoadBalancerPool | undefined];

      for (const hostname of hostnamesByZone.get(zone.name)!) {
        new LoadBalancer(this, tfName('lb', hostname), {
          zoneId,
          name: hostname,
          description: `${zone.name}: public catalog, primary cell then secondary`,
          proxied: true,
          steeringPolicy: 'off',
          defaultPools: pools.map((pool) => pool.id),
          fallbackPool: (secondaryPool ?? primaryPool).id,
          // A connection error (521/522/523) is retried at once on the next pool, before any monitor notices.
          adaptiveRouting: { failoverAcrossPools: true },
          sessionAffinity: 'none',
        });
        if (residency.regionalServicesKey) {
          new RegionalHostname(this, tfName('regional', hostname), {
            zoneId,
            hostname,
            regionKey: residency.regionalServicesKey,
          });
        }
      }

      const bucket = new R2Bucket(this, tfName('logs', zone.name), {
        accountId,
        name: cloudflareLogBucketName(model, zone),
        jurisdiction: residency.logJurisdiction,
      });
      new LogpushJob(this, tfName('logpush', zone.name), {
        zoneId,
        name: `${model.appName}-${zone.name}-http-requests`,
        dataset: 'http_requests',
        enabled: true,
        // Only this zone's hostnames: each zone's logs stay in its own jurisdiction.
        filter: JSON.stringify({
          where: { key: 'ClientRequestHost', operator: 'in', value: hostnamesByZone.get(zone.name) },
        }),
        destinationConf: logDestination(
          cloudflareLogBucketName(model, zone),
          r2Endpoint(accountId, residency.logJurisdiction),
          this.logCredentials(),
        ),
        dependsOn: [bucket],
      });
    }

    const onCdnHost = hostIn(allHostnames);
    const publicRead = and(methodIn(READ_METHODS), pathStartsWith(publicPathPrefixes));
    const healthRead = and(methodIn(READ_METHODS), pathEquals(healthCheck.path));
    new Ruleset(this, 'firewall', {
      zoneId,
      kind: 'zone',
      phase: 'http_request_firewall_custom',
      name: `${model.appName} CDN hostnames: public catalog only`,
      rules: [
        {
          ref: 'block_all_but_public_catalog',
          description:
            'Only the public catalog (GET/HEAD) and the health path reach a cell through this CDN; personal-data paths never do',
          expression: and(onCdnHost, not(or(publicRead, healthRead))),
          action: 'block',
          enabled: true,
        },
      ],
    });

    const cacheRules: RulesetRules[] = [
      {
        ref: 'cache_public_catalog',
        description:
          'Public catalog: cached with the topology TTL, stale served while updating and on origin errors',
        expression: and(onCdnHost, pathStartsWith(publicPathPrefixes)),
        action: 'set_cache_settings',
        actionParameters: {
          cache: true,
          edgeTtl: { mode: 'override_origin', default: model.config.edge.catalogCacheTtlSeconds },
          browserTtl: { mode: 'respect_origin' },
          // Strict Cache-Control: the catalog's stale-if-error keeps it served while both cells are down.
          originCacheControl: true,
          serveStale: { disableStaleWhileUpdating: false },
          readTimeout: origin.readTimeoutSeconds,
        },
        enabled: true,
      },
      {
        ref: 'bypass_health',
        description: 'The health path always reaches a cell: Route 53 checks this CDN through it',
        expression: and(onCdnHost, pathEquals(healthCheck.path)),
        action: 'set_cache_settings',
        actionParameters: { cache: false, readTimeout: origin.readTimeoutSeconds },
        enabled: true,
      },
    ];
    new Ruleset(this, 'cache', {
      zoneId,
      kind: 'zone',
      phase: 'http_request_cache_settings',
      name: `${model.appName} CDN hostnames: cache rules`,
      rules: cacheRules,
    });

    const settings: Record<string, string> = {
      // Cells have public certificates: verify them.
      ssl: 'strict',
      min_tls_version: '1.2',
      always_use_https: 'on',
      // Always Online hands pages to the Internet Archive's crawler; stale serving comes from the cache rules.
      always_online: 'off',
    };
    for (const [settingId, value] of Object.entries(settings)) {
      const setting = new ZoneSetting(this, tfName('setting', settingId), { zoneId, settingId, value: {} });
      // The provider types `value` as a map; the API takes these settings as plain strings.
      setting.addOverride('value', value);
    }

    const certificate = new CertificatePack(this, 'certificate', {
      zoneId,
      type: 'advanced',
      // Universal SSL covers one label below the apex; catalog.<zone>.<domain> is two.
      hosts: [model.domain, ...allHostnames],
      certificateAuthority: 'lets_encrypt',
      validationMethod: 'txt',
      validityDays: 90,
    });
    new TerraformOutput(this, 'certificate_validation_records', {
      value: certificate.validationRecords,
      description: 'TXT records to add to the Route 53 hosted zone so the advanced certificate validates',
    });

    this.zones = zones;
    this.hostnames = allHostnames;
  }

  private credentials?: { accessKeyId: string; secretAccessKey: string };

  /** R2 API credentials Logpush writes with: Terraform variables, supplied at apply time, never in the JSON. */
  private logCredentials(): { accessKeyId: string; secretAccessKey: string } {
    if (!this.credentials) {
      const accessKeyId = new TerraformVariable(this, 'r2_logs_access_key_id', {
        type: 'string',
        sensitive: true,
        description: 'R2 API token access key id with Object Read & Write on the CDN log buckets',
      });
      const secretAccessKey = new TerraformVariable(this, 'r2_logs_secret_access_key', {
        type: 'string',
        sensitive: true,
        description: 'R2 API token secret access key for the CDN log buckets',
      });
      this.credentials = {
        accessKeyId: accessKeyId.stringValue,
        secretAccessKey: secretAccessKey.stringValue,
      };
    }
    return this.credentials;
  }
}

/** A cell as a pool origin: its regional API name, and that name as Host (API Gateway routes on it). */
function cellOrigin(cell: Cell) {
  return {
    name: `${cell.zone}-${cell.region}`,
    address: cell.apiDomainName,
    header: { host: [cell.apiDomainName] },
    enabled: true,
    weight: 1,
  };
}

/** Logpush's S3-compatible destination for an R2 bucket (`s3://bucket/path?region=auto&endpoint=...`). */
function logDestination(
  bucket: string,
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): string {
  return (
    `s3://${bucket}/http_requests/{DATE}?region=auto&endpoint=${endpoint}` +
    `&access-key-id=${credentials.accessKeyId}&secret-access-key=${credentials.secretAccessKey}`
  );
}
