import { Annotations, Duration } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  type CdnVendor,
  catalogHostnames,
  cdnVendorHostname,
  cdnVendorsOf,
  cloudflareCnameTarget,
  type Topology,
  type TopologyModel,
  type Zone,
} from '../topology';

/** One CDN serving a zone: the name only it answers (health-checked), and where a hostname points to reach it. */
export interface SteeredCdn {
  readonly vendor: CdnVendor;
  /** `<vendor>.<zone>.<domain>`: resolves to this CDN alone; Route 53 health-checks the CDN through it. */
  readonly hostname: string;
  /** The CNAME target that sends `hostname` to this CDN (a CloudFront domain, `<hostname>.cdn.cloudflare.net`). */
  readonly targetFor: (hostname: string) => string;
}

export interface CdnSteeringRecordsProps {
  /** Hosted zone holding the zone's public hostnames and the vendor hostnames. */
  readonly hostedZone: route53.IHostedZone;
  readonly zone: Pick<Zone, 'name'>;
  /** Public hostnames steered between the CDNs, e.g. catalogHostnames(model, zone). */
  readonly hostnames: readonly string[];
  /** The CDNs serving the zone (one or two). */
  readonly cdns: readonly SteeredCdn[];
  readonly steering: Topology['edge']['steering'];
  /** Health path, interval and threshold of the checks through each CDN. */
  readonly healthCheck: Topology['healthCheck'];
  /** TTL of the steered records (at most 60 s, like the zone failover records). */
  readonly ttlSeconds: number;
}

/**
 * Route 53 steering of a zone's public hostnames between its CDNs. Each CDN
 * gets its own name (`<vendor>.<zone>.<domain>`) and an HTTPS health check on
 * the health path through that name, so the check travels through the CDN to
 * a cell. Each public hostname then has one record per CDN carrying that CDN's
 * health check, weighted (both serve, caches stay warm) or failover (the
 * primary serves alone). Route 53 stops answering with a CDN whose check fails.
 */
export class CdnSteeringRecords extends Construct {
  readonly healthChecks: ReadonlyMap<CdnVendor, route53.HealthCheck>;
  readonly records: readonly route53.CnameRecord[];

  constructor(scope: Construct, id: string, props: CdnSteeringRecordsProps) {
    super(scope, id);
    const { cdns, steering, healthCheck, ttlSeconds } = props;
    const problems: string[] = [];
    if (props.hostnames.length === 0) problems.push('hostnames: list at least one public hostname');
    if (cdns.length === 0 || cdns.length > 2) {
      problems.push(`cdns: ${cdns.length} CDNs; steer between one or two`);
    }
    if (new Set(cdns.map((c) => c.vendor)).size !== cdns.length) {
      problems.push(`cdns: ${cdns.map((c) => c.vendor).join(', ')} lists a vendor twice`);
    }
    if (ttlSeconds < 1 || ttlSeconds > 60)
      problems.push(`ttlSeconds: ${ttlSeconds} must be 1-60 for a steered record`);
    if (
      cdns.length === 2 &&
      steering.mode === 'weighted' &&
      cdns.every((c) => steering.weights[c.vendor] === 0)
    ) {
      problems.push('steering.weights: every CDN has weight 0; give one a weight above 0');
    }
    if (
      cdns.length === 2 &&
      steering.mode === 'failover' &&
      !cdns.some((c) => c.vendor === steering.primary)
    ) {
      problems.push(`steering.primary: ${steering.primary} does not serve zone ${props.zone.name}`);
    }
    if (problems.length > 0) throw new Error(`CdnSteeringRecords ${this.node.path}: ${problems.join('; ')}`);

    const ttl = Duration.seconds(ttlSeconds);
    const checks = new Map<CdnVendor, route53.HealthCheck>();
    const records: route53.CnameRecord[] = [];
    for (const cdn of cdns) {
      records.push(
        new route53.CnameRecord(this, `Vendor-${cdn.vendor}`, {
          zone: props.hostedZone,
          recordName: cdn.hostname,
          domainName: cdn.targetFor(cdn.hostname),
          ttl,
        }),
      );
      checks.set(
        cdn.vendor,
        new route53.HealthCheck(this, `HealthCheck-${cdn.vendor}`, {
          type: route53.HealthCheckType.HTTPS,
          fqdn: cdn.hostname,
          port: 443,
          resourcePath: healthCheck.path,
          requestInterval: Duration.seconds(healthCheck.intervalSeconds),
          failureThreshold: healthCheck.failureThreshold,
          enableSNI: true,
          measureLatency: true,
        }),
      );
    }

    for (const hostname of props.hostnames) {
      const label = hostname.replace(/\./g, '-');
      for (const cdn of cdns) {
        const steered = cdns.length > 1;
        records.push(
          new route53.CnameRecord(this, `Steer-${label}-${cdn.vendor}`, {
            zone: props.hostedZone,
            recordName: hostname,
            domainName: cdn.targetFor(hostname),
            ttl,
            ...(steered
              ? {
                  setIdentifier: `${hostname}-${cdn.vendor}`,
                  healthCheck: checks.get(cdn.vendor)!,
                  ...(steering.mode === 'weighted'
                    ? { weight: steering.weights[cdn.vendor] }
                    : {
                        failover:
                          cdn.vendor === steering.primary
                            ? route53.Failover.PRIMARY
                            : route53.Failover.SECONDARY,
                      }),
                }
              : {}),
          }),
        );
      }
    }
    this.healthChecks = checks;
    this.records = records;
  }
}

