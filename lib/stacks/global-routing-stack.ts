import { Annotations, CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../constructs/alarm-topic';
import { addCdnSteering } from '../constructs/cdn-steering-records';
import { FailoverPromoter } from '../constructs/failover-promoter';
import { healthCheckStatusAlarm } from '../constructs/health-check-alarm';
import { clusterEndpointsParameterName, routingControlParameterName } from '../constructs/resource-names';
import { ZoneFailoverRecords } from '../constructs/zone-failover-records';
import { entryPointZones, type TopologyModel, type Zone } from '../topology';
import { sovereignDnsStackName } from './sovereign-dns-stack';
import { SHARED_ZONE_TAG } from '../tagging';
import { tagZone } from './zone-tags';

export interface GlobalRoutingStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  readonly model: TopologyModel;
  /**
   * CloudFront domain name per zone (the edge stack's distributions), steered to beside Cloudflare.
   * @default - no CloudFront records
   */
  readonly cloudFrontDomains?: ReadonlyMap<string, string>;
}

export function routingStackName(model: TopologyModel): string {
  return `${model.appName}-routing`;
}

/** Route 53 geolocation location of a topology geography (`default`, `continent:EU`, `country:DE`). */
export function geoLocationOf(geography: string): route53.GeoLocation {
  if (geography === 'default') return route53.GeoLocation.default();
  const [kind, code] = geography.split(':') as [string, string];
  if (kind === 'continent') return route53.GeoLocation.continent(code as route53.Continent);
  if (kind === 'country') return route53.GeoLocation.country(code);
  throw new Error(
    `geography "${geography}" is not default, continent:XX or country:XX; the topology schema should have rejected it`,
  );
}

/**
 * Global routing in the `aws` partition: the hosted zone, health-checked
 * failover records per non-sovereign zone, geolocation records sending each
 * client to its zone, and the delegation of each sovereign zone's sub-domain
 * to the hosted zone in its own partition.
 */
export class GlobalRoutingStack extends Stack {
  readonly hostedZone: route53.IHostedZone;
  readonly zoneRecords: ReadonlyMap<string, ZoneFailoverRecords>;
  readonly alarmTopic: AlarmTopic;
  /** Automatic promoters of fenced zones (failover.promotion: automatic), by zone. */
  readonly promoters: ReadonlyMap<string, FailoverPromoter> = new Map();

