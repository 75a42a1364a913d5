import {
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import {
  DeleteParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { onEvent, WIRING_PHYSICAL_ID, type WiringProperties } from '../../../lambdas/failover/wiring';
import { ENDPOINTS, PRIMARY_ARN, SECONDARY_ARN, trackingClientFor } from './support';

const ssm = mockClient(SSMClient);
const cluster = mockClient(Route53RecoveryClusterClient);

const PROPERTIES: WiringProperties = {
  ClusterEndpoints: ENDPOINTS,
  Parameters: [
    {
      region: 'us-east-1',
      name: '/commerce/failover/global/us-east-1/routing-control-arn',
      value: PRIMARY_ARN,
    },
    {
      region: 'us-west-2',
      name: '/commerce/failover/global/us-west-2/routing-control-arn',
      value: SECONDARY_ARN,
    },
    { region: 'us-east-1', name: '/commerce/failover/cluster-endpoints', value: JSON.stringify(ENDPOINTS) },
  ],
  InitialStates: [
    { routingControlArn: PRIMARY_ARN, state: 'On' },
    { routingControlArn: SECONDARY_ARN, state: 'Off' },
  ],
};

function deps() {
  const regionOf = new Map<unknown, string>();
  const { clientFor } = trackingClientFor();
  return {
    regionOf,
    deps: {
      ssmFor: (region: string) => {
        const client = new SSMClient({ region });
        regionOf.set(client, region);
        return client;
      },
      clusterClientFor: clientFor,
    },
  };
}

describe('failover wiring custom resource', () => {
  beforeEach(() => {
    ssm.reset();
    cluster.reset();
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    cluster.on(UpdateRoutingControlStatesCommand).resolves({});
  });

  it('on Create writes each parameter in its own region and turns the primary ON, the secondary OFF', async () => {
    const { deps: d, regionOf } = deps();

    const result = await onEvent({ RequestType: 'Create', ResourceProperties: PROPERTIES }, d);

    expect(result).toEqual({ PhysicalResourceId: WIRING_PHYSICAL_ID });
    const puts = ssm.commandCalls(PutParameterCommand);
    expect(puts.map((c) => [regionOf.get(c.thisValue), c.args[0].input])).toEqual(
      PROPERTIES.Parameters.map((p) => [
        p.region,
        { Name: p.name, Value: p.value, Type: 'String', Overwrite: true },
      ]),
    );
    expect(cluster.commandCalls(UpdateRoutingControlStatesCommand).map((c) => c.args[0].input)).toEqual([
      {
        UpdateRoutingControlStateEntries: [
          { RoutingControlArn: PRIMARY_ARN, RoutingControlState: 'On' },
          { RoutingControlArn: SECONDARY_ARN, RoutingControlState: 'Off' },
        ],
      },
    ]);
  });

  it('on Update rewrites the parameters, deletes dropped ones, and never touches existing controls', async () => {
    ssm.on(DeleteParameterCommand).resolves({});
    const { deps: d, regionOf } = deps();
    const current = { ...PROPERTIES, Parameters: PROPERTIES.Parameters.slice(0, 2) };

    await onEvent(
      {
        RequestType: 'Update',
        PhysicalResourceId: WIRING_PHYSICAL_ID,
        ResourceProperties: current,
        OldResourceProperties: PROPERTIES,
      },
      d,
    );

    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(2);
    expect(
      ssm.commandCalls(DeleteParameterCommand).map((c) => [regionOf.get(c.thisValue), c.args[0].input]),
    ).toEqual([['us-east-1', { Name: '/commerce/failover/cluster-endpoints' }]]);
    expect(cluster.commandCalls(UpdateRoutingControlStatesCommand)).toHaveLength(0);
  });

  it('on Update gives only a new routing control its initial state', async () => {
    const { deps: d } = deps();
    const replaced = `${SECONDARY_ARN}-2`;
    const current = {
      ...PROPERTIES,
      InitialStates: [PROPERTIES.InitialStates[0]!, { routingControlArn: replaced, state: 'Off' as const }],
    };

    await onEvent(
      {
        RequestType: 'Update',
        PhysicalResourceId: WIRING_PHYSICAL_ID,
        ResourceProperties: current,
        OldResourceProperties: PROPERTIES,
      },
      d,
    );

    expect(cluster.commandCalls(UpdateRoutingControlStatesCommand).map((c) => c.args[0].input)).toEqual([
      { UpdateRoutingControlStateEntries: [{ RoutingControlArn: replaced, RoutingControlState: 'Off' }] },
    ]);
  });

  it('on Delete removes every parameter, tolerating ones already gone', async () => {
    ssm
      .on(DeleteParameterCommand)
      .rejectsOnce(new ParameterNotFound({ message: 'gone', $metadata: {} }))
      .resolves({});
    const { deps: d } = deps();

    await onEvent(
      { RequestType: 'Delete', PhysicalResourceId: WIRING_PHYSICAL_ID, ResourceProperties: PROPERTIES },
      d,
    );

    expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(PROPERTIES.Parameters.length);
    expect(cluster.commandCalls(UpdateRoutingControlStatesCommand)).toHaveLength(0);
  });

  it('names the bad field when the properties are invalid, and writes nothing', async () => {
    const { deps: d } = deps();

    await expect(
      onEvent({ RequestType: 'Create', ResourceProperties: { ...PROPERTIES, ClusterEndpoints: [] } }, d),
    ).rejects.toThrow(/ClusterEndpoints/);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });
});
