import { type App, Tags } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { TAG_KEYS } from '../../../../lib/tagging';
import { zoneStack } from '../support';

/**
 * Small CDK apps for the report tests, built the way the real stacks are
 * (env-specific stacks, zone and classification tags), with the residency
 * mistakes issue 7 names switched on or off.
 */
export interface Mistakes {
  /** eu table replica in us-east-1 */
  readonly replicaInUs?: boolean;
  /** eu bucket replicating to a US bucket */
  readonly bucketToUs?: boolean;
  /** eu log group subscribed to a us-east-1 destination */
  readonly logsToUs?: boolean;
  /** CloudFront in front of eu personal-data paths */
  readonly cdnOnPersonalPaths?: boolean;
  /** an eu queue encrypted with a key in us-east-1 */
  readonly keyInUs?: boolean;
}

export const ALL_MISTAKES: Mistakes = {
  replicaInUs: true,
  bucketToUs: true,
  logsToUs: true,
  cdnOnPersonalPaths: true,
  keyInUs: true,
};

const EU_WEST_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555';
const US_KEY = 'arn:aws:kms:us-east-1:111111111111:key/99999999-2222-3333-4444-555555555555';

export function defineCommerceApp(app: App, mistakes: Mistakes): void {
  const us = zoneStack(app, 'UsStore', 'global', 'us-east-1', 'operational');
  new s3.Bucket(us, 'Archive', { bucketName: 'shop-us-archive', versioned: true });
  const euDr = zoneStack(app, 'EuDr', 'eu', 'eu-west-1');
  new s3.Bucket(euDr, 'Archive', {
    bucketName: 'shop-eu-archive',
    versioned: true,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: new kms.Key(euDr, 'Key'),
  });

  const eu = zoneStack(app, 'EuCell', 'eu', 'eu-central-1');
  const key = new kms.Key(eu, 'Key');
  const replicaRegion = mistakes.replicaInUs ? 'us-east-1' : 'eu-west-1';
  const table = new dynamodb.TableV2(eu, 'Commerce', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryptionV2.customerManagedKey(key, {
      [replicaRegion]: mistakes.replicaInUs ? US_KEY : EU_WEST_KEY,
    }),
    replicas: [{ region: replicaRegion }],
  });
  const exports = new s3.Bucket(eu, 'Exports', {
    versioned: true,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
  });
  (exports.node.defaultChild as s3.CfnBucket).replicationConfiguration = {
    role: 'arn:aws:iam::111111111111:role/replication',
    rules: [
      {
        status: 'Enabled',
        destination: {
          bucket: `arn:aws:s3:::${mistakes.bucketToUs ? 'shop-us-archive' : 'shop-eu-archive'}`,
        },
      },
    ],
  };
  const group = new logs.LogGroup(eu, 'ApiLogs', { retention: logs.RetentionDays.ONE_MONTH });
  Tags.of(group).add(TAG_KEYS.dataClassification, 'operational');
  new logs.CfnSubscriptionFilter(eu, 'ToSiem', {
    logGroupName: group.logGroupName,
    filterPattern: '',
    destinationArn: `arn:aws:logs:${mistakes.logsToUs ? 'us-east-1' : 'eu-central-1'}:333333333333:destination:siem`,
  });
  new sqs.Queue(eu, 'Webhooks', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: mistakes.keyInUs ? kms.Key.fromKeyArn(eu, 'UsKey', US_KEY) : key,
  });
  const api = new lambda.Function(eu, 'Api', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
  table.grantReadWriteData(api);

  const edge = zoneStack(app, 'Edge', 'global', 'us-east-1', 'public');
  new cloudfront.Distribution(edge, 'Cdn', {
    defaultBehavior: { origin: new origins.HttpOrigin('assets.example.net') },
    additionalBehaviors: {
      '/v1/products*': { origin: new origins.HttpOrigin('api.eu.shop.example.com') },
      ...(mistakes.cdnOnPersonalPaths
        ? { '/v1/orders/*': { origin: new origins.HttpOrigin('api.eu.shop.example.com') } }
        : {}),
    },
  });
}
