import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledge } from '../constructs/nag-acknowledgements';
import { SHARED_ZONE_TAG } from '../tagging';
import type { Partition, TopologyModel } from '../topology';
import { tagZone } from './zone-tags';

export interface AccountEnvironment {
  readonly partition: Partition;
  readonly account: string;
  readonly region: string;
}

export function accountBaselineStackName(model: TopologyModel, region: string): string {
  return `${model.appName}-baseline-${region}`;
}

/** Account and region of every cell: each needs API Gateway's account settings before its stage can log. */
export function cellEnvironments(model: TopologyModel): readonly AccountEnvironment[] {
  const seen = new Map<string, AccountEnvironment>();
  for (const cell of model.cells) {
    seen.set(`${cell.account}/${cell.region}`, {
      partition: cell.partition,
      account: cell.account,
      region: cell.region,
    });
  }
  return [...seen.values()];
}

export interface AccountBaselineStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  readonly model: TopologyModel;
  readonly environment: AccountEnvironment;
}

/**
 * What a fresh account needs in a region before a cell's API stage can deploy:
 * API Gateway's account-level CloudWatch Logs role. API Gateway rejects a stage
 * with access logging in a region where that role was never set. The role and
 * the setting are retained: other APIs of the account may rely on them, and
 * removing the setting would break their logging.
 */
export class AccountBaselineStack extends Stack {
  readonly apiGatewayLoggingRole: iam.Role;

  constructor(scope: Construct, id: string, props: AccountBaselineStackProps) {
    const { model, environment, ...stackProps } = props;
    super(scope, id, {
      ...stackProps,
      stackName: accountBaselineStackName(model, environment.region),
      env: { account: environment.account, region: environment.region },
      description: `${model.appName}: account settings cells need in ${environment.region} (API Gateway logging role)`,
    });
    tagZone(this, model, { name: SHARED_ZONE_TAG, residency: 'none' });

    this.apiGatewayLoggingRole = new iam.Role(this, 'ApiGatewayLoggingRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description:
        'API Gateway writes access logs of every API in this account and region to CloudWatch Logs',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      ],
    });
    this.apiGatewayLoggingRole.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new apigw.CfnAccount(this, 'ApiGatewayAccount', {
      cloudWatchRoleArn: this.apiGatewayLoggingRole.roleArn,
    });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);

    acknowledge(this.apiGatewayLoggingRole, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's documented policy for its account-level logging role; it can only be assumed by apigateway.amazonaws.com",
    });
  }
}
