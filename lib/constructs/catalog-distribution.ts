import { Duration, Tags } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { isPersonalDataPath } from '../../lambdas/core/data-classification';
import { TAG_KEYS } from '../tagging';
import { CLOUDFRONT_FAILOVER_STATUS_CODES, type Topology, type Zone } from '../topology';
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
  /**
   * How long CloudFront waits for a cell (topology `edge.origin`): a dead
   * primary fails over to the secondary after attempts x connection timeout.
   * @default - 1 attempt, 2 s to connect, 5 s to the first byte
   */
  readonly originTimeouts?: Topology['edge']['origin'];
  /**
   * Path Route 53 health-checks this CDN on: never cached, always forwarded to a cell.
   * @default - no health behaviour
   */
  readonly healthPath?: string;
  /**
   * Public names of the distribution (aliases) with their us-east-1 certificate.
   * @default - only the *.cloudfront.net name
   */
  readonly customDomain?: {
    readonly domainNames: readonly string[];
    readonly certificate: acm.ICertificate;
  };
}

/** CloudFront's defaults would wait 3 x 10 s before failing over; the topology's defaults take 2 s. */
const DEFAULT_ORIGIN_TIMEOUTS: Topology['edge']['origin'] = {
  connectionAttempts: 1,
  connectionTimeoutSeconds: 2,
  readTimeoutSeconds: 5,
};

/** 5xx answers that make CloudFront retry a GET/HEAD on the zone's secondary cell (lib/topology/cdn.ts). */
export const FAILOVER_STATUS_CODES = CLOUDFRONT_FAILOVER_STATUS_CODES;

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
    const timeouts = props.originTimeouts ?? DEFAULT_ORIGIN_TIMEOUTS;
    if (timeouts.connectionAttempts < 1 || timeouts.connectionAttempts > 3) {
      problems.push(`originTimeouts.connectionAttempts: ${timeouts.connectionAttempts} must be 1-3`);
    }
    if (timeouts.connectionTimeoutSeconds < 1 || timeouts.connectionTimeoutSeconds > 10) {
      problems.push(
        `originTimeouts.connectionTimeoutSeconds: ${timeouts.connectionTimeoutSeconds} must be 1-10`,
      );
    }
    if (timeouts.readTimeoutSeconds < 1 || timeouts.readTimeoutSeconds > 60) {
      problems.push(`originTimeouts.readTimeoutSeconds: ${timeouts.readTimeoutSeconds} must be 1-60`);
    }
    if (props.healthPath !== undefined) {
      if (!props.healthPath.startsWith('/'))
        problems.push(`healthPath: "${props.healthPath}" must start with /`);
      if (isPersonalDataPath(props.healthPath)) {
        problems.push(
          `healthPath: "${props.healthPath}" carries personal data and must never be behind a CDN`,
        );
      }
    }
    if (props.customDomain && props.customDomain.domainNames.length === 0) {
      problems.push('customDomain.domainNames: list at least one name, or omit customDomain');
    }
    if (problems.length > 0) throw new Error(`CatalogDistribution ${this.node.path}: ${problems.join('; ')}`);

    const cellOrigin = (domainName: string) =>
      new origins.HttpOrigin(domainName, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        connectionAttempts: timeouts.connectionAttempts,
        connectionTimeout: Duration.seconds(timeouts.connectionTimeoutSeconds),
        readTimeout: Duration.seconds(timeouts.readTimeoutSeconds),
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

    const healthBehavior: cloudfront.BehaviorOptions = {
      ...catalogBehavior,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
    };
    const behaviors: Record<string, cloudfront.BehaviorOptions> = Object.fromEntries(
      props.publicPathPrefixes.map((prefix) => [`${prefix}*`, catalogBehavior]),
    );
    if (props.healthPath) behaviors[props.healthPath] = healthBehavior;

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Zone ${zone.name}: static assets and the public catalog`,
      priceClass: props.priceClass,
      ...(props.customDomain
        ? {
            domainNames: [...props.customDomain.domainNames],
            certificate: props.customDomain.certificate,
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(props.assetsBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        compress: true,
      },
      additionalBehaviors: behaviors,
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
    );
    if (!props.customDomain) {
      acknowledge(this.distribution, {
        id: 'AwsSolutions-CFR4',
        reason:
          'No custom domain: the *.cloudfront.net default certificate cannot set a minimum TLS version; pass customDomain to enforce TLSv1.2_2021',
      });
    }
    Tags.of(this).add(TAG_KEYS.zone, zone.name);
    Tags.of(this).add(TAG_KEYS.residency, zone.residency);
    Tags.of(this).add(TAG_KEYS.dataClassification, 'public');
  }
}
