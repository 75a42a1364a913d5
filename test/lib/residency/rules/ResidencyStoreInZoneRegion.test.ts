import { type App, CfnWaitConditionHandle, Stack, Tags } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ResidencyStoreInZoneRegion } from '../../../../lib/residency';
import { synthInventory, violations, zoneStack } from '../support';

describe('ResidencyStoreInZoneRegion', () => {
  it('passes a store in one of its zone regions', () => {
    // Prepare
    const inventory = synthInventory((app) => {
      new sqs.Queue(zoneStack(app, 'EuCell', 'eu', 'eu-west-1'), 'Deliveries');
    });
    // Act
    const findings = ResidencyStoreInZoneRegion.evaluate(inventory);
    // Assess
    expect(findings.map((f) => [f.constructPath, f.compliant])).toEqual([
      ['EuCell/Deliveries/Resource', true],
    ]);
  });

  it('fails an eu store deployed in us-east-1, naming the resource and the zone regions', () => {
    const inventory = synthInventory((app) => {
      new sqs.Queue(zoneStack(app, 'Misplaced', 'eu', 'us-east-1'), 'Deliveries');
    });

    const [finding] = violations(ResidencyStoreInZoneRegion.evaluate(inventory));

    expect(finding).toMatchObject({
      ruleId: 'ResidencyStoreInZoneRegion',
      constructPath: 'Misplaced/Deliveries/Resource',
      type: 'AWS::SQS::Queue',
    });
    expect(finding!.message).toContain('us-east-1');
    expect(finding!.fix).toContain('eu-central-1');
  });

  it('fails a store in an environment-agnostic stack: its region cannot be shown', () => {
    const inventory = synthInventory((app) => {
      const stack = new Stack(app, 'Agnostic');
      Tags.of(stack).add('residency:zone', 'eu');
      new sqs.Queue(stack, 'Deliveries');
    });

    const [finding] = violations(ResidencyStoreInZoneRegion.evaluate(inventory));

    expect(finding).toMatchObject({ constructPath: 'Agnostic/Deliveries/Resource' });
    expect(finding!.message).toContain('environment-agnostic');
  });

  it('ignores resources that hold no data', () => {
    const inventory = synthInventory((app: App) => {
      new CfnWaitConditionHandle(zoneStack(app, 'NoData', 'eu', 'us-east-1'), 'Marker');
    });

    expect(ResidencyStoreInZoneRegion.evaluate(inventory)).toEqual([]);
  });
});