/**
 * Steering for every zone a CDN fronts, in the routing stack's hosted zone, and
 * the partial Cloudflare zone's verification record. `cloudFrontDomains`: the
 * CloudFront domain name of each zone's distribution (from the edge stack).
 *
 * Waits for `hostedZone.id`: the CDN certificates validate in the hosted zone,
 * so before it exists the routing stack must not depend on the edge stack
 * (its first deployment creates the zone).
 */
export function addCdnSteering(
  scope: Construct,
  model: TopologyModel,
  hostedZone: route53.IHostedZone,
  cloudFrontDomains: ReadonlyMap<string, string> | undefined,
): CdnSteeringRecords[] {
  const zones = model.zones.filter((zone) => cdnVendorsOf(model, zone).length > 0);
  if (zones.length === 0) return [];
  if (!('id' in model.config.hostedZone)) {
    Annotations.of(scope).addWarningV2(
      'commerce:cdn-steering-pending',
      `CDN steering of ${zones.flatMap((z) => catalogHostnames(model, z)).join(', ')} waits for hostedZone.id: ` +
        'deploy this stack to create the zone, set hostedZone.id in the topology, then deploy the edge and this stack again.',
    );
    return [];
  }
  const cloudflare = model.config.edge.cloudflare;
  if (cloudflare && 'create' in cloudflare.zone) {
    if (cloudflare.verificationKey) {
      new route53.TxtRecord(scope, 'CloudflareVerification', {
        zone: hostedZone,
        recordName: `cloudflare-verify.${model.domain}`,
        values: [cloudflare.verificationKey],
        ttl: Duration.hours(1),
      });
    } else {
      Annotations.of(scope).addWarningV2(
        'commerce:cloudflare-verification-pending',
        'The Cloudflare zone is not verified yet: after `terraform apply`, copy its zone_verification_key output into ' +
          'the topology as edge.cloudflare.verificationKey and deploy this stack again.',
      );
    }
  }
  return zones.flatMap((zone) => {
    const cdns = cdnVendorsOf(model, zone).flatMap((vendor): SteeredCdn[] => {
      if (vendor === 'cloudflare') {
        return [{ vendor, hostname: cdnVendorHostname(zone, vendor), targetFor: cloudflareCnameTarget }];
      }
      const domain = cloudFrontDomains?.get(zone.name);
      return domain ? [{ vendor, hostname: cdnVendorHostname(zone, vendor), targetFor: () => domain }] : [];
    });
    if (cdns.length === 0) return [];
    return new CdnSteeringRecords(scope, `CdnSteering-${zone.name}`, {
      hostedZone,
      zone,
      hostnames: catalogHostnames(model, zone),
      cdns,
      steering: model.config.edge.steering,
      healthCheck: model.config.healthCheck,
      ttlSeconds: model.config.dns.ttlSeconds,
    });
  });
}
