import * as iam from 'aws-cdk-lib/aws-iam';
import { AUDIT_KEY_PREFIXES } from '../../lambdas/adapters/table';

/**
 * Defence in depth for the append-only audit log: the cell's functions may
 * append audit items (conditional puts in the business transaction) but never
 * update or delete one. An overwrite by put is what the hash chain catches.
 */
export function denyAuditLogTampering(role: iam.IRole, tableArn: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'AuditLogIsAppendOnly',
      effect: iam.Effect.DENY,
      actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
      resources: [tableArn],
      conditions: {
        'ForAnyValue:StringLike': {
          'dynamodb:LeadingKeys': AUDIT_KEY_PREFIXES.map((prefix) => `${prefix}*`),
        },
      },
    }),
  );
}
