import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { buildCommerceApp } from '../../../lib/app/build-app';
import { loadTopology } from '../../../lib/topology';
import { newCommerceApp } from './synth-fixture';

/**
 * The residency rules guard every synth of the real composition (build-app.test.ts shows both shipped
 * topologies pass with them on); here, a violation added to a real cell fails synth.
 */
describe('buildCommerceApp residency guard', () => {
  it('fails synth, naming the rule and the construct, when an EU table replicates to us-east-1', () => {
    // Prepare: a rogue global table in the EU primary cell with a replica outside the zone.
    const app = newCommerceApp();
    const built = buildCommerceApp(app, loadTopology('topologies/eu-regional.yaml'), { nag: false });
    const euPrimary = built.cells.find((c) => c.stackName === 'commerce-cell-eu-eu-central-1')!;
    new dynamodb.TableV2(euPrimary, 'RogueTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      replicas: [{ region: 'us-east-1' }],
    });
    // Act + Assess
    expect(() => app.synth()).toThrow(/ResidencyReplicaInZone[\s\S]*RogueTable/);
  });
});
