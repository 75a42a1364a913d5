import { CfnOutput, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../constructs/alarm-topic';
import { healthCheckStatusAlarm } from '../constructs/health-check-alarm';
import { ZoneFailoverRecords } from '../constructs/zone-failover-records';
import type { TopologyModel, Zone } from '../topology';
import { tagZone } from './zone-tags';

export interface SovereignDnsStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  readonly model: TopologyModel;
  /** A sovereign zone: its names live in a hosted zone inside its own partition. */
  readonly zone: Zone;
}

export function sovereignDnsStackName(model: TopologyModel, zone: Pick<Zone, 'name'>): string {
  return `${model.appName}-dns-${zone.name}`;
}

/**
 * The hosted zone `<zone>.<domain>` inside the sovereign zone's partition, with
 * its cells' health checks and failover record. Its name servers are an output:
 * copy them into the topology (`delegatedNameServers`) so the routing stack in
 * `aws` delegates the sub-domain; no reference crosses the partition boundary.
 */
export class SovereignDnsStack extends Stack {
  readonly hostedZone: route53.PublicHostedZone;
  readonly records: ZoneFailoverRecords;

  constructor(scope: Construct, id: string, props: SovereignDnsStackProps) {
    const { model, zone, ...stackProps } = props;
    if (!zone.sovereign) {
      throw new Error(
        `SovereignDnsStack ${id}: zone ${zone.name} is not sovereign; its records belong in the routing stack`,
      );
    }
    super(scope, id, {
      ...stackProps,
      stackName: sovereignDnsStackName(model, zone),
      env: { account: zone.account, region: zone.primary.region },
      terminationProtection: model.config.deployment.terminationProtection,
      description: `${model.appName}: DNS of sovereign zone ${zone.name} (${zone.subdomain}) in ${zone.partition}`,
    });
    tagZone(this, model, zone);

    this.hostedZone = new route53.PublicHostedZone(this, 'HostedZone', {
      zoneName: zone.subdomain,
      comment: `Delegated from ${model.domain}; residency zone ${zone.name}`,
    });
    // The delegation in the other partition points at this zone's name servers: never delete it with the stack.
    this.hostedZone.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.records = new ZoneFailoverRecords(this, 'Failover', {
      hostedZone: this.hostedZone,
      zone,
      healthCheck: model.failover.healthCheck,
      ttlSeconds: model.failover.dnsTtlSeconds,
    });
    const alarms = new AlarmTopic(this, 'Alarms', {
      displayName: `${model.appName} DNS of zone ${zone.name}`,
      emails: model.config.alerts.emails,
    });
    for (const cell of zone.cells) {
      const check = this.records.healthChecks.get(cell.region)!;
      // Route 53 publishes health-check metrics in the partition's own region here (aws-eusc has one).
      healthCheckStatusAlarm(this, `Health-${cell.region}`, check, cell);
      new CfnOutput(this, `HealthCheckId-${cell.region}`, {
        description: `Route 53 HTTPS health check of ${cell.apiDomainName}`,
        value: check.healthCheckId,
      });
    }
    alarms.notifyFromAlarmsIn(this);
    new CfnOutput(this, 'NameServers', {
      description: `Copy into topology zones[name=${zone.name}].delegatedNameServers`,
      value: Fn.join(',', this.hostedZone.hostedZoneNameServers ?? []),
    });
  }
}
