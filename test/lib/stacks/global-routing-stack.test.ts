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
    created.template.resourceCountIs('AWS::Route53::HealthCheck', 3);
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

  it('maps every geography to its zone: default, continents and countries', () => {
    const expectations = [
      [{ CountryCode: '*' }, 'api.global.shop.example.com'],
      [{ CountryCode: 'CA' }, 'api.global.shop.example.com'],
      [{ ContinentCode: 'EU' }, 'api.eu.shop.example.com'],
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
      4,
    );
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
    template.allResourcesProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ RequestInterval: 10, FailureThreshold: 3 }),
    });
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
