import { Stack, Tags } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ResidencyTagged } from '../../../../lib/residency';
import { synthInventory, violations, zoneStack } from '../support';

describe('ResidencyTagged', () => {
  it('passes a resource tagged with a topology zone and a known classification', () => {
    const inventory = synthInventory((app) => {
      new sqs.Queue(zoneStack(app, 'Eu', 'eu', 'eu-central-1', 'operational'), 'Jobs');
    });

    expect(ResidencyTagged.evaluate(inventory).map((f) => [f.constructPath, f.compliant])).toEqual([
      ['Eu/Jobs/Resource', true],
    ]);
  });

  it('accepts the shared zone tag for routing and CDN resources, but not on personal data', () => {
    const inventory = synthInventory((app) => {
      new sqs.Queue(zoneStack(app, 'Routing', 'shared', 'us-east-1', 'operational'), 'Jobs');
      new sqs.Queue(zoneStack(app, 'Leaky', 'shared', 'us-east-1', 'personal'), 'Jobs');
    });

    const findings = ResidencyTagged.evaluate(inventory);

    expect(findings.map((f) => [f.constructPath, f.compliant])).toEqual([
      ['Routing/Jobs/Resource', true],
      ['Leaky/Jobs/Resource', false],
    ]);
  });

  it('fails untagged resources, unknown zones and unknown classifications, naming each', () => {
    const inventory = synthInventory((app) => {
      const untagged = new Stack(app, 'Untagged', {
        env: { account: '111111111111', region: 'eu-central-1' },
      });
      new sqs.Queue(untagged, 'Jobs');
      const wrong = zoneStack(app, 'Wrong', 'mars', 'eu-central-1', 'secret');
      new sqs.Queue(wrong, 'Jobs');
      Tags.of(wrong).add('commerce:app', 'shop');
    });

    const found = violations(ResidencyTagged.evaluate(inventory));

    expect(found.map((f) => [f.ruleId, f.constructPath])).toEqual([
      ['ResidencyTagged', 'Untagged/Jobs/Resource'],
      ['ResidencyTagged', 'Wrong/Jobs/Resource'],
    ]);
    expect(found[0]!.message).toContain('no residency:zone tag');
    expect(found[1]!.message).toContain('residency:zone=mars is not a topology zone');
    expect(found[1]!.message).toContain('data:classification=secret');
  });
});
