import {
  Route53RecoveryClusterClient,
  type RoutingControlState,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import type { ArcClusterEndpoint } from '../core/cell-config';

/**
 * Route 53 ARC's data plane: a cluster answers on several regional endpoints,
 * and AWS's guidance is to try them in turn until one accepts, so that losing
 * a region (the very event a failover is for) never blocks a state change.
 */

export interface RoutingControlChange {
  readonly routingControlArn: string;
  readonly state: RoutingControlState;
}

/**
 * A client for one cluster endpoint (tests substitute aws-sdk-client-mock's client; the local topology
 * its SIMULATED cluster, local/routing-controls.ts).
 */
export type ClusterClientFor = (endpoint: ArcClusterEndpoint) => Pick<Route53RecoveryClusterClient, 'send'>;

export const clusterClientFor: ClusterClientFor = ({ endpoint, region }) =>
  new Route53RecoveryClusterClient({
    endpoint,
    region,
    // One quick attempt per endpoint: the next endpoint is the retry.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
  });

export interface EndpointFailure {
  readonly endpoint: string;
  readonly region: string;
  readonly error: string;
}

export interface RoutingControlUpdate {
  /** The endpoint that accepted the change. */
  readonly acceptedBy: ArcClusterEndpoint;
  /** Endpoints that failed before it, in order. */
  readonly failures: readonly EndpointFailure[];
}

export class RoutingControlUpdateError extends Error {
  constructor(readonly failures: readonly EndpointFailure[]) {
    super(
      `No ARC cluster endpoint accepted the routing control change (${failures
        .map((f) => `${f.region} ${f.endpoint}: ${f.error}`)
        .join('; ')}); check the cluster in the ARC console (us-west-2) and the safety rules, then retry`,
    );
    this.name = 'RoutingControlUpdateError';
  }
}

/** Applies every change in one request (the safety rule judges the resulting state), endpoint after endpoint. */
export async function updateRoutingControlStates(
  endpoints: readonly ArcClusterEndpoint[],
  changes: readonly RoutingControlChange[],
  clientFor: ClusterClientFor = clusterClientFor,
): Promise<RoutingControlUpdate> {
  if (endpoints.length === 0) throw new RoutingControlUpdateError([]);
  const failures: EndpointFailure[] = [];
  for (const endpoint of endpoints) {
    try {
      await clientFor(endpoint).send(
        new UpdateRoutingControlStatesCommand({
          UpdateRoutingControlStateEntries: changes.map((change) => ({
            RoutingControlArn: change.routingControlArn,
            RoutingControlState: change.state,
          })),
        }),
      );
      return { acceptedBy: endpoint, failures };
    } catch (error) {
      failures.push({
        endpoint: endpoint.endpoint,
        region: endpoint.region,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
  throw new RoutingControlUpdateError(failures);
}
