import {
  GetRoutingControlStateCommand,
  type Route53RecoveryClusterClient,
  type RoutingControlState,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import type { ArcClusterEndpoint } from '../lambdas/core/cell-config';
import type { ClusterClientFor } from '../lambdas/failover/routing-controls';
import { ARC_CONTROL_REGION, type Cell, type TopologyModel, type Zone } from '../lib/topology';

/**
 * SIMULATED Route 53 Application Recovery Controller: one cluster with a routing control per cell of every
 * fenced zone (the model's `zone.fencing: arc`) and each zone's safety rule "at least one control ON", as
 * lib/stacks/failover-control-stack.ts deploys them. It answers, in process, the two data-plane calls the
 * production code makes: GetRoutingControlState (a cell's ArcWriterFence) and UpdateRoutingControlStates
 * (the promoter and the failback step). Nothing listens on its endpoint. It starts as that stack leaves a
 * fresh deployment: each zone's primary ON, its secondary OFF.
 *
 * Not simulated: the safety rule's wait period, the cluster's five regional endpoints (one here; the code
 * that tries them in turn is tested against aws-sdk-client-mock), an impaired data plane.
 */

export const LOCAL_ARC_ENDPOINTS: readonly ArcClusterEndpoint[] = [
  { endpoint: 'https://arc-cluster.local.invalid', region: ARC_CONTROL_REGION },
];

/** A routing-control change ARC refused (unknown control, or the safety rule would break). */
export class RoutingControlRefused extends Error {
  override name = 'ValidationException';
}

/** Zones whose writer the local topology fences: the model says `arc` and there is a secondary to fence. */
export function fencedZonesOf(model: TopologyModel): Zone[] {
  return model.zones.filter((zone) => zone.fencing === 'arc' && zone.secondary !== undefined);
}

export interface RoutingControlChangeRecord {
  readonly at: string;
  readonly zone: string;
  /** The zone's regions whose control is ON after the change. */
  readonly on: readonly string[];
  readonly by: string;
}

export class LocalRoutingControls {
  /** routing control ARN -> its state. */
  private readonly states = new Map<string, RoutingControlState>();
  /** routing control ARN -> the cell it fences. */
  private readonly cells = new Map<string, Cell>();
  /** The zones it fences (fencedZonesOf the model). */
  readonly fenced: readonly Zone[];
  /** Every accepted change, oldest first (the status page and drills read it). */
  readonly changes: RoutingControlChangeRecord[] = [];
  /** Callers (`clientFor(by)`) cut off from the cluster: a SIMULATED partition between a cell and ARC. */
  private readonly unreachableFrom = new Set<string>();

  constructor(model: TopologyModel) {
    this.fenced = fencedZonesOf(model);
    for (const zone of this.fenced)
      for (const cell of zone.cells) this.cells.set(routingControlArnOf(cell), cell);
    this.reset();
  }

  /** Back to a fresh deployment's states: every fenced zone's primary ON, its secondary OFF, every caller reaching it. */
  reset(): void {
    this.unreachableFrom.clear();
    for (const zone of this.fenced)
      for (const cell of zone.cells)
        this.states.set(routingControlArnOf(cell), cell.region === zone.primary.region ? 'On' : 'Off');
  }

  isFenced(zone: string): boolean {
    return this.fenced.some((z) => z.name === zone);
  }

  /** Whether the cell's control is ON; a cell of an unfenced zone has none and always counts as ON. */
  isOn(zone: string, region: string): boolean {
    const cell = [...this.cells.values()].find((c) => c.zone === zone && c.region === region);
    return cell === undefined || this.states.get(routingControlArnOf(cell)) === 'On';
  }

  /** The regions of a fenced zone whose control is ON. */
  writersOf(zone: string): string[] {
    return [...this.cells.values()]
      .filter((cell) => cell.zone === zone && this.states.get(routingControlArnOf(cell)) === 'On')
      .map((cell) => cell.region);
  }

  /** Applies the changes together, or none if a control is unknown or a zone would have no control ON. */
  update(
    changes: readonly { readonly arn: string; readonly state: RoutingControlState }[],
    by: string,
  ): void {
    const next = new Map(this.states);
    for (const change of changes) {
      if (!this.cells.has(change.arn))
        throw new RoutingControlRefused(`no routing control ${change.arn} in the local cluster`);
      next.set(change.arn, change.state);
    }
    const touched = new Set(changes.map((c) => this.cells.get(c.arn)!.zone));
    for (const zone of touched) {
      const on = [...this.cells.entries()].filter(
        ([arn, cell]) => cell.zone === zone && next.get(arn) === 'On',
      );
      if (on.length === 0)
        throw new RoutingControlRefused(
          `the safety rule of zone ${zone} (at least one routing control ON) refuses this change`,
        );
    }
    for (const [arn, state] of next) this.states.set(arn, state);
    const at = new Date().toISOString();
    for (const zone of touched) this.changes.push({ at, zone, on: this.writersOf(zone), by });
  }

  /**
   * SIMULATED partition: calls made through `clientFor(by)` fail as a connection that cannot reach any
   * cluster endpoint would. A cell's fence then holds its last known state for its fail-static time.
   */
  setReachable(by: string, reachable: boolean): void {
    if (reachable) this.unreachableFrom.delete(by);
    else this.unreachableFrom.add(by);
  }

  /**
   * A client of the SIMULATED cluster for any endpoint (the production code's `clientFor`). Only the two
   * data-plane calls the code makes are answered; anything else is a programming error here.
   */
  clientFor(by: string): ClusterClientFor {
    const send = async (command: unknown) => {
      if (this.unreachableFrom.has(by))
        throw new Error(`connect ETIMEDOUT: ${by} has no route to the ARC cluster (SIMULATED partition)`);
      if (command instanceof GetRoutingControlStateCommand) {
        const arn = command.input.RoutingControlArn ?? '';
        const state = this.states.get(arn);
        if (!state) throw new RoutingControlRefused(`no routing control ${arn} in the local cluster`);
        return { RoutingControlArn: arn, RoutingControlState: state, $metadata: {} };
      }
      if (command instanceof UpdateRoutingControlStatesCommand) {
        this.update(
          (command.input.UpdateRoutingControlStateEntries ?? []).map((entry) => ({
            arn: entry.RoutingControlArn ?? '',
            state: entry.RoutingControlState ?? 'Off',
          })),
          by,
        );
        return { $metadata: {} };
      }
      throw new Error(`the SIMULATED ARC cluster does not answer ${(command as object).constructor.name}`);
    };
    // The SDK's `send` is overloaded per command type; this stand-in answers the two commands above.
    const client = { send } as unknown as Pick<Route53RecoveryClusterClient, 'send'>;
    return () => client;
  }
}

/** The ARN of a cell's routing control in the SIMULATED cluster (same shape as ARC's). */
export function routingControlArnOf(cell: Pick<Cell, 'zone' | 'region' | 'partition' | 'account'>): string {
  return `arn:${cell.partition}:route53-recovery-control::${cell.account}:controlpanel/local-${cell.zone}/routingcontrol/${cell.region}`;
}
