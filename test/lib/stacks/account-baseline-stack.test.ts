import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccountBaselineStack, cellEnvironments } from '../../../lib/stacks/account-baseline-stack';
import { loadTopology } from '../../../lib/topology';
import { newCommerceApp } from '../app/synth-fixture';

describe('AccountBaselineStack', () => {
  const model = loadTopology('topology.yaml');

  it('is needed once per account and region that hosts a cell, in each partition', () => {
    expect(cellEnvironments(model)).toEqual([
      { partition: 'aws', account: '111111111111', region: 'us-east-1' },
      { partition: 'aws', account: '111111111111', region: 'us-west-2' },
      { partition: 'aws-eusc', account: '222222222222', region: 'eusc-de-east-1' },
    ]);
  });

  it("sets API Gateway's account CloudWatch role (push-to-logs policy) and retains both", () => {
    const stack = new AccountBaselineStack(newCommerceApp(), 'Baseline', {
      model,
      environment: cellEnvironments(model)[2]!,
    });
    const template = Template.fromStack(stack);

    expect({ name: stack.stackName, account: stack.account, region: stack.region }).toEqual({
      name: 'commerce-baseline-eusc-de-east-1',
      account: '222222222222',
      region: 'eusc-de-east-1',
    });
    template.hasResource('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
        },
        ManagedPolicyArns: [
          Match.objectLike({
            'Fn::Join': [
              '',
              Match.arrayWith([':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs']),
            ],
          }),
        ],
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::ApiGateway::Account', {
      Properties: {
        CloudWatchRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiGatewayLoggingRole'), 'Arn'] },
      },
      DeletionPolicy: 'Retain',
    });
  });
});
