import { DEFAULT_TOPOLOGY_FILE, loadTopology, type TopologyModel, zoneByName } from '../../lib/topology';
import { EcsLoadEngine } from '../../loadtests/engine/aws-ecs-engine';
import type { LoadEngine } from '../../loadtests/engine/orchestrator';
import { type LoadPlan, parseLoadPlan } from '../../loadtests/engine/plan';
import { PROFILES, profileDurationSeconds } from '../../loadtests/profiles';
import { drillByName, isDrillName } from '../drills';
import type { S3Target } from '../history/s3-archive';
import { outcomeWord } from '../metrics';
import { runDrill } from '../orchestrator';
import type { DrillReport } from '../report';
import { drillId } from '../report';
import { type AwsRunArgs, awsRunArgsSchema } from './args';
import { type AwsClients, defaultAwsClients } from './clients';
import { type AwsDrillContext, awsFaults } from './context';
import { watchAlarms } from './alarm-watch';
import { confirmed, processTerminal, type Terminal } from './confirm';
import { type AwsPlanTimings, awsDrillPlan } from './plan';
import { formatPreflightLine, preflight } from './preflight';
import { httpsProbe, type Probe, type ResolveCname, zoneHealthUrl } from './probe';
import { abortAlarmNames } from './resources';
import { cloudWatchSteadyState } from './steady-state';

/**
 * `npm run drill -- run <drill> --aws --zone global --load-regions us-east-1,eu-central-1 --profile load`:
 * the whole AWS drill in one command.
 *  1. preflight (read-only): credentials, stacks complete, health checks, alarms OK (preflight.ts);
 *  2. steady-state hypothesis from CloudWatch over the last N minutes (steady-state.ts);
 *  3. an explicit confirmation (the zone's name typed), or --yes; no terminal and no --yes: refused;
 *  4. the drill: k6 tasks in every load region, the drill's fault through chaos/injectors after the
 *     warm-up, abort alarms polled throughout (alarm-watch.ts), rollback always (also on Ctrl-C and
 *     on error), the report and its record in drills/<id>/.
 * Exit codes as for local drills (0 PASS, 1 FAIL/ABORTED, 3 INCONCLUSIVE); 1 also when preflight
 * fails or the operator cancels (nothing was changed); 2 on bad input.
 */

/** The environment variable holding the shopper flow's bearer token (kept out of the command line and `ps`). */
export const DRILL_TOKEN_ENV = 'DRILL_TOKEN';

export interface AwsCommandHooks {
  usageError(issues: readonly { path: PropertyKey[]; message: string }[]): number;
  finish(
    report: DrillReport,
    options: { readonly out: string; readonly 'report-s3'?: S3Target; readonly 's3-region'?: string },
  ): Promise<number>;
}

/** Everything the command reaches outside itself; tests replace them. */
export interface AwsCommandDependencies {
  readonly clients?: AwsClients;
  readonly terminal?: Terminal;
  readonly probe?: Probe;
  readonly resolveCname?: ResolveCname;
  readonly engine?: (clients: AwsClients, generators: Parameters<typeof ecsEngine>[1]) => LoadEngine;
  readonly timings?: AwsPlanTimings;
  /** How often the abort alarms are polled. @default 15 s */
  readonly alarmPollMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
  readonly now?: () => Date;
  readonly loadTopology?: (file: string) => TopologyModel;
  /** @default true: roll back on SIGINT/SIGTERM */
  readonly handleSignals?: boolean;
}

function ecsEngine(
  clients: AwsClients,
  generators: ConstructorParameters<typeof EcsLoadEngine>[0],
): LoadEngine {
  return new EcsLoadEngine(generators, { ecs: (r) => clients.ecs(r), s3: (r) => clients.s3(r) });
}

/** What the drill will do, said before the operator confirms. */
function planLines(
  args: AwsRunArgs,
  context: AwsDrillContext,
  plan: LoadPlan,
  failedCell?: string,
): string[] {
  const tasks = plan.regions.reduce((n, r) => n + r.tasks, 0);
  return [
    `drill ${args.drill} on zone ${context.zone.name} (run ${plan.runId})`,
    `  fault: ${args.fault}${failedCell ? ` taking ${failedCell} down` : ''}; rolled back after the fault window, on abort, on error and on Ctrl-C`,
    `  load: profile ${plan.profile} (${plan.flow} flow) from ${tasks} k6 task(s): ${plan.regions.map((r) => `${r.region} x${r.tasks}`).join(', ')}, against ${plan.baseUrl}`,
    `  predicted RTO: ${context.model.failover.predictedRtoSeconds} s (health checks ${context.model.failover.healthCheck.intervalSeconds} s x ${context.model.failover.healthCheck.failureThreshold} + DNS TTL ${context.model.failover.dnsTtlSeconds} s)`,
  ];
}

