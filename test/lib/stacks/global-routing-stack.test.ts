import { Match, Template } from 'aws-cdk-lib/assertions';
import { GlobalRoutingStack } from '../../../lib/stacks/global-routing-stack';
import { buildModel, loadTopology, parseTopology, type TopologyInput } from '../../../lib/topology';
import { validTopology } from '../../support/topologies';
import { newCommerceApp } from '../app/synth-fixture';

/** The default topology plus a country override, a third single-region zone and non-default health settings. */
const base: TopologyInput = {
  ...validTopology(),
  zones: [
    { ...validTopology().zones[0]!, geographies: ['default', 'country:CA'] },
    validTopology().zones[1]!,
    { name: 'apac', residency: 'none', primaryRegion: 'ap-northeast-1', geographies: ['continent:AS'] },
  ],
  healthCheck: { path: '/v1/health', intervalSeconds: 30, failureThreshold: 5 },
  dns: { ttlSeconds: 45 },
};

function routingTemplate(input: TopologyInput) {
  const stack = new GlobalRoutingStack(newCommerceApp(), 'Routing', {
    model: buildModel(parseTopology(input)),
  });
  return { stack, template: Template.fromStack(stack) };
}

const warnings = (stack: GlobalRoutingStack) =>
  stack.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));

describe('GlobalRoutingStack', () => {
  let created: ReturnType<typeof routingTemplate>;
  beforeAll(() => {
    created = routingTemplate(base);
  });

  it('lives in the control region of the aws partition and creates the hosted zone in create mode', () => {
    expect(created.stack.region).toBe('us-east-1');
    expect(created.stack.stackName).toBe('commerce-routing');
    created.template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'shop.example.com.' });
    created.template.hasOutput('HostedZoneId', {});
  });

  it('health-checks each non-sovereign cell over HTTPS with the topology interval, threshold and path', () => {
    created.template.resourcePropertiesCountIs(
      'AWS::Route53::HealthCheck',
      { HealthCheckConfig: Match.objectLike({ Type: 'HTTPS' }) },
      3,
    );
    for (const fqdn of [
      'api.us-east-1.global.shop.example.com',
      'api.us-west-2.global.shop.example.com',
      'api.ap-northeast-1.apac.shop.example.com',
    ]) {
      created.template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: Match.objectLike({
          Type: 'HTTPS',
          FullyQualifiedDomainName: fqdn,
          ResourcePath: '/v1/health',
          RequestInterval: 30,
          FailureThreshold: 5,
          Port: 443,
        }),
      });
    }
    expect(JSON.stringify(created.template.toJSON())).not.toContain('api.eusc-de-east-1.eu.shop.example.com');
  });

  it('points the zone name at PRIMARY and SECONDARY cells with the topology TTL', () => {
    created.template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.global.shop.example.com.',
      Type: 'CNAME',
      Failover: 'PRIMARY',
      ResourceRecords: ['api.us-east-1.global.shop.example.com'],
      TTL: '45',
      HealthCheckId: Match.anyValue(),
    });
    created.template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.global.shop.example.com.',
      Failover: 'SECONDARY',
      ResourceRecords: ['api.us-west-2.global.shop.example.com'],
      HealthCheckId: Match.anyValue(),
    });
  });

  it('gives a single-region zone a health-checked PRIMARY record and no SECONDARY', () => {
    created.template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.apac.shop.example.com.',
      Failover: 'PRIMARY',
      HealthCheckId: Match.anyValue(),
    });
    created.template.resourcePropertiesCountIs(
      'AWS::Route53::RecordSet',
      { Name: 'api.apac.shop.example.com.', Failover: 'SECONDARY' },
      0,
    );
  });

  it('maps every geography of a non-sovereign zone to it: default, continents and countries', () => {
    const expectations = [
      [{ CountryCode: '*' }, 'api.global.shop.example.com'],
      [{ CountryCode: 'CA' }, 'api.global.shop.example.com'],
      [{ ContinentCode: 'AS' }, 'api.apac.shop.example.com'],
    ] as const;
    for (const [location, target] of expectations) {
      created.template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'api.shop.example.com.',
        Type: 'CNAME',
        GeoLocation: location,
        ResourceRecords: [target],
      });
    }
    created.template.resourcePropertiesCountIs(
      'AWS::Route53::RecordSet',
      { Name: 'api.shop.example.com.' },
      3,
    );
  });

  it("leaves a sovereign zone's geographies to the default zone: its cells never present api.<domain>", () => {
    created.template.resourcePropertiesCountIs(
      'AWS::Route53::RecordSet',
      { Name: 'api.shop.example.com.', GeoLocation: { ContinentCode: 'EU' } },
      0,
    );
    expect(JSON.stringify(created.template.toJSON())).not.toContain('"api.eu.shop.example.com"');
  });

  it('warns instead of delegating a sovereign zone whose name servers are not known yet', () => {
    created.template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'NS' }, 0);
    expect(warnings(created.stack).join('\n')).toMatch(
      /Sovereign zone eu: eu\.shop\.example\.com is not delegated yet\. Deploy stack commerce-dns-eu/,
    );
  });

  it('delegates the sovereign sub-domain once its name servers are in the topology, and imports a hosted zone by id', () => {
    const delegated = routingTemplate({
      ...base,
      hostedZone: { id: 'Z0123456789ABCDEFGHIJ' },
      zones: base.zones.map((z) =>
        z.name === 'eu'
          ? { ...z, delegatedNameServers: ['ns-1.eusc.example.net', 'ns-2.eusc.example.net'] }
          : z,
      ),
    });
    delegated.template.resourceCountIs('AWS::Route53::HostedZone', 0);
    delegated.template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'eu.shop.example.com.',
      Type: 'NS',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      ResourceRecords: ['ns-1.eusc.example.net', 'ns-2.eusc.example.net'],
    });
    expect(warnings(delegated.stack)).toEqual([]);
  });

  it('uses 10 s / threshold 3 / TTL 60 from the shipped default topology', () => {
    const stack = new GlobalRoutingStack(newCommerceApp(), 'Default', {
      model: loadTopology('topology.yaml'),
    });
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs(
      'AWS::Route53::HealthCheck',
      { HealthCheckConfig: Match.objectLike({ Type: 'HTTPS', RequestInterval: 10, FailureThreshold: 3 }) },
      2,
    );
    template.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'PRIMARY', TTL: '60' });
  });

  it('steers the catalog hostnames between the CloudFront domain it is given and Cloudflare once the zone is imported', () => {
    const shipped = loadTopology('topology.yaml').config as TopologyInput;
    const stack = new GlobalRoutingStack(newCommerceApp(), 'Routing', {
      model: buildModel(parseTopology({ ...shipped, hostedZone: { id: 'Z0123456789ABCDEFGHIJ' } })),
      cloudFrontDomains: new Map([['global', 'd111111abcdef8.cloudfront.net']]),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'catalog.shop.example.com.',
      ResourceRecords: ['d111111abcdef8.cloudfront.net'],
      Weight: 50,
      HealthCheckId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'catalog.global.shop.example.com.',
      ResourceRecords: ['catalog.global.shop.example.com.cdn.cloudflare.net'],
      Weight: 50,
    });
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: 'cloudflare.global.shop.example.com' }),
    });
    expect(warnings(stack).some((w) => w.includes('Cloudflare zone is not verified yet'))).toBe(true);
  });
});

