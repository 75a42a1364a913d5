import type { FlowState } from '../../loadtests/flow';
import { SHOPPER_FLOW } from '../../loadtests/flow';
import { type LoadProfile, PROFILES } from '../../loadtests/profiles';
import { type LoadRun, startLoad } from '../../loadtests/runner';
import { scaledFailoverTiming } from '../../lib/topology';
import type { LoadDriver } from '../orchestrator';
import type { LocalDrillContext } from './context';
import { processShopperLoad } from './process-load';

/**
 * The drill load: the shopper flow at a constant arrival rate on the zone
 * endpoint for the whole drill, bounded in iterations and in-flight requests
 * (loopback only, as the runner enforces). One process (the default, fast for
 * CI) runs it in the drill's own process; `processes` > 1 splits it over that
 * many local load processes through the distributed-load engine
 * (process-load.ts), and the report shows each process and the merge.
 */
export interface ShopperLoad {
  readonly driver: LoadDriver;
  /** The run, once the orchestrator started it. */
  run(): LoadRun | undefined;
}

/** The fence's cached state (ArcWriterFence, 1 s) and one Retry-After beyond the DNS TTL. */
const NOT_WRITER_GRACE_MS = 2000;

/**
 * How long the drill's shoppers retry a 503 `not_writer`: after a fenced zone's writer moves, a client's
 * cached DNS answer can name the old writer for up to the record TTL (scaled to the topology's time).
 */
function notWriterRetryBoundMs(context: LocalDrillContext): number {
  return scaledFailoverTiming(context.model, context.timeScale).dnsTtlMs + NOT_WRITER_GRACE_MS;
}

export function shopperLoad(
  context: LocalDrillContext,
  totalSeconds: number,
  iterationDefaults?: () => Omit<FlowState, 'iterationId'>,
  processes = 1,
): ShopperLoad {
  const rate = context.ratePerSecond;
  const profile: LoadProfile = {
    ...PROFILES.load,
    startRate: rate,
    stages: [{ durationSeconds: totalSeconds, target: rate }],
    maxInFlight: 50,
    maxIterations: Math.ceil(rate * totalSeconds * 1.1),
  };
  if (processes > 1) return processShopperLoad(context, profile, processes, totalSeconds, iterationDefaults);
  let run: LoadRun | undefined;
  return {
    run: () => run,
    driver: {
      start: ({ onSecond, onAcknowledged }) => {
        run = startLoad({
          ...(iterationDefaults ? { iterationDefaults } : {}),
          baseUrl: context.baseUrl,
          profile,
          flow: SHOPPER_FLOW,
          headers: context.shopperHeaders,
          onSecond,
          onAcknowledged,
          runId: context.runId,
          retryNotWriterForMs: notWriterRetryBoundMs(context),
        });
        return run;
      },
    },
  };
}
