import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { ResidencyCdnBoundary } from '../../../../lib/residency';
import { synthInventory, violations, zoneStack } from '../support';

const api = (host: string) => new origins.HttpOrigin(host);

describe('ResidencyCdnBoundary', () => {
  it('passes a CDN that fronts only the catalog of the eu zone and everything of the global zone', () => {
    const inventory = synthInventory((app) => {
      new cloudfront.Distribution(zoneStack(app, 'Edge', 'global', 'us-east-1', 'public'), 'Cdn', {
        defaultBehavior: { origin: api('api.global.shop.example.com') },
        additionalBehaviors: { '/v1/products*': { origin: api('api.eu.shop.example.com') } },
      });
    });

    const findings = ResidencyCdnBoundary.evaluate(inventory);

    expect(violations(findings)).toEqual([]);
    expect(findings).toHaveLength(2);
  });

  it('fails CloudFront in front of eu personal-data paths', () => {
    const inventory = synthInventory((app) => {
      new cloudfront.Distribution(zoneStack(app, 'Edge', 'global', 'us-east-1', 'public'), 'Cdn', {
        defaultBehavior: { origin: api('assets.example.net') },
        additionalBehaviors: { '/v1/orders/*': { origin: api('api.eu-central-1.eu.shop.example.com') } },
      });
    });

    const found = violations(ResidencyCdnBoundary.evaluate(inventory));

    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      ruleId: 'ResidencyCdnBoundary',
      constructPath: 'Edge/Cdn/Resource',
      location: 'Properties/DistributionConfig/CacheBehaviors/0',
    });
    expect(found[0]!.message).toContain('residency-restricted zone eu');
  });

  it('fails a default behaviour that forwards everything to an eu API, and any origin in a sovereign zone', () => {
    const inventory = synthInventory((app) => {
      const stack = zoneStack(app, 'Edge', 'global', 'us-east-1', 'public');
      new cloudfront.Distribution(stack, 'Everything', {
        defaultBehavior: { origin: api('api.eu.shop.example.com') },
      });
      new cloudfront.Distribution(stack, 'Sovereign', {
        defaultBehavior: { origin: api('assets.example.net') },
        additionalBehaviors: { '/v1/products*': { origin: api('api.sov.shop.example.com') } },
      });
    });

    const found = violations(ResidencyCdnBoundary.evaluate(inventory));

    expect(found.map((f) => f.constructPath)).toEqual([
      'Edge/Everything/Resource',
      'Edge/Sovereign/Resource',
    ]);
    expect(found[1]!.message).toContain('sovereign zone sov');
  });

  it('fails an explicit personal-data behaviour even in front of a zone without residency', () => {
    const inventory = synthInventory((app) => {
      new cloudfront.Distribution(zoneStack(app, 'Edge', 'global', 'us-east-1', 'public'), 'Cdn', {
        defaultBehavior: { origin: api('assets.example.net') },
        additionalBehaviors: { '/v1/carts*': { origin: api('api.global.shop.example.com') } },
      });
    });

    expect(violations(ResidencyCdnBoundary.evaluate(inventory)).map((f) => f.location)).toEqual([
      'Properties/DistributionConfig/CacheBehaviors/0',
    ]);
  });
});
