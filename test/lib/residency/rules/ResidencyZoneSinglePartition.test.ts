import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { ResidencyZoneSinglePartition } from '../../../../lib/residency';
import { synthInventory, violations, zoneStack } from '../support';

describe('ResidencyZoneSinglePartition', () => {
  it('passes a sovereign-zone store inside aws-eusc', () => {
    const inventory = synthInventory((app) => {
      new events.EventBus(zoneStack(app, 'Sov', 'sov', 'eusc-de-east-1'), 'Bus');
    });

    const findings = ResidencyZoneSinglePartition.evaluate(inventory);

    expect(findings.map((f) => [f.constructPath, f.compliant])).toEqual([['Sov/Bus/Resource', true]]);
  });

  it('fails a sovereign-zone table that replicates into the aws partition', () => {
    const inventory = synthInventory((app) => {
      new dynamodb.TableV2(zoneStack(app, 'Sov', 'sov', 'eusc-de-east-1'), 'Commerce', {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        replicas: [{ region: 'eu-central-1' }],
      });
    });

    const [finding, ...rest] = violations(ResidencyZoneSinglePartition.evaluate(inventory));

    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'ResidencyZoneSinglePartition',
      constructPath: 'Sov/Commerce/Resource',
    });
    expect(finding!.message).toContain('eu-central-1 (aws)');
  });

  it('fails a sovereign-zone store deployed in an aws-partition stack', () => {
    const inventory = synthInventory((app) => {
      new events.EventBus(zoneStack(app, 'SovInAws', 'sov', 'eu-central-1'), 'Bus');
    });

    expect(violations(ResidencyZoneSinglePartition.evaluate(inventory)).map((f) => f.constructPath)).toEqual([
      'SovInAws/Bus/Resource',
    ]);
  });
});
