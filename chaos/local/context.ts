import type { Cell, TopologyModel, Zone } from '../../lib/topology';
import { zoneByName } from '../../lib/topology';
import type { LocalTopology } from '../../local/topology';
import { LocalControlClient, LocalFaultInjector } from '../injectors/local';
import { type PredictedRto, predictedRto } from '../metrics';

/**
 * What a drill's local run is built from (chaos/drill.ts): the booted
 * topology and the handles every drill needs on it. Everything goes through
 * the topology's public surfaces: the zone endpoint, the control API, the
 * cells' tables.
 */

export interface LocalDrillOptions {
  readonly zone: string;
  /** Shorter phases for CI (RTO bounds unchanged). */
  readonly short: boolean;
  /** Shopper-flow iterations per second (each is up to 5 requests). */
  readonly ratePerSecond: number;
  /**
   * Local load processes the rate is split over (chaos/local/process-load.ts).
   * @default 1: the load runs in the drill's own process
   */
  readonly loadProcesses?: number;
  /**
   * Longest wait, in wall-clock seconds, for replication to quiesce before the
   * checks run. A check that needed it answers inconclusive when it runs out.
   * @default DEFAULT_QUIESCENCE_BOUND_SECONDS
   */
  readonly quiescenceBoundSeconds?: number;
  readonly log?: (line: string) => void;
}

/** Generous beside the replicator's usual second of lag; a loaded 2-core machine has shown 15 s. */
export const DEFAULT_QUIESCENCE_BOUND_SECONDS = 60;

export interface LocalDrillContext {
  readonly topology: LocalTopology;
  readonly model: TopologyModel;
  readonly zone: Zone;
  /** `<drill>-<time>`: unique per run; names canaries, webhook paths, load iterations. */
  readonly runId: string;
  readonly short: boolean;
  readonly ratePerSecond: number;
  readonly quiescenceBoundMs: number;
  /** The local time scale (0.1: 10 cloud seconds are 1 s here). */
  readonly timeScale: number;
  /** The topology model's predicted RTO, cloud and scaled. */
  readonly predicted: PredictedRto;
  readonly control: LocalControlClient;
  /** The zone's failover endpoint, where the drill's clients go. */
  readonly baseUrl: string;
  /** Authorization of the drill's shopper, homed in the zone. */
  readonly shopperHeaders: Readonly<Record<string, string>>;
  /** Milliseconds since the load started (0 before): the drill timeline's clock. */
  elapsedMs(): number;
  log(line: string): void;
}

export async function createLocalDrillContext(
  topology: LocalTopology,
  drillName: string,
  options: LocalDrillOptions,
  elapsedMs: () => number,
): Promise<LocalDrillContext> {
  const zone = zoneByName(topology.model, options.zone);
  const control = new LocalControlClient(topology.endpoints.control);
  const token = await control.token('drill-shopper', zone.name);
  const timeScale = topology.endpoints.timeScale;
  return {
    topology,
    model: topology.model,
    zone,
    runId: `${drillName}-${Date.now().toString(36)}`,
    short: options.short,
    ratePerSecond: options.ratePerSecond,
    quiescenceBoundMs: (options.quiescenceBoundSeconds ?? DEFAULT_QUIESCENCE_BOUND_SECONDS) * 1000,
    timeScale,
    predicted: predictedRto(topology.model, timeScale),
    control,
    baseUrl: topology.endpoints.zones?.[zone.name] ?? topology.endpoints.edge,
    shopperHeaders: { authorization: `Bearer ${token}` },
    elapsedMs,
    log: options.log ?? (() => undefined),
  };
}

/** The zone's secondary cell, for drills that need one (failover, replication); says why otherwise. */
export function secondaryOf(context: LocalDrillContext, drillName: string): Cell {
  const { zone } = context;
  if (!zone.secondary) {
    throw new Error(
      `drill ${drillName} needs a zone with a secondary cell; zone ${zone.name} is single-region`,
    );
  }
  return zone.secondary;
}

/** `zone/region`, as the edge names a cell (x-served-by) and drills name the failed cell. */
export const cellName = (cell: Pick<Cell, 'zone' | 'region'>) => `${cell.zone}/${cell.region}`;

/** The fault of the failover drills: the zone's primary cell stops (connections refused), named as failed. */
export function primaryCellStopped(context: LocalDrillContext) {
  const { zone } = context;
  return {
    injectors: [
      new LocalFaultInjector(context.control, {
        kind: 'cell-stop',
        zone: zone.name,
        region: zone.primary.region,
      }),
    ],
    failedCell: cellName(zone.primary),
  };
}
