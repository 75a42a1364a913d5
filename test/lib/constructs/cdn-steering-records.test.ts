import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  addCdnSteering,
  CdnSteeringRecords,
  type CdnSteeringRecordsProps,
  type SteeredCdn,
} from '../../../lib/constructs/cdn-steering-records';
import { buildModel, loadTopology, parseTopology, type TopologyInput } from '../../../lib/topology';

const CLOUDFRONT: SteeredCdn = {
  vendor: 'cloudfront',
  hostname: 'cloudfront.global.shop.example.com',
  targetFor: () => 'd111111abcdef8.cloudfront.net',
};
const CLOUDFLARE: SteeredCdn = {
  vendor: 'cloudflare',
  hostname: 'cloudflare.global.shop.example.com',
  targetFor: (hostname) => `${hostname}.cdn.cloudflare.net`,
};

function steer(overrides: Partial<CdnSteeringRecordsProps> = {}): Template {
  const stack = new Stack(new App(), 'Routing', { env: { account: '111111111111', region: 'us-east-1' } });
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    zoneName: 'shop.example.com',
  });
  new CdnSteeringRecords(stack, 'Steering', {
    hostedZone,
    zone: { name: 'global' },
    hostnames: ['catalog.global.shop.example.com', 'catalog.shop.example.com'],
    cdns: [CLOUDFRONT, CLOUDFLARE],
    steering: { mode: 'weighted', weights: { cloudfront: 70, cloudflare: 30 }, primary: 'cloudfront' },
    healthCheck: { path: '/v1/health', intervalSeconds: 10, failureThreshold: 3 },
    ttlSeconds: 60,
    ...overrides,
  });
  return Template.fromStack(stack);
}

const record = (name: string, target: string) =>
  Match.objectLike({ Name: `${name}.`, Type: 'CNAME', ResourceRecords: [target], TTL: '60' });

describe('CdnSteeringRecords', () => {
  it('health-checks each CDN through its own hostname, on the health path, at the topology interval', () => {
    const template = steer();
    template.resourceCountIs('AWS::Route53::HealthCheck', 2);
    for (const cdn of [CLOUDFRONT, CLOUDFLARE]) {
      template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: Match.objectLike({
          Type: 'HTTPS',
          FullyQualifiedDomainName: cdn.hostname,
          ResourcePath: '/v1/health',
          RequestInterval: 10,
          FailureThreshold: 3,
          EnableSNI: true,
        }),
      });
      template.hasResourceProperties(
        'AWS::Route53::RecordSet',
        record(cdn.hostname, cdn.targetFor(cdn.hostname)),
      );
    }
  });

  it('weighted: one record per hostname and CDN with its weight and its health check', () => {
    const template = steer();
    const checks = template.findResources('AWS::Route53::HealthCheck');
    const checkOf = (vendor: string) =>
      Object.entries(checks).find(([, c]) =>
        c.Properties.HealthCheckConfig.FullyQualifiedDomainName.startsWith(vendor),
      )![0];
    for (const hostname of ['catalog.global.shop.example.com', 'catalog.shop.example.com']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: `${hostname}.`,
        ResourceRecords: ['d111111abcdef8.cloudfront.net'],
        Weight: 70,
        SetIdentifier: `${hostname}-cloudfront`,
        HealthCheckId: { Ref: checkOf('cloudfront') },
      });
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: `${hostname}.`,
        ResourceRecords: [`${hostname}.cdn.cloudflare.net`],
        Weight: 30,
        SetIdentifier: `${hostname}-cloudflare`,
        HealthCheckId: { Ref: checkOf('cloudflare') },
      });
    }
    template.resourceCountIs('AWS::Route53::RecordSet', 2 + 2 * 2);
  });

  it('failover: the primary CDN serves alone while healthy, the other takes over', () => {
    const template = steer({
      steering: { mode: 'failover', weights: { cloudfront: 50, cloudflare: 50 }, primary: 'cloudflare' },
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'catalog.shop.example.com.',
      ResourceRecords: ['catalog.shop.example.com.cdn.cloudflare.net'],
      Failover: 'PRIMARY',
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'catalog.shop.example.com.',
      ResourceRecords: ['d111111abcdef8.cloudfront.net'],
      Failover: 'SECONDARY',
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('"Weight"');
  });

  it('one CDN: a plain record, nothing to steer', () => {
    const template = steer({ cdns: [CLOUDFRONT] });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'catalog.shop.example.com.',
      ResourceRecords: ['d111111abcdef8.cloudfront.net'],
      SetIdentifier: Match.absent(),
      HealthCheckId: Match.absent(),
    });
  });

  it('names the prop and the fix for each mistake', () => {
    expect(() =>
      steer({
        steering: { mode: 'weighted', weights: { cloudfront: 0, cloudflare: 0 }, primary: 'cloudfront' },
      }),
    ).toThrow(/steering\.weights: every CDN has weight 0/);
    expect(() => steer({ cdns: [CLOUDFRONT, CLOUDFRONT], hostnames: [], ttlSeconds: 300 })).toThrow(
      /hostnames: list at least one.*cdns: cloudfront, cloudfront lists a vendor twice.*ttlSeconds: 300 must be 1-60/,
    );
    expect(() =>
      steer({
        cdns: [CLOUDFRONT, { ...CLOUDFLARE, vendor: 'cloudfront' }],
        steering: { mode: 'failover', weights: { cloudfront: 1, cloudflare: 1 }, primary: 'cloudflare' },
      }),
    ).toThrow(/steering\.primary: cloudflare does not serve zone global/);
  });
});

describe('addCdnSteering (the routing stack)', () => {
  const base = loadTopology('topology.yaml').config as TopologyInput;
  const stackFor = (topology: TopologyInput) => {
    const model = buildModel(parseTopology(topology));
    const stack = new Stack(new App(), 'Routing', { env: { account: '111111111111', region: 'us-east-1' } });
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      zoneName: model.domain,
    });
    const steering = addCdnSteering(
      stack,
      model,
      hostedZone,
      new Map([['global', 'd111111abcdef8.cloudfront.net']]),
    );
    return { stack, steering };
  };

  it('waits for hostedZone.id, so the first routing deployment does not depend on the edge stack', () => {
    const { stack, steering } = stackFor(base);
    expect(steering).toEqual([]);
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp('CDN steering of catalog.global.shop.example.com'),
    );
  });

  it("steers the non-sovereign zones' catalog hostnames and publishes the Cloudflare zone's verification key", () => {
    const { stack, steering } = stackFor({
      ...base,
      hostedZone: { id: 'Z0123456789ABCDEFGHIJ' },
      edge: {
        ...base.edge,
        cloudflare: {
          accountId: '0123456789abcdef0123456789abcdef',
          zone: { create: true },
          verificationKey: 'verify-0123456789',
        },
      },
    });
    expect(steering.map((s) => s.node.id)).toEqual(['CdnSteering-global']);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'cloudflare-verify.shop.example.com.',
      Type: 'TXT',
      ResourceRecords: ['"verify-0123456789"'],
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/catalog\.eu\.|eusc/);
  });
});
