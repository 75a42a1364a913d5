import type { ReplicationState } from '../../local/contract';
import type { ZoneConvergence } from '../../local/replicator';
import type { LocalDrillContext } from './context';
import { DrillItems } from './drill-items';

/**
 * Before a drill's checks read the surviving cell, replication must have
 * caught up in both directions. Quiesced means, within the bound:
 *  - a barrier item written in each region after the load stopped has arrived
 *    in the other one (the stream behind it has been read up to there),
 *  - `/control/state` reports 0 pending writes for the zone (both directions),
 *  - and `converged: true`: both regions' table digests equal (local/table-digest.ts; a state without
 *    the flag leaves `pending` to decide alone).
 * No fixed delay: the wait ends as soon as all hold, or at the bound, and the
 * result says which, so a late replica is never judged as a lost write.
 */

export interface Quiescence {
  readonly quiesced: boolean;
  /** Wall-clock milliseconds spent waiting. */
  readonly waitedMs: number;
  /** What was seen: for the report's notes and the inconclusive criteria. */
  readonly detail: string;
}

const POLL_MS = 250;

const describe = (state: ReplicationState | undefined) =>
  state
    ? `pending ${state.pending}, lag ${state.lagMs ?? 'n/a'} ms${state.paused ? ', PAUSED' : ''}, converged ${state.converged ?? 'unknown'}`
    : 'no replication state';

/** What the wait looks at: the zone, its replication state, and a way to write and find barrier items. */
export interface QuiescenceProbe {
  readonly zone: {
    readonly name: string;
    readonly primary: { readonly region: string };
    readonly secondary?: { readonly region: string } | undefined;
  };
  readonly boundMs: number;
  replication(): ReplicationState | undefined;
  readonly items: Pick<DrillItems, 'put' | 'presentIn'>;
}

/** The probe of a drill's zone on the local topology. */
export function quiescenceProbe(context: LocalDrillContext): QuiescenceProbe {
  return {
    zone: context.zone,
    boundMs: context.quiescenceBoundMs,
    replication: () => context.topology.state().replication[context.zone.name],
    items: new DrillItems(context),
  };
}

export async function waitForQuiescence(probe: QuiescenceProbe): Promise<Quiescence> {
  const { zone, items } = probe;
  const started = Date.now();
  if (!zone.secondary || probe.replication() === undefined) {
    return { quiesced: true, waitedMs: 0, detail: `zone ${zone.name} has no replication` };
  }
  const secondary = zone.secondary;
  // Each direction: [region the barrier is written in, region it must reach].
  const directions = [
    { from: zone.primary.region, to: secondary.region },
    { from: secondary.region, to: zone.primary.region },
  ].map((d) => ({ ...d, id: `${d.from}-${started.toString(36)}`, written: false, arrived: false }));

  for (;;) {
    for (const d of directions) {
      if (!d.written) d.written = await items.put('barrier', d.from, d.id);
      if (d.written && !d.arrived) d.arrived = (await items.presentIn('barrier', d.to, [d.id])).has(d.id);
    }
    const state = probe.replication();
    const crossed = directions.every((d) => d.arrived);
    const idle = state !== undefined && state.pending === 0 && state.converged !== false;
    const waitedMs = Date.now() - started;
    if (crossed && idle) {
      return {
        quiesced: true,
        waitedMs,
        detail: `replication quiesced after ${(waitedMs / 1000).toFixed(1)} s: barriers crossed both ways, ${describe(state)}`,
      };
    }
    if (waitedMs >= probe.boundMs) {
      const missing = directions.filter((d) => !d.arrived).map((d) => `${d.from} -> ${d.to}`);
      return {
        quiesced: false,
        waitedMs,
        detail: `replication did not quiesce within ${probe.boundMs / 1000} s (${describe(state)}${missing.length ? `; barrier not yet across ${missing.join(', ')}` : ''})`,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The zone's convergence digest (both tables item by item, local/replicator.ts), polled until equal or
 * the bound. Meaningful once the load stopped and replication quiesced.
 */
export async function waitForConvergence(
  context: Pick<LocalDrillContext, 'topology' | 'zone'>,
  boundMs: number,
): Promise<ZoneConvergence> {
  const end = Date.now() + boundMs;
  for (;;) {
    const digest = await context.topology.control.replicationConvergence(context.zone.name);
    if (digest.converged || Date.now() >= end) return digest;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
