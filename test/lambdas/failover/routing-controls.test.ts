import {
  EndpointTemporarilyUnavailableException,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { mockClient } from 'aws-sdk-client-mock';
import {
  RoutingControlUpdateError,
  updateRoutingControlStates,
} from '../../../lambdas/failover/routing-controls';
import { ENDPOINTS, PRIMARY_ARN, SECONDARY_ARN, trackingClientFor } from './support';

const cluster = mockClient(Route53RecoveryClusterClient);
const unavailable = () =>
  new EndpointTemporarilyUnavailableException({ message: 'endpoint down', $metadata: {} });
const changes = [
  { routingControlArn: SECONDARY_ARN, state: 'On' as const },
  { routingControlArn: PRIMARY_ARN, state: 'Off' as const },
];

describe('updateRoutingControlStates', () => {
  beforeEach(() => cluster.reset());

  it('sends every change in one request to the first endpoint and stops when it accepts', async () => {
    cluster.on(UpdateRoutingControlStatesCommand).resolves({});
    const { clientFor, endpointOf } = trackingClientFor();

    const update = await updateRoutingControlStates(ENDPOINTS, changes, clientFor);

    const calls = cluster.commandCalls(UpdateRoutingControlStatesCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      UpdateRoutingControlStateEntries: [
        { RoutingControlArn: SECONDARY_ARN, RoutingControlState: 'On' },
        { RoutingControlArn: PRIMARY_ARN, RoutingControlState: 'Off' },
      ],
    });
    expect(endpointOf.get(calls[0]!.thisValue)).toBe(ENDPOINTS[0]!.endpoint);
    expect(update).toEqual({ acceptedBy: ENDPOINTS[0], failures: [] });
  });

  it('tries the next endpoint when one fails, and reports the failure', async () => {
    cluster.on(UpdateRoutingControlStatesCommand).rejectsOnce(unavailable()).resolves({});
    const { clientFor, endpointOf } = trackingClientFor();

    const update = await updateRoutingControlStates(ENDPOINTS, changes, clientFor);

    const calls = cluster.commandCalls(UpdateRoutingControlStatesCommand);
    expect(calls.map((c) => endpointOf.get(c.thisValue))).toEqual([
      ENDPOINTS[0]!.endpoint,
      ENDPOINTS[1]!.endpoint,
    ]);
    expect(update.acceptedBy).toEqual(ENDPOINTS[1]);
    expect(update.failures).toEqual([
      {
        endpoint: ENDPOINTS[0]!.endpoint,
        region: 'us-west-2',
        error: 'EndpointTemporarilyUnavailableException: endpoint down',
      },
    ]);
  });

  it('throws with every endpoint and its error when none accepts', async () => {
    cluster.on(UpdateRoutingControlStatesCommand).rejects(unavailable());
    const { clientFor } = trackingClientFor();

    const attempt = updateRoutingControlStates(ENDPOINTS, changes, clientFor);

    await expect(attempt).rejects.toBeInstanceOf(RoutingControlUpdateError);
    await expect(attempt).rejects.toThrow(/us-west-2 .*eu-west-1 .*ap-northeast-1 /);
    expect(cluster.commandCalls(UpdateRoutingControlStatesCommand)).toHaveLength(ENDPOINTS.length);
  });
});
