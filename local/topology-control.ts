import { relayWindow, SCHEDULED_TASKS } from '../lambdas/api/scheduled-tasks';
import type { BootedTopology, CellUnit } from './boot';
import {
  ControlConflictError,
  ControlTargetError,
  type SinkFault,
  type TopologyControl,
} from './control-api';
import { FencingStepRefused, type LocalWriterFencing } from './writer-fencing';
import type { ProgressLog } from './lifecycle';
import type { ZoneReplicator } from './replicator';
import type { StreamPoller } from './stream-poller';
import { projectState } from './topology-state';

/**
 * The TopologyControl behind the loopback control API (local/control-api.ts):
 * every fault a drill can inject on the booted parts, each reversible, and
 * `reset` rolling all of them back.
 */
export function createTopologyControl(booted: BootedTopology, step: ProgressLog): TopologyControl {
  const { units, replicators, sink, router, issuer, relayPollers } = booted;
  /** zone -> the relay of the region lost to it, stopped with the region until it is restored. */
  const lostRelays = new Map<string, StreamPoller>();

  const unitOf = (zone: string, region: string): CellUnit => {
    const unit = units.find((u) => u.cell.zone === zone && u.cell.region === region);
    if (!unit)
      throw new ControlTargetError(
        `no cell ${zone}/${region}; cells are ${units.map((u) => u.server.name).join(', ')}`,
      );
    return unit;
  };
  const replicatorOf = (zone: string): ZoneReplicator => {
    const replicator = replicators.get(zone);
    if (!replicator)
      throw new ControlTargetError(
        `zone ${zone} has no replication (single-region or unknown); replicated zones: ${[...replicators.keys()].join(', ') || 'none'}`,
      );
    return replicator;
  };
  const relayOf = (zone: string, region: string): StreamPoller => {
    const name = unitOf(zone, region).server.name;
    const relay = relayPollers.get(name);
    if (!relay) throw new ControlTargetError(`cell ${name} runs no outbox relay`);
    return relay;
  };
  const fencingOf = (zone: string): LocalWriterFencing => {
    if (!booted.fencing)
      throw new ControlConflictError(
        `the topology does not fence writers (it was started with --no-writer-fence); zone ${zone}'s cells always write`,
      );
    return booted.fencing;
  };
  const fencingStep = async (run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      if (error instanceof FencingStepRefused) throw new ControlConflictError(error.message);
      throw error;
    }
  };
  const endRegionLoss = (zone: string) => {
    lostRelays.get(zone)?.resume();
    lostRelays.delete(zone);
  };

  return {
    state: () => projectState(booted),
    stopCell: async (zone, region) => {
      await unitOf(zone, region).server.stop();
      step(`control: stopped ${zone}/${region} (connections refused)`);
    },
    startCell: async (zone, region) => {
      await unitOf(zone, region).server.start();
      step(`control: started ${zone}/${region}`);
    },
    setCellHealth: (zone, region, healthy) => {
      unitOf(zone, region).server.faults.forcedUnhealthy = !healthy;
      step(`control: ${zone}/${region} health forced ${healthy ? 'off (healthy)' : 'to 503'}`);
    },
    setCellLatency: (zone, region, ms) => {
      unitOf(zone, region).server.faults.addedLatencyMs = ms;
      step(`control: ${zone}/${region} added latency ${ms} ms`);
    },
    setRelayRunning: async (zone, region, running) => {
      const relay = relayOf(zone, region);
      if (running) relay.resume();
      else await relay.pause();
      step(
        `control: outbox relay of ${zone}/${region} ${running ? 'reading its stream again' : 'stopped (records wait in the stream)'}`,
      );
    },
    relayForeignEvents: async (zone, region, windowMinutes) => {
      const window = relayWindow(
        { commerceTask: SCHEDULED_TASKS.relayForeignEvents, ...(windowMinutes ? { windowMinutes } : {}) },
        Date.now(),
      );
      const result = await unitOf(zone, region).runtime.relayForeignEvents(window);
      step(
        `control: relay-foreign-events in ${zone}/${region}: ${result.relayed} of ${result.examined} events relayed, ${result.deliveriesEnqueued} new webhook deliveries, ${result.failedEventIds.length} failed`,
      );
      return result;
    },
    pauseReplication: (zone) => {
      replicatorOf(zone).pause();
      step(`control: replication of ${zone} paused`);
    },
    resumeReplication: (zone) => {
      replicatorOf(zone).resume();
      step(`control: replication of ${zone} resumed`);
    },
    loseRegion: (zone, region) => {
      const replicator = replicatorOf(zone);
      if (!units.some((u) => u.cell.zone === zone && u.cell.region === region))
        throw new ControlTargetError(`zone ${zone} has no cell in ${region}`);
      replicator.loseRegion(region);
      // The region's stream consumers go with it: events it committed and never relayed wait in its stream.
      const relay = relayOf(zone, region);
      void relay.pause();
      lostRelays.set(zone, relay);
      step(
        `control: region ${region} of ${zone} lost to replication (cut both ways, writes withheld); its outbox relay stopped`,
      );
    },
    restoreRegion: (zone) => {
      replicatorOf(zone).restoreRegion();
      endRegionLoss(zone);
      step(
        `control: replication of ${zone} restored, withheld writes delivered; the region's outbox relay reads on`,
      );
    },
    replicationConvergence: (zone) => replicatorOf(zone).convergence(),
    setReplicationLag: (zone, ms) => {
      replicatorOf(zone).injectLag(ms);
      step(`control: replication of ${zone} delayed by ${ms} ms`);
    },
    setSinkFault: (fault: SinkFault) => {
      sink.setFault(fault);
      step(`control: webhook sink fault ${fault.mode}`);
    },
    setArcReachable: (zone, region, reachable) => {
      const unit = unitOf(zone, region);
      const fencing = fencingOf(zone);
      if (!fencing.controls.isFenced(zone))
        throw new ControlConflictError(`zone ${zone} is not fenced; its cells never ask ARC`);
      fencing.controls.setReachable(unit.server.name, reachable);
      step(
        `control: ${unit.server.name} ${reachable ? 'reaches the ARC cluster again' : 'cut off from the ARC cluster (its fence fails static on its last state)'}`,
      );
    },
    promoteZone: (zone) => fencingStep(() => fencingOf(zone).promote(zone)),
    failBackZone: (zone) => fencingStep(() => fencingOf(zone).failBack(zone)),
    reset: async () => {
      booted.fencing?.controls.reset();
      sink.setFault({ mode: 'none' });
      for (const replicator of replicators.values()) {
        replicator.injectLag(0);
        replicator.resume();
      }
      lostRelays.clear();
      for (const relay of relayPollers.values()) relay.resume();
      await Promise.all(units.map((u) => u.server.reset()));
      await Promise.all(units.map((u) => u.checker.restart()));
      router.flushCache();
      await booted.cdn.reset();
      step('control: reset, every fault rolled back');
    },
    issueToken: (request) => issuer.issue(request),
  };
}
