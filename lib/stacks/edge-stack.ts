import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { PUBLIC_CATALOG_PATH_PREFIXES } from '../../lambdas/core/data-classification';
import { CatalogDistribution } from '../constructs/catalog-distribution';
import { cdnLogBucketName } from '../constructs/cdn-log-bucket';
import { WebAcl } from '../constructs/web-acl';
import { TAG_KEYS } from '../tagging';
import {
  catalogCacheTtls,
  catalogHostnames,
  cdnVendorHostname,
  cloudFrontEligible,
  type TopologyModel,
  type Zone,
} from '../topology';
import { SHARED_ZONE_TAG } from '../tagging';
import { tagZone } from './zone-tags';

export interface EdgeStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  readonly model: TopologyModel;
}

export function edgeStackName(model: TopologyModel): string {
  return `${model.appName}-edge`;
}

/**
 * Zones a CDN may front: not sovereign, and in the edge stack's own partition (`aws`; CloudFront exists
 * in aws-eusc since 2026-11-23, but a distribution here must never front a cell of another partition).
 */
export function edgeZones(model: TopologyModel): readonly Zone[] {
  return model.zones.filter(cloudFrontEligible);
}

/** The names a zone's distribution answers: its catalog hostnames and cloudfront.<zone>.<domain>. */
export function distributionDomainNames(model: TopologyModel, zone: Zone): readonly string[] {
  return [...catalogHostnames(model, zone), cdnVendorHostname(zone, 'cloudfront')];
}

/**
 * CloudFront (aws, us-east-1) for static assets and the public catalog read
 * path, one distribution per eligible zone. Personal-data paths never get a
 * behaviour; sovereign zones never get a distribution.
 */
export class EdgeStack extends Stack {
  readonly distributions: ReadonlyMap<string, CatalogDistribution>;
  readonly assetsBucket: s3.Bucket;
  readonly webAcl?: WebAcl;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    // Only StackProps reach Stack; the model is this stack's own input.
    const { model, ...stackProps } = props;
    const account = model.config.accounts.aws;
    const problems: string[] = [];
    if (!model.config.edge.enabled)
      problems.push('model: edge.enabled is false; do not create the edge stack');
    if (!account) problems.push('model: accounts.aws is missing; CloudFront lives in the aws partition');
    if (edgeZones(model).length === 0)
      problems.push('model: no zone is eligible for a CDN (all sovereign or without CloudFront)');
    if (problems.length > 0) throw new Error(`EdgeStack ${id}: ${problems.join('; ')}`);

    super(scope, id, {
      ...stackProps,
      stackName: edgeStackName(model),
      env: { account: account!, region: model.controlRegion },
      description: `${model.appName}: CloudFront for static assets and the public catalog`,
    });
    tagZone(this, model, { name: SHARED_ZONE_TAG, residency: 'none' });

    const logBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.assetsBucket = new s3.Bucket(this, 'Assets', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: 's3/assets/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(this.assetsBucket).add(TAG_KEYS.dataClassification, 'public');

    const ttls = catalogCacheTtls(model.config.edge);
    const cachePolicy = new cloudfront.CachePolicy(this, 'CatalogCache', {
      comment: 'Public catalog: cached by URL and query string, no cookies or auth headers',
      defaultTtl: Duration.seconds(ttls.defaultSeconds),
      minTtl: Duration.seconds(ttls.minSeconds),
      maxTtl: Duration.seconds(ttls.maxSeconds),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    if (model.config.waf.enabled) {
      this.webAcl = new WebAcl(this, 'WebAcl', {
        scope: 'CLOUDFRONT',
        name: edgeStackName(model),
        rateLimitPerIp: model.config.waf.rateLimitPerIp,
      });
    }

    // CloudFront's certificates live in us-east-1, this stack's region. Validated in the topology's hosted
    // zone once it exists (hostedZone.id); before that the deployment waits for manual DNS validation.
    const hostedZone =
      'id' in model.config.hostedZone
        ? route53.HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
            hostedZoneId: model.config.hostedZone.id,
            zoneName: model.domain,
          })
        : undefined;
    if (!hostedZone) {
      Annotations.of(this).addWarningV2(
        'commerce:certificate-manual-validation',
        `The CDN certificates for ${edgeZones(model)
          .flatMap((zone) => distributionDomainNames(model, zone))
          .join(', ')} wait for manual DNS validation: set hostedZone.id in the topology ` +
          '(after the routing stack created the zone) to validate them automatically.',
      );
    }

    const distributions = new Map<string, CatalogDistribution>();
    for (const zone of edgeZones(model)) {
      // Access logs carry visitors' IPs: they land in the zone's own primary region, encrypted with the
      // zone's key (CdnLogBucket in the zone's primary cell stack, named deterministically).
      const zoneLogBucket = s3.Bucket.fromBucketAttributes(this, `CdnLogs-${zone.name}`, {
        bucketName: cdnLogBucketName(model, zone),
        region: zone.primary.region,
        account: zone.primary.account,
      });
      const domainNames = distributionDomainNames(model, zone);
      const certificate = new acm.Certificate(this, `Certificate-${zone.name}`, {
        domainName: domainNames[0]!,
        subjectAlternativeNames: domainNames.slice(1),
        validation: hostedZone
          ? acm.CertificateValidation.fromDns(hostedZone)
          : acm.CertificateValidation.fromDns(),
      });
      distributions.set(
        zone.name,
        new CatalogDistribution(this, `Cdn-${zone.name}`, {
          zone,
          assetsBucket: this.assetsBucket,
          logBucket: zoneLogBucket,
          publicPathPrefixes: PUBLIC_CATALOG_PATH_PREFIXES,
          cachePolicy,
          // The topology's values are CloudFront's own enum values.
          priceClass: model.config.edge.priceClass as cloudfront.PriceClass,
          originTimeouts: model.config.edge.origin,
          healthPath: model.config.healthCheck.path,
          customDomain: { domainNames, certificate },
        }),
      );
    }
    for (const [zoneName, cdn] of distributions) {
      if (this.webAcl) cdn.distribution.attachWebAclId(this.webAcl.acl.attrArn);
      new CfnOutput(this, `CdnDomainName-${zoneName}`, {
        description: `CloudFront domain of zone ${zoneName} (static assets and the public catalog)`,
        value: cdn.distribution.distributionDomainName,
      });
      new CfnOutput(this, `CdnDistributionId-${zoneName}`, {
        description: `CloudFront distribution of zone ${zoneName}: the id an invalidation names (runbooks/cdn-outage.md)`,
        value: cdn.distribution.distributionId,
      });
    }
    this.distributions = distributions;
  }
}