describe('GlobalRoutingStack: the hosted zone survives the switch from create to id', () => {
  const created = routingTemplate({ ...validTopology(), hostedZone: { create: true } });
  const imported = routingTemplate({ ...validTopology(), hostedZone: { id: 'Z0123456789ABCDEFGHIJ' } });

  it('retains the created zone, so removing it from the template never deletes it', () => {
    created.template.hasResource('AWS::Route53::HostedZone', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    imported.template.resourceCountIs('AWS::Route53::HostedZone', 0);
  });

  it('keeps every other resource under the same logical id, so the switch replaces no record or check', () => {
    const others = (t: Template) =>
      Object.entries(t.toJSON().Resources as Record<string, { Type: string }>)
        .filter(([, r]) => r.Type !== 'AWS::Route53::HostedZone')
        .map(([id, r]) => `${r.Type} ${id}`)
        .sort();
    expect(others(imported.template)).toEqual(others(created.template));
    imported.template.allResourcesProperties('AWS::Route53::RecordSet', {
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
    });
  });
});

describe('GlobalRoutingStack: operable routing', () => {
  const { template } = routingTemplate({ ...validTopology(), alerts: { emails: ['oncall@example.com'] } });
  const manual = routingTemplate({ ...validTopology(), failover: { promotion: 'manual' } });
  const unfenced = routingTemplate({ ...validTopology(), failover: { fencing: 'none' } });

  it('makes each fenced record answer only while its HTTPS check passes and its routing control is ON', () => {
    for (const region of ['us-east-1', 'us-west-2']) {
      const parameter = Object.entries(template.findParameters('*')).find(
        ([, p]) => p.Default === `/commerce/failover/global/${region}/routing-control-arn`,
      )?.[0];
      expect(parameter).toBeDefined();
      const [controlId] = Object.keys(
        template.findResources('AWS::Route53::HealthCheck', {
          Properties: {
            HealthCheckConfig: { Type: 'RECOVERY_CONTROL', RoutingControlArn: { Ref: parameter } },
          },
        }),
      );
      const [httpsId] = Object.keys(
        template.findResources('AWS::Route53::HealthCheck', {
          Properties: {
            HealthCheckConfig: Match.objectLike({
              FullyQualifiedDomainName: `api.${region}.global.shop.example.com`,
            }),
          },
        }),
      );
      const [calculatedId] = Object.keys(
        template.findResources('AWS::Route53::HealthCheck', {
          Properties: {
            HealthCheckConfig: {
              Type: 'CALCULATED',
              HealthThreshold: 2,
              ChildHealthChecks: [{ Ref: httpsId }, { Ref: controlId }],
            },
          },
        }),
      );
      expect(calculatedId).toBeDefined();
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        ResourceRecords: [`api.${region}.global.shop.example.com`],
        HealthCheckId: { Ref: calculatedId },
      });
    }
  });

  it("alarms on each cell's health check, and the primary's alarm invokes the promoter", () => {
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    for (const region of ['us-east-1', 'us-west-2']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `commerce-cell-global-${region}-route53-health`,
        Namespace: 'AWS/Route53',
        MetricName: 'HealthCheckStatus',
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        OKActions: [{ Ref: topic }],
      });
      template.hasOutput(`HealthCheckIdglobal${region.replace(/-/g, '')}`, {});
    }
    const actionsOf = (region: string) =>
      Object.values(
        template.findResources('AWS::CloudWatch::Alarm', {
          Properties: { AlarmName: `commerce-cell-global-${region}-route53-health` },
        }),
      )[0]!.Properties.AlarmActions as unknown[];
    const promoter = { 'Fn::GetAtt': [expect.stringMatching(/^PromoterglobalPromoterFunction/), 'Arn'] };
    expect(actionsOf('us-east-1')).toEqual(expect.arrayContaining([{ Ref: topic }, promoter]));
    // The secondary's alarm only notifies: nothing ever promotes the primary back automatically.
    expect(actionsOf('us-west-2')).toEqual([{ Ref: topic }]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'route53-recovery-cluster:UpdateRoutingControlStates' }),
        ]),
      },
    });
  });

  it('promotes nobody automatically with promotion: manual, and fences nothing with fencing: none', () => {
    manual.template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Description: Match.stringLikeRegexp('^Promotes') },
      0,
    );
    manual.template.resourcePropertiesCountIs(
      'AWS::Route53::HealthCheck',
      { HealthCheckConfig: Match.objectLike({ Type: 'RECOVERY_CONTROL' }) },
      2,
    );
    unfenced.template.resourcePropertiesCountIs(
      'AWS::Route53::HealthCheck',
      { HealthCheckConfig: Match.objectLike({ Type: 'RECOVERY_CONTROL' }) },
      0,
    );
    expect(Object.keys(unfenced.template.findParameters('*'))).toEqual(['BootstrapVersion']);
  });
});