  constructor(scope: Construct, id: string, props: GlobalRoutingStackProps) {
    const { model, cloudFrontDomains, ...stackProps } = props;
    const account = model.config.accounts.aws;
    if (!account) {
      throw new Error(
        `GlobalRoutingStack ${id}: accounts.aws is missing; Route 53 routing lives in the aws partition, add accounts.aws: "<12-digit account id>"`,
      );
    }
    super(scope, id, {
      ...stackProps,
      stackName: routingStackName(model),
      env: { account, region: model.controlRegion },
      terminationProtection: model.config.deployment.terminationProtection,
      description: `${model.appName}: Route 53 health checks, failover and geolocation for ${model.domain}`,
    });
    tagZone(this, model, { name: SHARED_ZONE_TAG, residency: 'none' });

    const config = model.config.hostedZone;
    if ('id' in config) {
      this.hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
        hostedZoneId: config.id,
        zoneName: model.domain,
      });
    } else {
      const created = new route53.PublicHostedZone(this, 'HostedZone', { zoneName: model.domain });
      // Switching the topology to `hostedZone: { id }` removes this resource from the template: it must
      // be left in place (delegation, records and certificates depend on it), never deleted.
      created.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.hostedZone = created;
      new CfnOutput(this, 'HostedZoneId', {
        description:
          'Set hostedZone.id to this value in the topology so cells validate certificates and publish their records',
        value: created.hostedZoneId,
      });
      new CfnOutput(this, 'NameServers', {
        description: `Delegate ${model.domain} to these name servers at its registrar or parent zone`,
        value: Fn.join(',', created.hostedZoneNameServers ?? []),
      });
    }

    const alarms = new AlarmTopic(this, 'Alarms', {
      displayName: `${model.appName} routing`,
      emails: model.config.alerts.emails,
    });
    this.alarmTopic = alarms;
    const zoneRecords = new Map<string, ZoneFailoverRecords>();
    for (const zone of model.zones) {
      if (zone.sovereign) {
        this.delegate(model, zone);
      } else {
        const records = new ZoneFailoverRecords(this, `Zone-${zone.name}`, {
          hostedZone: this.hostedZone,
          zone,
          healthCheck: model.failover.healthCheck,
          ttlSeconds: model.failover.dnsTtlSeconds,
          ...(zone.fencing === 'arc' ? { routingControlArns: this.routingControlArns(model, zone) } : {}),
        });
        zoneRecords.set(zone.name, records);
        this.monitorCells(model, zone, records);
      }
    }
    // api.<domain>: geolocation to each zone's failover name. A sovereign zone's geographies fall through
    // to the default zone (entryPointZones explains why); its clients use api.<zone>.<domain>.
    for (const zone of entryPointZones(model)) {
      for (const geography of zone.geographies) {
        new route53.CnameRecord(this, `Geo-${zone.name}-${geography.replace(':', '-')}`, {
          zone: this.hostedZone,
          recordName: model.apiDomainName,
          domainName: zone.apiDomainName,
          ttl: Duration.seconds(model.failover.dnsTtlSeconds),
          setIdentifier: `geo-${geography.replace(':', '-')}`,
          geoLocation: geoLocationOf(geography),
        });
      }
    }
    alarms.notifyFromAlarmsIn(this);
    this.zoneRecords = zoneRecords;
    addCdnSteering(this, model, this.hostedZone, cloudFrontDomains);
  }

  /** Routing control ARNs of a fenced zone, read in us-east-1 from the parameters the failover-control stack writes. */
  private routingControlArns(model: TopologyModel, zone: Zone): Map<string, string> {
    return new Map(
      zone.cells.map((cell) => [
        cell.region,
        ssm.StringParameter.valueForStringParameter(this, routingControlParameterName(model.appName, cell)),
      ]),
    );
  }

  /** A health-check alarm and an output per cell; for a fenced zone set to promote automatically, the promoter. */
  private monitorCells(model: TopologyModel, zone: Zone, records: ZoneFailoverRecords): void {
    const alarms = new Map(
      zone.cells.map((cell) => {
        const check = records.healthChecks.get(cell.region)!;
        new CfnOutput(this, `HealthCheckId-${zone.name}-${cell.region}`, {
          description: `Route 53 HTTPS health check of ${cell.apiDomainName} (drills: aws-fault route53 --health-check-id)`,
          value: check.healthCheckId,
        });
        return [cell.region, healthCheckStatusAlarm(this, `Health-${zone.name}-${cell.region}`, check, cell)];
      }),
    );
    if (zone.fencing !== 'arc' || model.config.failover.promotion !== 'automatic' || !zone.secondary) return;
    const controls = this.routingControlArns(model, zone);
    (this.promoters as Map<string, FailoverPromoter>).set(
      zone.name,
      new FailoverPromoter(this, `Promoter-${zone.name}`, {
        zone: zone.name,
        primaryRoutingControlArn: controls.get(zone.primary.region)!,
        secondaryRoutingControlArn: controls.get(zone.secondary.region)!,
        clusterEndpointsJson: ssm.StringParameter.valueForStringParameter(
          this,
          clusterEndpointsParameterName(model.appName),
        ),
        primaryHealthAlarm: alarms.get(zone.primary.region)!,
        secondaryHealthCheck: records.healthChecks.get(zone.secondary.region)!,
      }),
    );
  }

  private delegate(model: TopologyModel, zone: Zone): void {
    if (zone.delegatedNameServers && zone.delegatedNameServers.length > 0) {
      new route53.NsRecord(this, `Delegation-${zone.name}`, {
        zone: this.hostedZone,
        recordName: zone.subdomain,
        values: [...zone.delegatedNameServers],
        ttl: Duration.hours(1),
      });
      return;
    }
    Annotations.of(this).addWarningV2(
      'commerce:sovereign-delegation-pending',
      `Sovereign zone ${zone.name}: ${zone.subdomain} is not delegated yet. Deploy stack ${sovereignDnsStackName(model, zone)} ` +
        `(${zone.partition}, ${zone.primary.region}), copy its NameServers output into the topology as ` +
        `zones[${zone.name}].delegatedNameServers, and deploy this stack again.`,
    );
  }
}
