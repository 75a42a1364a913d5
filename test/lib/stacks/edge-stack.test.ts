import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  PERSONAL_DATA_PATH_PREFIXES,
  PUBLIC_CATALOG_PATH_PREFIXES,
} from '../../../lambdas/core/data-classification';
import { EdgeStack, edgeZones } from '../../../lib/stacks/edge-stack';
import { buildModel, loadTopology, parseTopology } from '../../../lib/topology';
import { newCommerceApp } from '../app/synth-fixture';

describe('EdgeStack', () => {
  const model = loadTopology('topology.yaml');
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(new EdgeStack(newCommerceApp(), 'Edge', { model }));
  });

  it('fronts only non-sovereign zones in partitions with CloudFront', () => {
    expect(edgeZones(model).map((z) => z.name)).toEqual(['global']);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/eusc|api\.eu\./);
  });

  it('caches the public catalog from an origin group failing over to the secondary on 5xx for GET/HEAD', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: `${PUBLIC_CATALOG_PATH_PREFIXES[0]}*`,
            AllowedMethods: ['GET', 'HEAD'],
            ViewerProtocolPolicy: 'redirect-to-https',
          }),
        ],
        OriginGroups: {
          Quantity: 1,
          Items: [
            Match.objectLike({
              FailoverCriteria: { StatusCodes: { Items: [500, 502, 503, 504], Quantity: 4 } },
            }),
          ],
        },
        Origins: Match.arrayWith([
          Match.objectLike({ DomainName: 'api.us-east-1.global.shop.example.com' }),
          Match.objectLike({ DomainName: 'api.us-west-2.global.shop.example.com' }),
        ]),
        Logging: Match.objectLike({ Bucket: Match.anyValue() }),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ DefaultTTL: 60, MaxTTL: 60 }),
    });
  });

  it('never has a behaviour for a personal-data path', () => {
    const distributions = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    const patterns = distributions.flatMap((d) =>
      (d.Properties.DistributionConfig.CacheBehaviors ?? []).map(
        (b: { PathPattern: string }) => b.PathPattern,
      ),
    );
    expect(patterns.length).toBeGreaterThan(0);
    for (const pattern of patterns) {
      for (const personal of PERSONAL_DATA_PATH_PREFIXES) expect(pattern.startsWith(personal)).toBe(false);
    }
  });

  it('serves static assets from a private, encrypted bucket through OAC', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.anyValue(),
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
      }),
      LoggingConfiguration: Match.anyValue(),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  });

  it('takes the catalog TTL from the topology and refuses a disabled edge', () => {
    const custom = buildModel(
      parseTopology({ ...model.config, edge: { enabled: true, catalogCacheTtlSeconds: 300 } }),
    );
    Template.fromStack(new EdgeStack(newCommerceApp(), 'Edge', { model: custom })).hasResourceProperties(
      'AWS::CloudFront::CachePolicy',
      { CachePolicyConfig: Match.objectLike({ DefaultTTL: 300, MaxTTL: 300 }) },
    );
    const disabled = buildModel(parseTopology({ ...model.config, edge: { enabled: false } }));
    expect(() => new EdgeStack(newCommerceApp(), 'Edge', { model: disabled })).toThrow(
      /edge\.enabled is false/,
    );
  });
});

describe('EdgeStack: WAF, logs and outputs', () => {
  const euRegional = loadTopology('topologies/eu-regional.yaml');
  const template = Template.fromStack(new EdgeStack(newCommerceApp(), 'Edge', { model: euRegional }));

  it('puts a CloudFront-scope WAF web ACL on every distribution', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    const acl = Object.keys(template.findResources('AWS::WAFv2::WebACL'))[0]!;
    const distributions = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    expect(distributions).toHaveLength(2);
    for (const d of distributions) {
      expect(d.Properties.DistributionConfig.WebACLId).toEqual({ 'Fn::GetAtt': [acl, 'Arn'] });
    }
  });

  it("logs each zone's visitors into that zone's primary region, never into us-east-1 for the EU", () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Comment: Match.stringLikeRegexp('^Zone eu:'),
        Logging: Match.objectLike({
          Bucket: Match.stringLikeRegexp(
            '^commerce-eu-cdn-logs-111111111111-eu-central-1\\.s3\\.eu-central-1\\.',
          ),
        }),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Comment: Match.stringLikeRegexp('^Zone global:'),
        Logging: Match.objectLike({
          Bucket: Match.stringLikeRegexp('^commerce-global-cdn-logs-111111111111-us-east-1\\.'),
        }),
      }),
    });
  });

  it('outputs the CloudFront domain of each zone', () => {
    for (const zone of ['global', 'eu']) {
      template.hasOutput(`CdnDomainName${zone}`, {
        Value: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^Cdn${zone}Distribution`), 'DomainName'] },
      });
    }
  });
});
