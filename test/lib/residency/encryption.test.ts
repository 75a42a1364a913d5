import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { encryptionAtRest } from '../../../lib/residency';
import { synthInventory, zoneStack } from './support';

describe('encryptionAtRest', () => {
  const inventory = synthInventory((app) => {
    const stack = zoneStack(app, 'Eu', 'eu', 'eu-central-1');
    const alias = new kms.Alias(stack, 'Alias', {
      aliasName: 'alias/shop-data',
      targetKey: new kms.Key(stack, 'Key'),
    });
    new sqs.Queue(stack, 'ByAlias', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: alias });
    new sqs.Queue(stack, 'ByAliasName', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: kms.Alias.fromAliasName(stack, 'Foreign', 'alias/x'),
    });
    new dynamodb.TableV2(stack, 'Managed', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
    });
    const raw = new sqs.CfnQueue(stack, 'ArnInUs', {
      kmsMasterKeyId: 'arn:aws:kms:us-east-1:111111111111:alias/shop-data',
    });
    raw.overrideLogicalId('ArnInUs');
  });
  const of = (path: string) =>
    encryptionAtRest(inventory.resources.find((r) => r.constructPath.startsWith(`Eu/${path}`))!, inventory);

  it('follows an alias of the stack to its key: customer-managed, same region', () => {
    expect(of('ByAlias')).toEqual([
      expect.objectContaining({
        kind: 'customer-managed',
        keyRegion: 'eu-central-1',
        dataRegion: 'eu-central-1',
      }),
    ]);
  });

  it('resolves an imported alias name to an alias ARN in the stack region', () => {
    expect(of('ByAliasName')).toEqual([
      expect.objectContaining({
        kind: 'customer-managed',
        keyRegion: 'eu-central-1',
        key: expect.stringContaining('alias/x'),
      }),
    ]);
  });

  it('reads the region of a key or alias ARN, so a key in another region shows', () => {
    expect(of('ArnInUs')).toEqual([
      expect.objectContaining({ kind: 'customer-managed', keyRegion: 'us-east-1' }),
    ]);
  });

  it('calls a table on the DynamoDB AWS-managed key what it is', () => {
    expect(of('Managed')).toEqual([
      expect.objectContaining({ kind: 'aws-managed', dataRegion: 'eu-central-1' }),
    ]);
  });
});
