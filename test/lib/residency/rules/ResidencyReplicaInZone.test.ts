import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ResidencyReplicaInZone } from '../../../../lib/residency';
import { synthInventory, violations, zoneStack } from '../support';

const partitionKey = { name: 'pk', type: dynamodb.AttributeType.STRING };

describe('ResidencyReplicaInZone', () => {
  it('passes a global table whose replica stays in the zone', () => {
    const inventory = synthInventory((app) => {
      new dynamodb.TableV2(zoneStack(app, 'EuPrimary', 'eu', 'eu-central-1'), 'Commerce', {
        partitionKey,
        replicas: [{ region: 'eu-west-1' }],
      });
    });

    const findings = ResidencyReplicaInZone.evaluate(inventory);

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ compliant: true, constructPath: 'EuPrimary/Commerce/Resource' });
  });

  it('fails an eu table replica in us-east-1', () => {
    const inventory = synthInventory((app) => {
      new dynamodb.TableV2(zoneStack(app, 'EuPrimary', 'eu', 'eu-central-1'), 'Commerce', {
        partitionKey,
        replicas: [{ region: 'eu-west-1' }, { region: 'us-east-1' }],
      });
    });

    const found = violations(ResidencyReplicaInZone.evaluate(inventory));

    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      ruleId: 'ResidencyReplicaInZone',
      constructPath: 'EuPrimary/Commerce/Resource',
      location: expect.stringMatching(/^Properties\/Replicas\/\d\/Region$/),
    });
    expect(found[0]!.message).toContain('us-east-1');
  });

  it('fails S3 replication to a bucket of the assembly that lives in the US', () => {
    const inventory = synthInventory((app) => {
      new s3.Bucket(zoneStack(app, 'UsStore', 'global', 'us-east-1'), 'Target', {
        bucketName: 'shop-us-archive',
        versioned: true,
      });
      const source = new s3.Bucket(zoneStack(app, 'EuStore', 'eu', 'eu-central-1'), 'Exports', {
        versioned: true,
      });
      (source.node.defaultChild as s3.CfnBucket).replicationConfiguration = {
        role: 'arn:aws:iam::111111111111:role/replication',
        rules: [{ status: 'Enabled', destination: { bucket: 'arn:aws:s3:::shop-us-archive' } }],
      };
    });

    const found = violations(ResidencyReplicaInZone.evaluate(inventory));

    expect(found.map((f) => f.constructPath)).toEqual(['EuStore/Exports/Resource']);
    expect(found[0]!.message).toContain('us-east-1');
  });

  it('passes S3 replication to an in-zone bucket and fails one to an unknown bucket', () => {
    const inventory = synthInventory((app) => {
      new s3.Bucket(zoneStack(app, 'EuDr', 'eu', 'eu-west-1'), 'Target', { bucketName: 'shop-eu-dr' });
      const stack = zoneStack(app, 'EuStore', 'eu', 'eu-central-1');
      for (const [id, bucket] of [
        ['InZone', 'arn:aws:s3:::shop-eu-dr'],
        ['Unknown', 'arn:aws:s3:::somebody-elses-bucket'],
      ] as const) {
        (new s3.Bucket(stack, id).node.defaultChild as s3.CfnBucket).replicationConfiguration = {
          role: 'arn:aws:iam::111111111111:role/replication',
          rules: [{ status: 'Enabled', destination: { bucket } }],
        };
      }
    });

    const findings = ResidencyReplicaInZone.evaluate(inventory);

    expect(findings.map((f) => [f.constructPath, f.compliant])).toEqual([
      ['EuStore/InZone/Resource', true],
      ['EuStore/Unknown/Resource', false],
    ]);
  });

  it('fails a log subscription that ships eu logs to another region', () => {
    const inventory = synthInventory((app) => {
      const stack = zoneStack(app, 'EuCell', 'eu', 'eu-central-1');
      const group = new logs.LogGroup(stack, 'ApiLogs');
      new logs.CfnSubscriptionFilter(stack, 'ToSiem', {
        logGroupName: group.logGroupName,
        filterPattern: '',
        destinationArn: 'arn:aws:logs:us-east-1:333333333333:destination:siem',
      });
    });

    const found = violations(ResidencyReplicaInZone.evaluate(inventory));

    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ constructPath: 'EuCell/ToSiem', location: 'Properties/DestinationArn' });
  });
});
