import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ResidencyCustomerManagedKey } from '../../../../lib/residency';
import { synthInventory, violations, zoneStack } from '../support';

const partitionKey = { name: 'pk', type: dynamodb.AttributeType.STRING };
const WEST_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555';
const US_KEY = 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555';

describe('ResidencyCustomerManagedKey', () => {
  it('passes a global table with a customer-managed key per replica region, a queue and a bucket with local keys', () => {
    const inventory = synthInventory((app) => {
      const stack = zoneStack(app, 'Eu', 'eu', 'eu-central-1');
      const key = new kms.Key(stack, 'Key');
      new dynamodb.TableV2(stack, 'Commerce', {
        partitionKey,
        encryption: dynamodb.TableEncryptionV2.customerManagedKey(key, { 'eu-west-1': WEST_KEY }),
        replicas: [{ region: 'eu-west-1' }],
      });
      new sqs.Queue(stack, 'Webhooks', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key });
      new s3.Bucket(stack, 'Exports', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
    });

    const findings = ResidencyCustomerManagedKey.evaluate(inventory);

    expect(violations(findings)).toEqual([]);
    expect(findings.map((f) => f.constructPath).sort()).toEqual([
      'Eu/Commerce/Resource',
      'Eu/Commerce/Resource',
      'Eu/Exports/Resource',
      'Eu/Webhooks/Resource',
    ]);
  });

  it('fails a replica encrypted with a key in another region', () => {
    const inventory = synthInventory((app) => {
      const stack = zoneStack(app, 'Eu', 'eu', 'eu-central-1');
      new dynamodb.TableV2(stack, 'Commerce', {
        partitionKey,
        encryption: dynamodb.TableEncryptionV2.customerManagedKey(new kms.Key(stack, 'Key'), {
          'eu-west-1': US_KEY,
        }),
        replicas: [{ region: 'eu-west-1' }],
      });
    });

    const found = violations(ResidencyCustomerManagedKey.evaluate(inventory));

    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      ruleId: 'ResidencyCustomerManagedKey',
      constructPath: 'Eu/Commerce/Resource',
      location: expect.stringContaining('SSESpecification/KMSMasterKeyId'),
    });
    expect(found[0]!.message).toContain('in us-east-1');
  });

  it('fails customer data on AWS-owned or AWS-managed keys, and skips stores tagged non-personal', () => {
    const inventory = synthInventory((app) => {
      const personal = zoneStack(app, 'Eu', 'eu', 'eu-central-1');
      new dynamodb.TableV2(personal, 'OwnedKey', { partitionKey });
      new sqs.Queue(personal, 'ManagedKey', { encryption: sqs.QueueEncryption.KMS_MANAGED });
      new s3.Bucket(zoneStack(app, 'Assets', 'eu', 'eu-central-1', 'public'), 'Static');
    });

    const found = violations(ResidencyCustomerManagedKey.evaluate(inventory));

    expect(found.map((f) => f.constructPath).sort()).toEqual([
      'Eu/ManagedKey/Resource',
      'Eu/OwnedKey/Resource',
    ]);
  });
});
