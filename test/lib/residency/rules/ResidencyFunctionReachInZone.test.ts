import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Stack } from 'aws-cdk-lib';
import { ResidencyFunctionReachInZone } from '../../../../lib/residency';
import { synthInventory, violations, zoneStack } from '../support';

const fn = (stack: Stack) =>
  new lambda.Function(stack, 'Api', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });

describe('ResidencyFunctionReachInZone', () => {
  it('passes a function that reaches its own zone table', () => {
    const inventory = synthInventory((app) => {
      const stack = zoneStack(app, 'EuCell', 'eu', 'eu-central-1');
      const table = new dynamodb.TableV2(stack, 'Commerce', {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      });
      table.grantReadData(fn(stack));
    });

    const findings = ResidencyFunctionReachInZone.evaluate(inventory);

    expect(findings.map((f) => [f.constructPath, f.compliant])).toEqual([['EuCell/Api/Resource', true]]);
  });

  it('fails a global-zone function whose role reaches an eu table by ARN', () => {
    const inventory = synthInventory((app) => {
      const stack = zoneStack(app, 'GlobalCell', 'global', 'us-east-1');
      dynamodb.TableV2.fromTableArn(
        stack,
        'EuTable',
        'arn:aws:dynamodb:eu-central-1:111111111111:table/shop-eu-commerce',
      ).grantReadData(fn(stack));
    });

    const found = violations(ResidencyFunctionReachInZone.evaluate(inventory));

    expect(found.map((f) => [f.ruleId, f.constructPath])).toEqual([
      ['ResidencyFunctionReachInZone', 'GlobalCell/Api/Resource'],
    ]);
    expect(found[0]!.message).toContain('eu-central-1, outside zone global');
  });
});
