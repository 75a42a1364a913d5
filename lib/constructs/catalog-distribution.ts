import { Tags } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { isPersonalDataPath } from '../../lambdas/core/data-classification';
import { TAG_KEYS } from '../tagging';
import type { Zone } from '../topology';
import { acknowledge } from './nag-acknowledgements';

export interface CatalogDistributionProps {
  /** A non-sovereign zone in a partition with CloudFront. */
  readonly zone: Pick<Zone, 'name' | 'residency' | 'sovereign' | 'primary' | 'secondary'>;
  /** Static assets origin (private bucket, read through OAC). */
  readonly assetsBucket: s3.IBucket;
  readonly logBucket: s3.IBucket;
  /** Public API path prefixes the CDN may cache, e.g. PUBLIC_CATALOG_PATH_PREFIXES. */
  readonly publicPathPrefixes: readonly string[];
  readonly cachePolicy: cloudfront.ICachePolicy;
  readonly priceClass: cloudfront.PriceClass;
}

/** 5xx answers that make CloudFront retry a GET/HEAD on the zone's secondary cell. */
export const FAILOVER_STATUS_CODES = [500, 502, 503, 504] as const;

/**
 * A zone's CDN: static assets from S3, and only the public catalog read path
 * from the zone's cells through an origin group (primary, then secondary on
 * 5xx; origin groups fail over only GET/HEAD/OPTIONS, which is exactly the read
 * path). No behaviour ever matches a personal-data path: those go straight to
 * the zone's failover record.
 */
export class CatalogDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: CatalogDistributionProps) {
    super(scope, id);
    const { zone } = props;
    const problems: string[] = [];
    if (zone.sovereign) {
      problems.push(`zone: ${zone.name} is sovereign; a CDN outside its partition must not front it`);
    }
    if (props.publicPathPrefixes.length === 0) {
      problems.push('publicPathPrefixes: list at least one public path, e.g. PUBLIC_CATALOG_PATH_PREFIXES');
    }
    for (const prefix of props.publicPathPrefixes) {
      if (!prefix.startsWith('/')) problems.push(`publicPathPrefixes: "${prefix}" must start with /`);
      if (isPersonalDataPath(prefix)) {
        problems.push(`publicPathPrefixes: "${prefix}" carries personal data and must never be behind a CDN`);
      }
    }
    if (problems.length > 0) throw new Error(`CatalogDistribution ${this.node.path}: ${problems.join('; ')}`);

    const cellOrigin = (domainName: string) =>
      new origins.HttpOrigin(domainName, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      });
    const apiOrigin = zone.secondary
      ? new origins.OriginGroup({
          primaryOrigin: cellOrigin(zone.primary.apiDomainName),
          fallbackOrigin: cellOrigin(zone.secondary.apiDomainName),
          fallbackStatusCodes: [...FAILOVER_STATUS_CODES],
        })
      : cellOrigin(zone.primary.apiDomainName);

    const catalogBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy: props.cachePolicy,
      compress: true,
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Zone ${zone.name}: static assets and the public catalog`,
      priceClass: props.priceClass,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(props.assetsBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        compress: true,
      },
      additionalBehaviors: Object.fromEntries(
        props.publicPathPrefixes.map((prefix) => [`${prefix}*`, catalogBehavior]),
      ),
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: `cloudfront/${zone.name}/`,
    });
    acknowledge(
      this.distribution,
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Static assets and the public catalog are world-readable by design; residency is enforced by keeping personal-data paths off the CDN',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'A WAF web ACL (us-east-1, CLOUDFRONT scope) is account policy with its own cost; attach one per deployment',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'No custom domain yet: the *.cloudfront.net default certificate cannot set a minimum TLS version; add an alias and an ACM certificate to enforce TLSv1.2_2021',
      },
    );
    Tags.of(this).add(TAG_KEYS.zone, zone.name);
    Tags.of(this).add(TAG_KEYS.residency, zone.residency);
    Tags.of(this).add(TAG_KEYS.dataClassification, 'public');
  }
}
