import type { ScaledFailoverTiming } from '../lib/topology';
import type { BootedTopology } from './boot';
import type { ControlState, ReplicationState } from './contract';
import type { FailoverEvent } from './edge-router';
import type { HealthChecker } from './health-checker';
import type { ZoneReplicationStats } from './replicator';
import type { StreamPollerStats } from './stream-poller';

/**
 * What GET /control/state answers: the contract's fields (controlStateSchema)
 * projected from the booted parts, plus `details` for the status page and
 * humans (timing scaled and cloud, URLs, relay, queue, replication and
 * health-check counters).
 */

/** Beyond the contract; keyed by cell name (`zone/region`) where per cell. */
export interface TopologyDetails {
  readonly timing: ScaledFailoverTiming;
  readonly cellUrls: Readonly<Record<string, string>>;
  readonly zoneUrls: Readonly<Record<string, string>>;
  readonly outboxRelay: Readonly<Record<string, StreamPollerStats | null>>;
  /** Webhook deliveries queued and not yet done (the SQS queue depth). */
  readonly webhookQueue: Readonly<Record<string, number>>;
  readonly webhookDlq: number;
  readonly eventsPublished: Readonly<Record<string, number>>;
  readonly failovers: readonly FailoverEvent[];
  readonly replication: readonly ZoneReplicationStats[];
  readonly healthChecks: Readonly<Record<string, ReturnType<HealthChecker['snapshot']>>>;
  readonly streamPollers: readonly ({ readonly name: string } & StreamPollerStats)[];
}

export type TopologyState = ControlState & { readonly details: TopologyDetails };

/** The contract's view of one zone's replication. */
export function replicationState(stats: ZoneReplicationStats): ReplicationState {
  return {
    paused: stats.paused,
    lagMs: stats.lagMs,
    pending: stats.pending,
    toward: Object.fromEntries(
      stats.directions.map((d) => [
        d.to,
        {
          pending: d.pending,
          behindMs: d.oldestPendingAgeMs,
          delivered: d.applied + d.skippedOlder + d.superseded,
        },
      ]),
    ),
    converged: stats.converged,
    digests: stats.digests,
    ...(stats.regionLoss ? { regionLoss: stats.regionLoss } : {}),
  };
}

export function projectState(booted: BootedTopology): TopologyState {
  const { model, units, replicators, router, sink, relayPollers, pollers, timing, zoneEndpoints } = booted;
  return {
    cells: units.map((u) => ({
      zone: u.cell.zone,
      region: u.cell.region,
      role: u.cell.role,
      running: u.server.listening,
      forcedUnhealthy: u.server.faults.forcedUnhealthy,
      addedLatencyMs: u.server.faults.addedLatencyMs,
      healthy: u.checker.isHealthy,
    })),
    serving: Object.fromEntries(model.zones.map((z) => [z.name, router.serving(z)])),
    replication: Object.fromEntries(
      [...replicators].map(([zone, replicator]) => [zone, replicationState(replicator.stats())]),
    ),
    webhookSink: sink.state(),
    cdn: booted.cdn.state(),
    ...(booted.fencing ? { fencing: fencingState(booted) } : {}),
    details: {
      timing,
      cellUrls: Object.fromEntries(units.map((u) => [u.server.name, u.server.url])),
      zoneUrls: zoneEndpoints,
      // The relay's own backlog (stream records not read yet) is unknowable without reading them;
      // what is known: its batches and failures, and the webhook queue depth behind it.
      outboxRelay: Object.fromEntries(
        units.map((u) => [u.server.name, relayPollers.get(u.server.name)?.stats ?? null]),
      ),
      webhookQueue: Object.fromEntries(units.map((u) => [u.server.name, u.runtime.backlog()])),
      webhookDlq: units.reduce((sum, u) => sum + u.runtime.deadLetters(), 0),
      eventsPublished: Object.fromEntries(units.map((u) => [u.server.name, u.runtime.publisher.published])),
      failovers: router.failovers,
      replication: [...replicators.values()].map((r) => r.stats()),
      healthChecks: Object.fromEntries(units.map((u) => [u.server.name, u.checker.snapshot()])),
      streamPollers: pollers.map((p) => ({ name: p.name, ...p.stats })),
    },
  };
}

/** Per fenced zone: its writer(s) now and what the promoter decided. */
function fencingState(booted: BootedTopology): NonNullable<ControlState['fencing']> {
  const fencing = booted.fencing!;
  return Object.fromEntries(
    booted.model.zones
      .filter((zone) => fencing.controls.isFenced(zone.name))
      .map((zone) => [
        zone.name,
        {
          writers: fencing.controls.writersOf(zone.name),
          promotions: fencing.promotions
            .filter((p) => p.zone === zone.name)
            .map((p) => ({
              action: p.action,
              detail:
                p.action === 'promoted'
                  ? `accepted by ${p.acceptedBy.endpoint}`
                  : p.action === 'held'
                    ? p.reason
                    : `alarm ${p.state}`,
            })),
          changes: fencing.controls.changes
            .filter((c) => c.zone === zone.name)
            .map(({ at, on, by }) => ({ at, on: [...on], by })),
        },
      ]),
  );
}
