import { Duration } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { type Cell, MAX_FAILOVER_TTL_SECONDS, type Topology, type Zone } from '../topology';

export interface ZoneFailoverRecordsProps {
  /** Hosted zone that contains `zone.apiDomainName`. */
  readonly hostedZone: route53.IHostedZone;
  readonly zone: Pick<Zone, 'name' | 'apiDomainName' | 'cells'>;
  readonly healthCheck: Topology['healthCheck'];
  /** TTL of the failover records, from the topology (at most MAX_FAILOVER_TTL_SECONDS). */
  readonly ttlSeconds: number;
  /**
   * Fenced zones: each cell's ARC routing control ARN, by region. A cell's record
   * then answers only while its HTTPS check passes AND its routing control is ON
   * (a CALCULATED check over the two), so DNS follows the routing controls.
   * @default - no routing controls: records follow the HTTPS checks alone
   */
  readonly routingControlArns?: ReadonlyMap<string, string>;
}

/**
 * One HTTPS health check per cell on its own name and health path, and the
 * zone's failover name pointing at the cells: PRIMARY at the primary cell,
 * SECONDARY at the secondary. A single-region zone still gets a health-checked
 * PRIMARY record (Route 53 keeps answering it when unhealthy, as there is no
 * alternative), so the health is visible and adding a secondary is one line of topology.
 */
export class ZoneFailoverRecords extends Construct {
  /** Each cell's HTTPS health check (its real health: alarms and drills use these), by region. */
  readonly healthChecks: ReadonlyMap<string, route53.HealthCheck>;
  /** The check each record carries, by region: the HTTPS check, or the CALCULATED one of a fenced zone. */
  readonly recordHealthChecks: ReadonlyMap<string, route53.HealthCheck>;
  readonly records: readonly route53.CnameRecord[];

  constructor(scope: Construct, id: string, props: ZoneFailoverRecordsProps) {
    super(scope, id);
    const { zone, healthCheck, ttlSeconds } = props;
    const problems: string[] = [];
    if (zone.cells.length === 0 || zone.cells.length > 2) {
      problems.push(
        `zone.cells: zone ${zone.name} has ${zone.cells.length} cells; expected a primary and at most one secondary`,
      );
    }
    if (ttlSeconds < 1 || ttlSeconds > MAX_FAILOVER_TTL_SECONDS) {
      problems.push(`ttlSeconds: ${ttlSeconds} must be 1-${MAX_FAILOVER_TTL_SECONDS} for a failover record`);
    }
    const controls = props.routingControlArns;
    if (controls) {
      const missing = zone.cells.filter((c) => !controls.has(c.region)).map((c) => c.region);
      if (missing.length > 0) {
        problems.push(
          `routingControlArns: no routing control for ${missing.join(', ')}; give every cell of zone ${zone.name} one, or none`,
        );
      }
    }
    if (problems.length > 0) throw new Error(`ZoneFailoverRecords ${this.node.path}: ${problems.join('; ')}`);

    const checks = new Map<string, route53.HealthCheck>();
    const recordChecks = new Map<string, route53.HealthCheck>();
    const records: route53.CnameRecord[] = [];
    for (const cell of zone.cells) {
      const check = new route53.HealthCheck(this, `HealthCheck-${cell.region}`, {
        type: route53.HealthCheckType.HTTPS,
        fqdn: cell.apiDomainName,
        port: 443,
        resourcePath: healthCheck.path,
        requestInterval: Duration.seconds(healthCheck.intervalSeconds),
        failureThreshold: healthCheck.failureThreshold,
        enableSNI: true,
        measureLatency: true,
      });
      checks.set(cell.region, check);
      const controlArn = controls?.get(cell.region);
      const recordCheck = controlArn
        ? new route53.HealthCheck(this, `Fenced-${cell.region}`, {
            type: route53.HealthCheckType.CALCULATED,
            childHealthChecks: [
              check,
              new route53.HealthCheck(this, `RoutingControl-${cell.region}`, {
                type: route53.HealthCheckType.RECOVERY_CONTROL,
                routingControl: controlArn,
              }),
            ],
            healthThreshold: 2,
          })
        : check;
      recordChecks.set(cell.region, recordCheck);
      records.push(
        new route53.CnameRecord(this, `Failover-${cell.region}`, {
          zone: props.hostedZone,
          recordName: zone.apiDomainName,
          domainName: cell.apiDomainName,
          ttl: Duration.seconds(ttlSeconds),
          setIdentifier: `${zone.name}-${cell.role}-${cell.region}`,
          failover: failoverOf(cell),
          healthCheck: recordCheck,
        }),
      );
    }
    this.healthChecks = checks;
    this.recordHealthChecks = recordChecks;
    this.records = records;
  }
}

const failoverOf = (cell: Cell): route53.Failover =>
  cell.role === 'primary' ? route53.Failover.PRIMARY : route53.Failover.SECONDARY;
