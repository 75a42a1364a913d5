import { z } from 'zod';
import {
  cellArcBodySchema,
  cellHealthBodySchema,
  cellLatencyBodySchema,
  type ControlState,
  controlStateSchema,
  type RelayForeignEventsResult,
  regionLossBodySchema,
  relayForeignEventsResultSchema,
  sinkFaultSchema,
} from '../../local/contract';
import { CDN_VENDORS } from '../../lib/topology';
import { assertLoopback } from '../../loadtests/loopback';
import { type FaultDescription, type ProgressLog, ReversibleFault, UndoneLate } from './types';

/**
 * Faults on the local topology through its loopback control API (routes in
 * local/contract.ts). SIMULATED: the cells are Node processes standing in for
 * Lambda + API Gateway; the code they run is the production code.
 */

export const localFaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('cell-stop'), zone: z.string(), region: z.string() }),
  z.strictObject({ kind: z.literal('cell-unhealthy'), zone: z.string(), region: z.string() }),
  z.strictObject({
    kind: z.literal('cell-latency'),
    zone: z.string(),
    region: z.string(),
    ms: cellLatencyBodySchema.shape.ms,
  }),
  z.strictObject({ kind: z.literal('replication-pause'), zone: z.string() }),
  z.strictObject({ kind: z.literal('split-brain'), zone: z.string() }),
  z.strictObject({ kind: z.literal('region-loss'), zone: z.string(), region: z.string() }),
  z.strictObject({ kind: z.literal('webhook-sink'), fault: sinkFaultSchema }),
  z.strictObject({ kind: z.literal('cdn-stop'), vendor: z.enum(CDN_VENDORS) }),
]);
export type LocalFault = z.input<typeof localFaultSchema>;

/**
 * Thin client of the control API at `endpoints.control` (`<edge>/control`; routes relative to it).
 * Every body is validated against the contract before it is sent.
 */
export class LocalControlClient {
  private readonly base: string;

  constructor(controlUrl: string) {
    this.base = assertLoopback(controlUrl).replace(/\/$/, '');
  }

  async post(path: string, body?: unknown): Promise<void> {
    await this.send(path, body, 5000);
  }

