import * as iam from 'aws-cdk-lib/aws-iam';
import { AUDIT_KEY_PREFIXES } from '../../lambdas/adapters/table';

/**
 * Defence in depth for the append-only audit log: the cell's functions may
 * append audit items (conditional puts in the business transaction) but never
 * update or delete one, and never put one outside a TransactWriteItems (where
 * the append's attribute_not_exists condition is checked with the business
 * change). A transactional overwrite is what the hash chain catches.
 */
export function denyAuditLogTampering(role: iam.IRole, tableArn: string): void {
  const auditItems = {
    'ForAnyValue:StringLike': {
      'dynamodb:LeadingKeys': AUDIT_KEY_PREFIXES.map((prefix) => `${prefix}*`),
    },
  };
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'AuditLogIsAppendOnly',
      effect: iam.Effect.DENY,
      actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
      resources: [tableArn],
      conditions: auditItems,
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'AuditLogNoPlainPut',
      effect: iam.Effect.DENY,
      actions: ['dynamodb:PutItem'],
      resources: [tableArn],
      conditions: {
        ...auditItems,
        // Absent for a plain PutItem, so IfExists makes the denial apply to it.
        StringNotEqualsIfExists: { 'dynamodb:EnclosingOperation': 'TransactWriteItems' },
      },
    }),
  );
}
