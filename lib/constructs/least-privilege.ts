import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * The DynamoDB actions each background function's code sends, and nothing else
 * (no Scan, DeleteItem or BatchWriteItem they never call). A transaction is
 * authorized action by action: its Put/Update/ConditionCheck items need
 * PutItem/UpdateItem/ConditionCheckItem. Keep these lists in step with the
 * repositories the handlers use (lambdas/webhooks, lambdas/outbox).
 */
export const TABLE_ACTIONS = {
  /**
   * The API's repositories read, write, delete and batch across every item kind (what CDK's
   * grantReadWriteData allows, without its KMS part: see grantDataKeyUse).
   */
  api: [
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:GetItem',
    'dynamodb:Scan',
    'dynamodb:ConditionCheckItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:DescribeTable',
  ],
  /** Reads enabled endpoints (Query), creates deliveries (conditional PutItem), marks them enqueued (UpdateItem). */
  outboxRelay: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  /**
   * Reads a delivery and its endpoint (GetItem, Query), claims it and records the endpoint's health
   * (UpdateItem), and records each attempt and dead-letters in one transaction (PutItem, UpdateItem,
   * ConditionCheckItem).
   */
  webhookDispatcher: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:ConditionCheckItem',
  ],
} as const;

/** Allows `actions` on the table and its indexes only. */
export function grantTableActions(
  role: iam.IRole,
  table: dynamodb.ITableV2,
  actions: readonly string[],
): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [...actions],
      resources: [table.tableArn, `${table.tableArn}/index/*`],
    }),
  );
}

/**
 * Use of a cell's own data key for what its services do with it: SQS, EventBridge and DynamoDB encrypt
 * with data keys (GenerateDataKey) and decrypt (Decrypt). Nothing here calls kms:Encrypt or re-encrypts,
 * so neither is granted (CDK's own queue, bus and table grants would add both). A key addressed by alias
 * (a secondary cell) is granted by AliasedDataKey.grant instead.
 */
export function grantDataKeyUse(role: iam.IRole, key: kms.IKey): void {
  if (!(key instanceof kms.Key)) return;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*'],
      resources: [key.keyArn],
    }),
  );
}

/** Sending to a queue (SendMessage covers SendMessageBatch), without CDK's KMS Encrypt/ReEncrypt grant. */
export function grantSend(role: iam.IRole, queue: sqs.IQueue): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
  );
}

/** Publishing to a bus, without CDK's KMS grant (the bus key is granted once by grantDataKeyUse). */
export function grantPutEvents(role: iam.IRole, bus: events.IEventBus): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }),
  );
}
