import { Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TAG_KEYS } from '../tagging';
import type { TopologyModel, Zone } from '../topology';
import { acknowledge } from './nag-acknowledgements';

/** Deterministic, so the edge stack (us-east-1) names the bucket without a cross-region reference. */
export function cdnLogBucketName(model: TopologyModel, zone: Pick<Zone, 'name' | 'primary'>): string {
  return `${model.appName}-${zone.name}-cdn-logs-${zone.primary.account}-${zone.primary.region}`;
}

/** Days CloudFront access logs (client IPs) are kept. */
export const CDN_LOG_RETENTION_DAYS = 90;

export interface CdnLogBucketProps {
  readonly bucketName: string;
  /** The zone's key in this region; its policy lets CloudFront's log delivery encrypt with it. */
  readonly key: kms.Key;
}

/**
 * Where a zone's CloudFront access logs land: in the zone's primary region,
 * encrypted with the zone's key, classified personal (each line carries a
 * visitor's IP address). CloudFront standard logging writes with ACLs, hence
 * object-writer ownership. Retained with the stack like every log of a person.
 */
export class CdnLogBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: CdnLogBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(CDN_LOG_RETENTION_DAYS) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(this.bucket).add(TAG_KEYS.dataClassification, 'personal');
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontLogDelivery',
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    acknowledge(this.bucket, {
      id: 'AwsSolutions-S1',
      reason: 'This bucket only receives CloudFront access logs; logging its own access would log the logs',
    });
  }
}
