import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
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

/**
 * The singleton Lambda behind AwsCustomResource is CDK's, not ours: its role,
 * memory and tracing are fixed by aws-cdk-lib. `purpose` says what it calls.
 */
export function acknowledgeCustomResourceProvider(scope: IConstruct, purpose: string): void {
  const provider = Stack.of(scope).node.tryFindChild(
    `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
  );
  if (!provider) return;
  const reason = `aws-cdk-lib's AwsCustomResource provider (${purpose}); its role, memory and tracing are fixed by CDK`;
  const basicExecutionRole = iam.ManagedPolicy.fromAwsManagedPolicyName(
    'service-role/AWSLambdaBasicExecutionRole',
  ).managedPolicyArn;
  acknowledge(
    provider,
    { id: `AwsSolutions-IAM4[Policy::${nagFindingText(provider, basicExecutionRole)}]`, reason },
    { id: 'Serverless-LambdaDLQ', reason },
    { id: 'Serverless-LambdaDefaultMemorySize', reason },
    { id: 'Serverless-LambdaTracing', reason },
    { id: 'AwsSolutions-L1', reason },
    { id: 'Serverless-LambdaLatestVersion', reason },
  );
}

/** The framework function of a CDK custom-resource Provider: shaped by aws-cdk-lib, invoked only by CloudFormation. */
export function acknowledgeProviderFramework(
  provider: cr.Provider,
  handlerArn: string,
  purpose: string,
): void {
  const reason = `aws-cdk-lib's custom-resource Provider framework (${purpose}); its role and runtime settings are fixed by CDK, and it only invokes our handler for CloudFormation`;
  const basicExecutionRole = iam.ManagedPolicy.fromAwsManagedPolicyName(
    'service-role/AWSLambdaBasicExecutionRole',
  ).managedPolicyArn;
  acknowledge(
    provider,
    { id: `AwsSolutions-IAM4[Policy::${nagFindingText(provider, basicExecutionRole)}]`, reason },
    {
      id: `AwsSolutions-IAM5[Resource::${nagFindingText(provider, handlerArn)}:*]`,
      reason: `${reason}: it may invoke every version of our handler`,
    },
    { id: 'Serverless-LambdaDLQ', reason },
    { id: 'Serverless-LambdaDefaultMemorySize', reason },
    { id: 'Serverless-LambdaTracing', reason },
    { id: 'AwsSolutions-L1', reason },
    { id: 'Serverless-LambdaLatestVersion', reason },
  );
}
