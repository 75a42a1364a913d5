import { Annotations, CfnOutput, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { addCdnSteering } from '../constructs/cdn-steering-records';
import { ZoneFailoverRecords } from '../constructs/zone-failover-records';
import type { TopologyModel, Zone } from '../topology';
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

    const zoneRecords = new Map<string, ZoneFailoverRecords>();
    for (const zone of model.zones) {
      if (zone.sovereign) {
        this.delegate(model, zone);
      } else {
        zoneRecords.set(
          zone.name,
          new ZoneFailoverRecords(this, `Zone-${zone.name}`, {
            hostedZone: this.hostedZone,
            zone,
            healthCheck: model.failover.healthCheck,
            ttlSeconds: model.failover.dnsTtlSeconds,
          }),
        );
      }
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
    this.zoneRecords = zoneRecords;
    addCdnSteering(this, model, this.hostedZone, cloudFrontDomains);
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
