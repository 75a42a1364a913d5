import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
} from '@aws-sdk/client-route53-recovery-cluster';
import { mockClient } from 'aws-sdk-client-mock';
import { ArcWriterFence } from '../../../lambdas/adapters/arc-writer-fence';

const ARN = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/east';
const ENDPOINTS = [
  { endpoint: 'https://host-a.us-east-1.example.com/v1', region: 'us-east-1' },
  { endpoint: 'https://host-b.us-west-2.example.com/v1', region: 'us-west-2' },
];

describe('ArcWriterFence', () => {
  const arc = mockClient(Route53RecoveryClusterClient);
  const clock = { now: 1_000_000 };
  const fence = () =>
    new ArcWriterFence({
      routingControlArn: ARN,
      clusterEndpoints: ENDPOINTS,
      now: () => clock.now,
      clientFor: (e) => new Route53RecoveryClusterClient({ endpoint: e.endpoint, region: e.region }),
    });
  beforeEach(() => {
    arc.reset();
    clock.now = 1_000_000;
  });

  it('is the writer while its routing control is On, asking with the control ARN', async () => {
    arc.on(GetRoutingControlStateCommand).resolves({ RoutingControlArn: ARN, RoutingControlState: 'On' });
    // Act
    const state = await fence().state();
    // Assess
    expect(state).toEqual({ writer: true });
    expect(arc.commandCalls(GetRoutingControlStateCommand)[0]!.args[0].input).toEqual({
      RoutingControlArn: ARN,
    });
  });

  it('is not the writer when the control is Off, and says why', async () => {
    arc.on(GetRoutingControlStateCommand).resolves({ RoutingControlArn: ARN, RoutingControlState: 'Off' });
    // Act
    const state = await fence().state();
    // Assess
    expect(state.writer).toBe(false);
    expect(state.reason).toMatch(/routing control is Off/);
  });

  it('asks the next cluster endpoint when one fails, and caches the answer for a second', async () => {
    arc
      .on(GetRoutingControlStateCommand)
      .rejectsOnce(new Error('endpoint down'))
      .resolves({ RoutingControlArn: ARN, RoutingControlState: 'On' });
    const writerFence = fence();
    // Act
    const first = await writerFence.state();
    const cached = await writerFence.state();
    // Assess
    expect(first.writer).toBe(true);
    expect(cached.writer).toBe(true);
    expect(arc.commandCalls(GetRoutingControlStateCommand)).toHaveLength(2);
  });

  it('keeps the last known state for 60 s when no endpoint answers, then stops writing (fail closed)', async () => {
    arc.on(GetRoutingControlStateCommand).resolvesOnce({ RoutingControlArn: ARN, RoutingControlState: 'On' });
    const writerFence = fence();
    expect((await writerFence.state()).writer).toBe(true);
    arc.on(GetRoutingControlStateCommand).rejects(new Error('ARC unreachable'));
    // Act
    clock.now += 30_000;
    const duringBlip = await writerFence.state();
    clock.now += 31_000;
    const afterFailStatic = await writerFence.state();
    // Assess
    expect(duringBlip.writer).toBe(true);
    expect(afterFailStatic).toMatchObject({
      writer: false,
      reason: expect.stringMatching(/no ARC cluster endpoint/),
    });
  });

  it('refuses to start without cluster endpoints, naming the variable to set', () => {
    expect(() => new ArcWriterFence({ routingControlArn: ARN, clusterEndpoints: [] })).toThrow(
      /ARC_CLUSTER_ENDPOINTS/,
    );
  });
});
