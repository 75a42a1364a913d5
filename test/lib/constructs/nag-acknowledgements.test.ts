import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { nagFindingText } from '../../../lib/constructs/nag-acknowledgements';

describe('nagFindingText', () => {
  it('spells token-valued ARNs the way cdk-nag names findings', () => {
    // Without partition literals the partition stays a Ref, as in an app without cdk.json.
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-west-2' } });
    const table = new dynamodb.TableV2(stack, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    const imported = dynamodb.TableV2.fromTableName(stack, 'Imported', 'commerce-global-commerce');
    expect(nagFindingText(stack, table.tableArn)).toMatch(/^<Table[0-9A-F]+\.Arn>$/);
    expect(nagFindingText(stack, imported.tableArn)).toBe(
      'arn:<AWS::Partition>:dynamodb:us-west-2:111111111111:table/commerce-global-commerce',
    );
    expect(nagFindingText(stack, 'plain')).toBe('plain');
  });
});
