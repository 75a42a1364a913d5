import {
  GetRoutingControlStateCommand,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { ArcWriterFence } from '../../lambdas/adapters/arc-writer-fence';
import { updateRoutingControlStates } from '../../lambdas/failover/routing-controls';
import { loadTopology, zoneByName } from '../../lib/topology';
import {
  LOCAL_ARC_ENDPOINTS,
  LocalRoutingControls,
  RoutingControlRefused,
  routingControlArnOf,
} from '../../local/routing-controls';

/** The SIMULATED ARC cluster against what ARC documents: states per control, the safety rule, one change at a time. */
describe('local/routing-controls LocalRoutingControls', () => {
  const model = loadTopology('topology.yaml');
  const global = zoneByName(model, 'global');
  const primaryArn = routingControlArnOf(global.primary);
  const secondaryArn = routingControlArnOf(global.secondary!);

  it('fences only the zones the model fences, starting with the primary ON', () => {
    // Act
    const controls = new LocalRoutingControls(model);
    // Assess
    expect(model.zones.filter((z) => controls.isFenced(z.name)).map((z) => z.name)).toEqual(['global']);
    expect(controls.writersOf('global')).toEqual([global.primary.region]);
    expect(controls.isOn('eu', zoneByName(model, 'eu').primary.region)).toBe(true);
  });

  it("answers the production code's two calls: the promoter's change and the fence's read", async () => {
    // Arrange
    const controls = new LocalRoutingControls(model);
    const fence = (arn: string) =>
      new ArcWriterFence({
        routingControlArn: arn,
        clusterEndpoints: LOCAL_ARC_ENDPOINTS,
        clientFor: controls.clientFor('cell'),
        cacheMs: 0,
      });
    // Act
    const update = await updateRoutingControlStates(
      LOCAL_ARC_ENDPOINTS,
      [
        { routingControlArn: secondaryArn, state: 'On' },
        { routingControlArn: primaryArn, state: 'Off' },
      ],
      controls.clientFor('promoter'),
    );
    // Assess
    expect(update.acceptedBy).toEqual(LOCAL_ARC_ENDPOINTS[0]);
    expect(controls.writersOf('global')).toEqual([global.secondary!.region]);
    expect((await fence(primaryArn).state()).writer).toBe(false);
    expect((await fence(secondaryArn).state()).writer).toBe(true);
    expect(controls.changes.at(-1)).toMatchObject({
      zone: 'global',
      on: [global.secondary!.region],
      by: 'promoter',
    });
  });

  it('refuses a change that would leave a zone with no control ON (the safety rule), and changes nothing', async () => {
    // Arrange
    const controls = new LocalRoutingControls(model);
    const client = controls.clientFor('operator')(LOCAL_ARC_ENDPOINTS[0]!);
    // Act
    const both = client.send(
      new UpdateRoutingControlStatesCommand({
        UpdateRoutingControlStateEntries: [
          { RoutingControlArn: primaryArn, RoutingControlState: 'Off' },
          { RoutingControlArn: secondaryArn, RoutingControlState: 'Off' },
        ],
      }),
    );
    // Assess
    await expect(both).rejects.toThrow(RoutingControlRefused);
    await expect(both).rejects.toThrow(/safety rule of zone global/);
    expect(controls.writersOf('global')).toEqual([global.primary.region]);
  });

  it('refuses an unknown control', async () => {
    // Arrange
    const client = new LocalRoutingControls(model).clientFor('cell')(LOCAL_ARC_ENDPOINTS[0]!);
    // Act
    const read = client.send(new GetRoutingControlStateCommand({ RoutingControlArn: 'arn:aws:nothing' }));
    // Assess
    await expect(read).rejects.toThrow(/no routing control arn:aws:nothing/);
  });
});