  /** POSTs a JSON body; throws with the answer's status and text unless it is 2xx. */
  private async send(path: string, body: unknown, timeoutMs: number): Promise<Response> {
    const response = await fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      throw new Error(
        `control API ${path} answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
      );
    }
    return response;
  }

  async state(): Promise<ControlState> {
    const response = await fetch(`${this.base}/state`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`control API /state answered ${response.status}`);
    return controlStateSchema.parse(await response.json());
  }

  reset(): Promise<void> {
    return this.post('/reset');
  }

  /** A fenced zone's failback (POST /zones/:zone/failback): done, or why not yet (409; anything else throws). */
  async failBack(zone: string): Promise<{ done: true } | { done: false; why: string }> {
    const response = await fetch(`${this.base}/zones/${encodeURIComponent(zone)}/failback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    if (response.ok) return { done: true };
    if (response.status === 409) return { done: false, why: String(JSON.parse(text).detail) };
    throw new Error(`control API /zones/${zone}/failback answered ${response.status}: ${text.slice(0, 200)}`);
  }

  /** The cell's relay-foreign-events task, run now (the runbook's step after a promotion). */
  async relayForeignEvents(
    zone: string,
    region: string,
    windowMinutes?: number,
  ): Promise<RelayForeignEventsResult> {
    const path = `${cellPath(zone, region)}/relay-foreign-events`;
    const response = await this.send(path, windowMinutes ? { windowMinutes } : {}, 30_000);
    return relayForeignEventsResultSchema.parse(await response.json());
  }

  /** A bearer token from the local (SIMULATED) identity provider: POST /tokens. */
  async token(subject: string, homeZone?: string, scopes?: readonly string[]): Promise<string> {
    const response = await fetch(`${this.base}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subject, ...(homeZone ? { homeZone } : {}), ...(scopes ? { scopes } : {}) }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`control API /tokens answered ${response.status}`);
    return z.object({ token: z.string().min(1) }).parse(await response.json()).token;
  }
}

const cellPath = (zone: string, region: string) =>
  `/cells/${encodeURIComponent(zone)}/${encodeURIComponent(region)}`;

/**
 * A control call; a control call only where the topology fences the zone (its path may name the zone's
 * primary); a patient wait for a condition on `/control/state`; or a fenced zone's failback.
 */
type Step =
  | { readonly path: string; readonly body?: unknown }
  | {
      readonly inFencedZone: string;
      readonly pathFor: (primaryRegion: string) => string;
      readonly body?: unknown;
    }
  | { readonly failBack: string }
  | {
      readonly until: (state: ControlState) => boolean;
      /** A count that rises while the wait advances (writes delivered); the wait gives up when it stalls. */
      readonly moved: (state: ControlState) => number;
      /** What is waited for, and where it stands, as the log and the give-up message say it. */
      readonly what: string;
      readonly detail: (state: ControlState) => string;
    };

/**
 * How long a rollback waits for replication to catch up (after a region loss; before a failback): while
 * writes keep being delivered, up to the ceiling (for all of one fault's rollback); a wait gives up once
 * nothing has been delivered for the stall bound. Catching up runs at the host's pace (a loaded host has
 * been 10x slower), so a fixed bound judged the host, not the topology: run 4 of stop 24 gave up a
 * failback after 60 s with the backlog still draining.
 */
export const CATCH_UP_PATIENCE: Patience = { stallMs: 30_000, ceilingMs: 180_000, sayEveryMs: 10_000 };

export interface Patience {
  /** Gives up once the wait's count has not risen for this long. */
  readonly stallMs: number;
  /** Gives up after this long in all (one fault's rollback, every wait of it), moving or not. */
  readonly ceilingMs: number;
  /** Says where it stands this often (the drill's log). */
  readonly sayEveryMs: number;
}

/** Writes delivered toward `region` of `zone` so far (0 when the topology does not say). */
const deliveredToward = (state: ControlState, zone: string, region: string) =>
  state.replication[zone]?.toward?.[region]?.delivered ?? 0;

/**
 * After a fault on a cell of a fenced zone: failback as a step (runbooks/writer-fencing.md step 2). The
 * promoter moved the writer if the fault failed the primary's health check; it never moves it back.
 */
const failBackAfter = (zone: string): Step => ({ failBack: zone });

function plan(fault: z.output<typeof localFaultSchema>): {
  apply: readonly Step[];
  undo: readonly Step[];
  words: string;
  target: string;
} {
  switch (fault.kind) {
    case 'cell-stop':
      return {
        apply: [{ path: `${cellPath(fault.zone, fault.region)}/stop` }],
        undo: [{ path: `${cellPath(fault.zone, fault.region)}/start` }, failBackAfter(fault.zone)],
        words: 'cell stopped (connections refused)',
        target: `${fault.zone}/${fault.region}`,
      };
    case 'cell-unhealthy':
      return {
        apply: [
          {
            path: `${cellPath(fault.zone, fault.region)}/health`,
            body: cellHealthBodySchema.parse({ healthy: false }),
          },
        ],
        undo: [
          {
            path: `${cellPath(fault.zone, fault.region)}/health`,
            body: cellHealthBodySchema.parse({ healthy: true }),
          },
          failBackAfter(fault.zone),
        ],
        words: 'health check answers 503',
        target: `${fault.zone}/${fault.region}`,
      };
    case 'cell-latency':
      return {
        apply: [
          {
            path: `${cellPath(fault.zone, fault.region)}/latency`,
            body: cellLatencyBodySchema.parse({ ms: fault.ms }),
          },
        ],
        undo: [
          {
            path: `${cellPath(fault.zone, fault.region)}/latency`,
            body: cellLatencyBodySchema.parse({ ms: 0 }),
          },
          failBackAfter(fault.zone),
        ],
        words: `${fault.ms} ms added to every request`,
        target: `${fault.zone}/${fault.region}`,
      };
    case 'replication-pause':
      return {
        apply: [{ path: `/replication/${encodeURIComponent(fault.zone)}/pause` }],
        undo: [{ path: `/replication/${encodeURIComponent(fault.zone)}/resume` }],
        words: 'replication paused',
        target: `zone ${fault.zone}`,
      };
    case 'split-brain': {
      const replication = `/replication/${encodeURIComponent(fault.zone)}`;
      const zone = encodeURIComponent(fault.zone);
      const arcOf = (primary: string) => `${cellPath(fault.zone, primary)}/arc`;
      return {
        // Replication is paused first, so nothing crosses; in a fenced zone the primary then loses its route to
        // ARC (its fence fails static: it keeps writing on its last known state, up to 60 s) and the secondary
        // is promoted: both believe they are the writer, the one way a fenced zone splits.
        apply: [
          { path: `${replication}/pause` },
          { inFencedZone: fault.zone, pathFor: arcOf, body: cellArcBodySchema.parse({ reachable: false }) },
          { inFencedZone: fault.zone, pathFor: () => `/zones/${zone}/promote` },
        ],
        undo: [
          { inFencedZone: fault.zone, pathFor: arcOf, body: cellArcBodySchema.parse({ reachable: true }) },
          { path: `${replication}/resume` },
          failBackAfter(fault.zone),
        ],
        words:
          'split brain: replication paused; fenced: the primary cut from ARC (fails static) and the secondary promoted',
        target: `zone ${fault.zone}`,
      };
    }
    case 'region-loss': {
      const replication = `/replication/${encodeURIComponent(fault.zone)}`;
      return {
        // Replication is cut first: what the region acknowledged until its cell stops is the RPO.
        apply: [
          { path: `${replication}/lose`, body: regionLossBodySchema.parse({ region: fault.region }) },
          { path: `${cellPath(fault.zone, fault.region)}/stop` },
        ],
        // Failback as a step: the region serves again only once it caught up on what it missed.
        undo: [
          { path: `${replication}/restore` },
          {
            until: (state) => {
              const loss = state.replication[fault.zone]?.regionLoss;
              return loss === undefined || loss.phase === 'caught-up';
            },
            moved: (state) =>
              Object.values(state.replication[fault.zone]?.toward ?? {}).reduce((n, t) => n + t.delivered, 0),
            what: `${fault.zone}/${fault.region} to catch up on the writes withheld during the loss`,
            detail: (state) => {
              const loss = state.replication[fault.zone]?.regionLoss;
              return loss
                ? `${loss.withheldFromLostRegion} withheld writes of the lost region and ${loss.withheldForLostRegion} for it still to apply`
                : 'caught up';
            },
          },
          { path: `${cellPath(fault.zone, fault.region)}/start` },
          { path: `${replication}/resume` },
          failBackAfter(fault.zone),
        ],
        words: 'region lost: replication cut both ways (writes withheld, not dropped), cell stopped',
        target: `${fault.zone}/${fault.region}`,
      };
    }
    case 'webhook-sink':
      return {
        apply: [{ path: '/webhook-sink/fault', body: fault.fault }],
        undo: [{ path: '/webhook-sink/fault', body: sinkFaultSchema.parse({ mode: 'none' }) }],
        words: `webhook consumer fault: ${fault.fault.mode}`,
        target: 'local webhook sink',
      };
    case 'cdn-stop':
      return {
        apply: [{ path: `/cdn/${fault.vendor}/stop` }],
        undo: [{ path: `/cdn/${fault.vendor}/start` }],
        words: `SIMULATED ${fault.vendor} stopped (connections refused) for every zone it fronts`,
        target: `CDN ${fault.vendor}`,
      };
  }
}

export class LocalFaultInjector extends ReversibleFault {
  private readonly steps: ReturnType<typeof plan>;

  constructor(
    private readonly client: LocalControlClient,
    fault: LocalFault,
    /** How long its rollback waits for catch-up and failback. Default: CATCH_UP_PATIENCE. */
    private readonly patience: Patience = CATCH_UP_PATIENCE,
  ) {
    super();
    this.steps = plan(localFaultSchema.parse(fault));
  }

  describe(): FaultDescription {
    return { mechanism: 'local', fault: this.steps.words, target: this.steps.target, simulated: true };
  }

  protected apply(progress?: ProgressLog): Promise<void> {
    return this.run(this.steps.apply, progress);
  }

  protected undo(progress?: ProgressLog): Promise<void> {
    return this.run(this.steps.undo, progress);
  }

  /** Every step in order; a wait that gives up does not stop the later steps, it is thrown after them. */
  private async run(steps: readonly Step[], progress: ProgressLog = () => undefined): Promise<void> {
    let late: string | undefined;
    const deadline = Date.now() + this.patience.ceilingMs;
    for (const step of steps) {
      if ('path' in step) {
        await this.client.post(step.path, step.body);
        continue;
      }
      if ('inFencedZone' in step) {
        const state = await this.client.state();
        const primary = state.cells.find((c) => c.zone === step.inFencedZone && c.role === 'primary');
        if (state.fencing?.[step.inFencedZone] !== undefined && primary)
          await this.client.post(step.pathFor(primary.region), step.body);
        continue;
      }
      const wait = 'failBack' in step ? this.failBack(step.failBack) : this.until(step);
      late = (await patiently(wait, { ...this.patience, deadline }, progress)) ?? late;
    }
    if (late) throw new UndoneLate(late);
  }

  private until(step: Extract<Step, { until: unknown }>): PatientWait {
    return {
      what: step.what,
      attempt: async () => {
        const state = await this.client.state();
        return step.until(state)
          ? { done: true }
          : { done: false, moved: step.moved(state), where: step.detail(state) };
      },
    };
  }

  /**
   * Fails a fenced zone back to its primary once the topology lets it (healthy, caught up), if the writer
   * moved at all; does nothing for a zone the topology does not fence. Its progress is the writes delivered
   * toward the primary.
   */
  private failBack(zone: string): PatientWait {
    return {
      what: `${zone} to fail back to its primary`,
      attempt: async () => {
        const state = await this.client.state();
        const writers = state.fencing?.[zone]?.writers;
        const primary = state.cells.find((c) => c.zone === zone && c.role === 'primary')?.region;
        if (writers === undefined || (primary !== undefined && writers.includes(primary)))
          return { done: true };
        const answer = await this.client.failBack(zone);
        if (answer.done) return { done: true };
        return { done: false, moved: primary ? deliveredToward(state, zone, primary) : 0, where: answer.why };
      },
    };
  }
}

/** A condition tried every 200 ms: done, or where it stands and a count that rises while it advances. */
interface PatientWait {
  readonly what: string;
  readonly attempt: () => Promise<{ done: true } | { done: false; moved: number; where: string }>;
}

/** Waits for `wait` with `patience`, until `deadline` at the latest; undefined when done, else why it gave up. */
async function patiently(
  wait: PatientWait,
  patience: Patience & { readonly deadline: number },
  progress: ProgressLog,
): Promise<string | undefined> {
  const started = Date.now();
  let moved = Number.NEGATIVE_INFINITY;
  let movedAt = started;
  let saidAt = started;
  for (;;) {
    const outcome = await wait.attempt();
    if (outcome.done) return undefined;
    const now = Date.now();
    if (outcome.moved > moved) {
      moved = outcome.moved;
      movedAt = now;
    }
    const stalled = now - movedAt >= patience.stallMs;
    if (stalled || now >= patience.deadline) {
      const why = stalled
        ? `nothing delivered for ${patience.stallMs / 1000} s`
        : `still moving at the ${patience.ceilingMs / 1000} s ceiling`;
      return `waited ${Math.round((now - started) / 1000)} s for ${wait.what} (${outcome.where}; ${why}); went on without it`;
    }
    if (now - saidAt >= patience.sayEveryMs) {
      progress(`waiting for ${wait.what}: ${outcome.where}`);
      saidAt = now;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
