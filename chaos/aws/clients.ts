import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { FisClient } from '@aws-sdk/client-fis';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Every AWS client the drill uses, one per service and region, from the
 * usual credential chain (AWS_PROFILE, SSO, instance role). One seam, so the
 * tests replace the calls with aws-sdk-client-mock and nothing reaches AWS.
 */
export interface AwsClients {
  sts(region: string): STSClient;
  cloudFormation(region: string): CloudFormationClient;
  cloudWatch(region: string): CloudWatchClient;
  /** Route 53's control plane answers in the control region (us-east-1). */
  route53(region: string): Route53Client;
  dynamoDb(region: string): DynamoDBDocumentClient;
  fis(region: string): FisClient;
  ecs(region: string): ECSClient;
  s3(region: string): S3Client;
}

export function defaultAwsClients(): AwsClients {
  const caches = new Map<string, unknown>();
  const cached =
    <T>(service: string, make: (region: string) => T) =>
    (region: string): T => {
      const key = `${service}:${region}`;
      if (!caches.has(key)) caches.set(key, make(region));
      return caches.get(key) as T;
    };
  return {
    sts: cached('sts', (region) => new STSClient({ region })),
    cloudFormation: cached('cloudformation', (region) => new CloudFormationClient({ region })),
    cloudWatch: cached('cloudwatch', (region) => new CloudWatchClient({ region })),
    route53: cached('route53', (region) => new Route53Client({ region })),
    dynamoDb: cached('dynamodb', (region) => DynamoDBDocumentClient.from(new DynamoDBClient({ region }))),
    fis: cached('fis', (region) => new FisClient({ region })),
    ecs: cached('ecs', (region) => new ECSClient({ region })),
    s3: cached('s3', (region) => new S3Client({ region })),
  };
}