export async function runAwsCommand(
  values: Record<string, unknown>,
  hooks: AwsCommandHooks,
  deps: AwsCommandDependencies = {},
): Promise<number> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const error = deps.error ?? ((line: string) => console.error(line));
  const env = deps.env ?? process.env;
  const parsed = awsRunArgsSchema.safeParse(values);
  if (!parsed.success) return hooks.usageError(parsed.error.issues);
  const args = parsed.data;
  if (!isDrillName(args.drill)) return hooks.usageError([{ path: ['drill'], message: 'unknown drill' }]);
  const drill = drillByName(args.drill);
  if (!drill.aws) {
    error(
      `drill ${args.drill} has no AWS run yet (chaos/drills/${args.drill}.ts has no \`aws\`); run it with --local`,
    );
    return 2;
  }
  const model = (deps.loadTopology ?? loadTopology)(args.topology ?? DEFAULT_TOPOLOGY_FILE);
  const zone = zoneByName(model, args.zone);
  const token = env[DRILL_TOKEN_ENV];
  if (args.flow === 'shopper' && !token) {
    error(
      `${DRILL_TOKEN_ENV} is not set: the shopper flow needs a short-lived bearer token of a shopper homed in zone ${zone.name} (it travels in the ECS tasks' environment); or pass --flow health`,
    );
    return 2;
  }
  const def = drill.definition;
  const phases = deps.timings?.phases ?? def;
  const drillSeconds = phases.warmupSeconds + phases.faultSeconds + phases.settleSeconds;
  const profileSeconds = profileDurationSeconds(PROFILES[args.profile]);
  if (profileSeconds < drillSeconds) {
    error(
      `--profile ${args.profile} offers ${profileSeconds} s of load; drill ${args.drill} needs ${drillSeconds} s (warm-up, fault, settle): choose a longer profile (load, stress, soak)`,
    );
    return 2;
  }
  const terminal = deps.terminal ?? processTerminal();
  if (!args.yes && !terminal.interactive) {
    error(
      'refusing to run an AWS drill without a terminal to confirm it: run it interactively, or pass --yes',
    );
    return 2;
  }

  const now = deps.now ?? (() => new Date());
  const runId = drillId(args.drill, now())
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  const clients = deps.clients ?? defaultAwsClients();
  log(
    `preflight of zone ${zone.name} (${args['load-regions'].join(', ')} load regions, --fault ${args.fault}):`,
  );
  const checked = await preflight(
    { model, zone, loadRegions: args['load-regions'], mechanism: args.fault },
    clients,
  );
  for (const line of checked.lines) log(formatPreflightLine(line));
  if (!checked.passed) {
    error('PREFLIGHT FAILED: nothing was changed; fix the lines marked FAIL and run again');
    return 1;
  }

  const thresholds = PROFILES[args.profile].thresholds;
  const steadyState = await cloudWatchSteadyState(
    checked.cellAlarms,
    thresholds,
    args['steady-state-minutes'],
    clients,
    now,
  );
  log(`steady state from CloudWatch (profile ${args.profile} thresholds):`);
  for (const c of steadyState) log(`  ${outcomeWord(c).padEnd(12)} ${c.name}: ${c.detail}`);

  const plan = parseLoadPlan({
    runId,
    profile: args.profile,
    baseUrl: `https://${zone.apiDomainName}`,
    flow: args.flow,
    ...(token && args.flow === 'shopper' ? { token } : {}),
    regions: args['load-regions'].map((region) => ({ region, tasks: args['tasks-per-region'] })),
  });
  const context: AwsDrillContext = {
    model,
    zone,
    runId,
    mechanism: args.fault,
    faults: awsFaults(model, zone, args.fault, checked.targets, clients, runId),
  };
  const run = drill.aws(context);
  for (const line of planLines(args, context, plan, run.failedCell)) log(line);
  const steady = steadyState.every((c) => c.ok);
  // A steady state not met goes straight to the orchestrator, which records the drill as ABORTED.
  if (steady && !args.yes && !(await confirmed(terminal, zone.name))) {
    error('cancelled: nothing was changed');
    return 1;
  }

  const abortAlarms = abortAlarmNames(
    checked.cellAlarms.map((c) => ({ names: c.names, found: c.alarms.map((a) => a.AlarmName!) })),
    run.failedCell,
  );
  const alarmPollMs = deps.alarmPollMs ?? 15_000;
  log(
    `abort alarms: ${[...abortAlarms.values()].flat().length} watched every ${alarmPollMs / 1000} s${run.failedCell ? ` (not ${run.failedCell}'s API alarms: they are the fault's expected effect)` : ''}`,
  );
  const watch = watchAlarms({ alarms: abortAlarms, intervalMs: alarmPollMs, log }, clients);
  try {
    const drillPlan = awsDrillPlan({
      drill,
      run,
      model,
      zone,
      plan,
      engine: (deps.engine ?? ecsEngine)(clients, checked.generators),
      probe: deps.probe ?? httpsProbe(zoneHealthUrl(model, zone), deps.timings?.probeTimeoutMs ?? 3000),
      ...(deps.resolveCname ? { resolveCname: deps.resolveCname } : {}),
      steadyState,
      ...(deps.timings ? { timings: deps.timings } : {}),
      log,
    });
    const report = await runDrill({
      ...drillPlan,
      signal: watch.signal,
      handleSignals: deps.handleSignals ?? true,
      now,
    });
    return await hooks.finish(report, args);
  } finally {
    watch.stop();
  }
}
