import { Route53Client } from '@aws-sdk/client-route-53';
import { FisClient } from '@aws-sdk/client-fis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DrillFlagInjector } from './injectors/drill-flag';
import { FisExperimentInjector } from './injectors/fis';
import { Route53HealthCheckInjector } from './injectors/route53';
import type { FaultInjector } from './injectors/types';

/**
 * A fault on a real deployment for a bounded time, while k6 drives the load
 * (`k6 run dist/k6/load.js`): inject, report every `observeEverySeconds`,
 * roll back after `durationSeconds`, on Ctrl-C, or on any error. The AWS
 * injectors cannot be exercised here (no account); their call shapes are
 * tested with aws-sdk-client-mock.
 */

export const awsFaultArgsSchema = z.discriminatedUnion('mechanism', [
  z.object({
    mechanism: z.literal('route53'),
    'health-check-id': z.string().min(1),
    duration: z.coerce.number().int().min(10).max(3600),
  }),
  z.object({
    mechanism: z.literal('drill-flag'),
    table: z.string().min(3),
    region: z.string().min(1),
    duration: z.coerce.number().int().min(10).max(3600),
  }),
  z.object({
    mechanism: z.literal('fis'),
    template: z.string().min(1),
    region: z.string().min(1),
    duration: z.coerce.number().int().min(10).max(3600),
  }),
]);
export type AwsFaultArgs = z.output<typeof awsFaultArgsSchema>;

export interface BoundedFault {
  readonly injector: FaultInjector;
  /** One line about the fault's current effect, printed while it holds. */
  readonly observe: () => Promise<string>;
}

export function awsFault(args: AwsFaultArgs, drillId: string): BoundedFault {
  switch (args.mechanism) {
    case 'route53': {
      // Route 53's control plane is global and answers in us-east-1.
      const injector = new Route53HealthCheckInjector(
        new Route53Client({ region: 'us-east-1' }),
        args['health-check-id'],
      );
      return {
        injector,
        observe: async () => {
          const { healthy, unhealthy } = await injector.observe();
          return `Route 53 checkers: ${healthy} healthy, ${unhealthy} unhealthy`;
        },
      };
    }
    case 'drill-flag': {
      const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: args.region }));
      return {
        injector: new DrillFlagInjector(client, args.table, args.region, `drill ${drillId}`),
        observe: async () => 'drill flag set: the cell health check answers 503',
      };
    }
    case 'fis': {
      const injector = new FisExperimentInjector(
        new FisClient({ region: args.region }),
        args.template,
        drillId,
      );
      return { injector, observe: async () => `FIS experiment ${(await injector.status()) ?? 'unknown'}` };
    }
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Holds a fault for exactly `durationSeconds` (counted from the moment the
 * fault is in place; the last wait is shortened to what is left, so 25 s is
 * 25 s, not 30), observing it every `observeEverySeconds`; the rollback runs
 * in `finally`, whatever happens.
 */
export async function holdFault(
  fault: BoundedFault,
  options: {
    durationSeconds: number;
    /** @default 10 */
    observeEverySeconds?: number;
    signal: AbortSignal;
    log: (line: string) => void;
    /** @default Date.now (tests pass a fake clock) */
    now?: () => number;
    /** @default a timer that an abort cuts short */
    wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  },
): Promise<{ rolledBack: boolean; error?: string }> {
  const { injector } = fault;
  const now = options.now ?? Date.now;
  const wait = options.wait ?? sleep;
  const durationMs = options.durationSeconds * 1000;
  const everyMs = (options.observeEverySeconds ?? 10) * 1000;
  let error: string | undefined;
  let rolledBack = false;
  try {
    options.log(`injecting: ${injector.describe().fault} on ${injector.describe().target}`);
    await injector.inject();
    const started = now();
    for (let left = durationMs; !options.signal.aborted && left > 0; left = durationMs - (now() - started)) {
      await wait(Math.min(everyMs, left), options.signal);
      const line = await fault.observe().catch((e: Error) => `observe failed: ${e.message}`);
      options.log(`[${((now() - started) / 1000).toFixed(1)} s] ${line}`);
    }
  } catch (e) {
    error = (e as Error).message;
    options.log(`error: ${error}`);
  } finally {
    options.log('rolling back');
    try {
      await injector.rollback();
      rolledBack = true;
      options.log('rolled back');
    } catch (e) {
      error = `${error ? `${error}; ` : ''}ROLLBACK FAILED: ${(e as Error).message}`;
      options.log(
        `ROLLBACK FAILED: ${(e as Error).message}: undo it by hand with runbooks/failback.md, section "Undo a fault by hand"`,
      );
    }
  }
  return error ? { rolledBack, error } : { rolledBack };
}
