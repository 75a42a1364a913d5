import { Match, Template } from 'aws-cdk-lib/assertions';
import { SovereignDnsStack } from '../../../lib/stacks/sovereign-dns-stack';
import { loadTopology, zoneByName } from '../../../lib/topology';
import { newCommerceApp } from '../app/synth-fixture';

describe('SovereignDnsStack', () => {
  const model = loadTopology('topology.yaml');

  it('owns the sovereign sub-domain, its health check and failover record inside the zone partition', () => {
    // Prepare + Act
    const stack = new SovereignDnsStack(newCommerceApp(), 'Dns', { model, zone: zoneByName(model, 'eu') });
    const template = Template.fromStack(stack);
    // Assess
    expect({ account: stack.account, region: stack.region }).toEqual({
      account: '222222222222',
      region: 'eusc-de-east-1',
    });
    template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'eu.shop.example.com.' });
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        FullyQualifiedDomainName: 'api.eusc-de-east-1.eu.shop.example.com',
        RequestInterval: 10,
        FailureThreshold: 3,
      }),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.eu.shop.example.com.',
      Failover: 'PRIMARY',
      TTL: '60',
    });
    template.hasOutput('NameServers', {});
  });

  it('retains its hosted zone, alarms on its cell health check in its own partition, and outputs the check id', () => {
    const stack = new SovereignDnsStack(newCommerceApp(), 'Dns', { model, zone: zoneByName(model, 'eu') });
    const template = Template.fromStack(stack);

    template.hasResource('AWS::Route53::HostedZone', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'commerce-cell-eu-eusc-de-east-1-route53-health',
      MetricName: 'HealthCheckStatus',
      AlarmActions: [{ Ref: topic }],
    });
    template.hasOutput('HealthCheckIdeuscdeeast1', {});
    expect(stack.terminationProtection).toBe(true);
  });

  it('refuses a non-sovereign zone', () => {
    expect(
      () => new SovereignDnsStack(newCommerceApp(), 'Dns', { model, zone: zoneByName(model, 'global') }),
    ).toThrow(/zone global is not sovereign/);
  });
});
