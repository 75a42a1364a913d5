import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The DynamoDB actions each background function's code sends, and nothing else
 * (no Scan, DeleteItem or BatchWriteItem they never call). A transaction is
 * authorized action by action: its Put/Update/ConditionCheck items need
 * PutItem/UpdateItem/ConditionCheckItem. Keep these lists in step with the
 * repositories the handlers use (lambdas/webhooks, lambdas/outbox).
 */
export const TABLE_ACTIONS = {
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
