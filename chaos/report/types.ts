import type { DrillLoad } from '../../loadtests/engine/drill-load';
import type { FaultDescription } from '../injectors/types';
import type { Criterion, Observation, Verdict } from '../metrics';

/** Everything a drill report shows; report.json is exactly this object. */
export interface DrillReport {
  readonly schemaVersion: 1;
  /** `<timestamp>-<drill>`, also the report directory name. */
  readonly id: string;
  readonly drill: string;
  readonly title: string;
  readonly hypothesis: string;
  readonly environment: 'local' | 'aws';
  /** Local time scale (0.1: 10 s in the cloud is 1 s here); 1 on AWS. */
  readonly timeScale: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly faults: readonly FaultDescription[];
  /** Fault window on the timeline, in ms since load start (start undefined: no fault was injected). */
  readonly faultWindow: { readonly startMs: number | undefined; readonly endMs: number | undefined };
  readonly figures: DrillFigures;
  readonly criteria: readonly Criterion[];
  readonly verdict: Verdict;
  readonly abortReason?: string;
  /** Rollback outcome per injector: `ok` or the error message. */
  readonly rollback: readonly { readonly fault: string; readonly outcome: string }[];
  readonly timeline: readonly Observation[];
  /** Notable moments: fault injected, router switched, recovered, rolled back, failed back. */
  readonly events: readonly { readonly atMs: number; readonly label: string }[];
  readonly notes: readonly string[];
  /** The machine's load while the drill ran: a loaded host explains slow figures (absent in older reports). */
  readonly host?: HostLoad;
  /** Load from several generators (local processes, k6 tasks): per generator, per region, merged. */
  readonly load?: DrillLoad;
}

export interface HostLoad {
  readonly cpuCount: number;
  /** os.loadavg(): 1, 5 and 15 minute load averages when the drill started. */
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd: readonly number[];
}

export interface DrillFigures {
  readonly rtoSeconds?: number | undefined;
  /** RTO expressed in cloud time (measured / time scale). */
  readonly rtoCloudEquivalentSeconds?: number | undefined;
  readonly predictedRtoSeconds?: number | undefined;
  readonly predictedRtoCloudSeconds?: number | undefined;
  readonly rpoMs?: number | undefined;
  readonly replicationLagAtFaultMs?: number | null | undefined;
  readonly canaryWritesBeforeFault?: number | undefined;
  readonly missingInSurvivor?: number | undefined;
  readonly acknowledgedWrites?: number | undefined;
  readonly lostAcknowledgedWrites?: number | undefined;
  readonly errorsDuringFailover?: number | undefined;
  /** Rollback -> traffic served by the original cell again. */
  readonly failbackSeconds?: number | undefined;
  readonly requests?: number | undefined;
  readonly failedRequests?: number | undefined;
  readonly p50Ms?: number | undefined;
  readonly p99Ms?: number | undefined;
  readonly [extra: string]: number | null | undefined;
}
