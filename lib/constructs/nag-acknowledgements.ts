import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag v3 findings are acknowledged with CDK's own `Validations.acknowledge`,
 * one rule (or one `Rule[finding]`) at a time, each with the reason it is
 * acceptable here. These helpers keep the reasons next to the cause.
 */
export interface NagAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

export function acknowledge(scope: IConstruct, ...rules: readonly NagAcknowledgement[]): void {
  Validations.of(scope).acknowledge(...rules);
}

/**
 * How cdk-nag spells a CloudFormation value inside a finding id
 * (`<Logical.Arn>`, `<AWS::Partition>`), mirroring its flattenCfnReference,
 * so a wildcard on a token-valued ARN can be acknowledged precisely.
 */
export function nagFindingText(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const object = node as Record<string, unknown>;
    if (Array.isArray(object['Fn::Join'])) {
      const [delimiter, items] = object['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if (object['Fn::Sub'] !== undefined) return visit(object['Fn::Sub']);
    if (Array.isArray(object['Fn::GetAtt'])) {
      const [resource, attribute] = object['Fn::GetAtt'] as [unknown, unknown];
      return `<${visit(resource)}.${visit(attribute)}>`;
    }
    if (object['Fn::ImportValue'] !== undefined) return visit(object['Fn::ImportValue']);
    if (object.Ref !== undefined) return `<${visit(object.Ref)}>`;
    return JSON.stringify(node);
  };
  return Token.isUnresolved(value) ? visit(Stack.of(scope).resolve(value)) : value;
}

/** A principal granted use of a customer-managed key gets CDK's standard key grant. */
export function acknowledgeKeyGrant(principalScope: IConstruct): void {
  const reason =
    "CDK's key grant for SQS/DynamoDB/EventBridge encryption: kms:GenerateDataKey* and kms:ReEncrypt* are the documented action families, on this cell's single data key only";
  acknowledge(
    principalScope,
    { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
    { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
  );
}

/** A principal granted data access to the commerce table may query its global secondary indexes. */
export function acknowledgeTableIndexGrant(principalScope: IConstruct, tableArn: string): void {
  acknowledge(principalScope, {
    id: `AwsSolutions-IAM5[Resource::${nagFindingText(principalScope, tableArn)}/index/*]`,
    reason:
      "Queries the commerce table's own GSIs (gsi1: a customer's orders, events by cursor); scoped to this one table",
  });
}
