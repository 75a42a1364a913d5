import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { defaultAwsClients } from '../../../chaos/aws/clients';
import { type AwsCommandDependencies, runAwsCommand } from '../../../chaos/aws/command';
import type { Terminal } from '../../../chaos/aws/confirm';
import type { ProbeResult } from '../../../chaos/aws/probe';
import type { DrillReport } from '../../../chaos/report';
import type { LoadEngine, TaskStatus } from '../../../loadtests/engine/orchestrator';
import { taskSummaryFromK6 } from '../../../loadtests/engine/task-summary';
import type { TimelineRow } from '../../../loadtests/engine/timeline';
import { HEALTH_CHECK_IDS, mockDeployment, sts } from './deployment';

/**
 * The one-command AWS drill end to end against the SDK v3 call shapes
 * (deployment.ts): preflight -> steady state -> confirmation -> load -> fault
 * -> rollback -> report, and the abort on an alarm. The k6 tasks are a fake
 * engine (EcsLoadEngine's own RunTask/DescribeTasks/S3 shapes are tested in
 * test/loadtests/engine/aws-ecs-engine.test.ts); their per-request timelines
 * are derived from when the health check was really inverted, with a failover
 * that takes the clients FAILOVER_MS, while the operator's probe sees it at once:
 * the report's RTO must be the clients' one.
 */

const PRIMARY = 'global/us-east-1';
const SECONDARY = 'global/us-west-2';
const FAILOVER_MS = 2500;
const LOAD_REGIONS = ['us-east-1', 'eu-central-1'];
const k6Fixture = (region: string) =>
  JSON.parse(
    readFileSync(
      join(__dirname, '..', '..', 'loadtests', 'engine', 'fixtures', `k6-summary-${region}-task-0.json`),
      'utf8',
    ),
  );

interface FakeLoad {
  readonly engine: LoadEngine;
  /** Epoch ms of the inversion and its undo, set by the Route 53 mock through `onFault`. */
  readonly fault: { injectedAt?: number; rolledBackAt?: number };
}

/** k6 tasks that run until stopped, each with one request every 100 ms as the clients saw it. */
function fakeK6(calls: string[]): FakeLoad {
  const fault: FakeLoad['fault'] = {};
  let runningSince: number | undefined;
  let stoppedAt: number | undefined;
  const rowsUntil = (end: number): TimelineRow[] => {
    const rows: TimelineRow[] = [];
    for (let t = (runningSince ?? end) + 150; t < end; t += 100) {
      const faulted = fault.injectedAt !== undefined && t >= fault.injectedAt;
      const failedOver = faulted && t >= fault.injectedAt! + FAILOVER_MS;
      const back = fault.rolledBackAt !== undefined && t >= fault.rolledBackAt;
      rows.push(
        faulted && !failedOver && !back
          ? { startEpochMs: t, ok: false, latencyMs: 30, servedBy: PRIMARY, step: 'browse', status: 503 }
          : {
              startEpochMs: t,
              ok: true,
              latencyMs: 40,
              servedBy: failedOver && !back ? SECONDARY : PRIMARY,
              step: 'browse',
            },
      );
    }
    return rows;
  };
  const engine: LoadEngine = {
    name: 'fake-ecs',
    async start(_plan, tasks) {
      calls.push(`RunTask ${tasks.map((t) => t.taskId).join(',')}`);
      return {
        started: tasks.map((assignment) => ({ assignment, handle: `arn:task/${assignment.taskId}` })),
        failures: [],
      };
    },
    async status(tasks): Promise<TaskStatus[]> {
      runningSince ??= Date.now();
      return tasks.map((t) =>
        stoppedAt === undefined
          ? { taskId: t.assignment.taskId, phase: 'running' }
          : { taskId: t.assignment.taskId, phase: 'stopped', exitCode: 0 },
      );
    },
    async stop(_tasks, reason) {
      calls.push(`StopTask (${reason})`);
      stoppedAt ??= Date.now();
    },
    async collect(plan, tasks) {
      return tasks.map((assignment) => ({
        assignment,
        summary: taskSummaryFromK6(
          k6Fixture(assignment.region === 'us-east-1' ? 'us-east-1' : 'eu-central-1'),
          { region: assignment.region, taskId: assignment.taskId, profile: plan.profile },
          'fixture',
        ),
      }));
    },
    async collectTimelines(_plan, tasks) {
      const rows = rowsUntil(stoppedAt ?? Date.now());
      return tasks.map((assignment) => ({
        assignment,
        timeline: { taskId: assignment.taskId, region: assignment.region, rows },
      }));
    },
  };
  return { engine, fault };
}

const yesTerminal = (calls: string[], answer = 'global'): Terminal => ({
  interactive: true,
  async ask(question) {
    calls.push(`confirm: ${question}`);
    return answer;
  },
});

const values = (extra: Record<string, unknown> = {}) => ({
  drill: 'region-failover',
  aws: true,
  zone: 'global',
  'load-regions': LOAD_REGIONS.join(','),
  profile: 'load',
  flow: 'health',
  'steady-state-minutes': '30',
  ...extra,
});

interface Outcome {
  code: number;
  report?: DrillReport;
  usage: string[];
  log: string[];
  errors: string[];
}

async function run(
  argValues: Record<string, unknown>,
  calls: string[],
  deps: Partial<AwsCommandDependencies> = {},
): Promise<Outcome> {
  const outcome: Outcome = { code: -1, usage: [], log: [], errors: [] };
  outcome.code = await runAwsCommand(
    argValues,
    {
      usageError(issues) {
        outcome.usage.push(...issues.map((i) => `${i.path.join('.')}: ${i.message}`));
        return 2;
      },
      async finish(report) {
        calls.push('report');
        outcome.report = report;
        return report.verdict === 'pass' ? 0 : 1;
      },
    },
    {
      clients: defaultAwsClients(),
      terminal: yesTerminal(calls),
      log: (l) => outcome.log.push(l),
      error: (l) => outcome.errors.push(l),
      handleSignals: false,
      alarmPollMs: 20,
      now: () => new Date(),
      ...deps,
    },
  );
  return outcome;
}

/** The probe of the operator: the secondary answers as soon as the health check is inverted. */
const probeOf = (state: ReturnType<typeof mockDeployment>) => async (): Promise<ProbeResult> => ({
  status: 200,
  ok: true,
  latencyMs: 20,
  servedBy: state.inverted.has(HEALTH_CHECK_IDS[PRIMARY]) ? SECONDARY : PRIMARY,
});

/** Ties the fake clients' fault clock to the Route 53 mock's UpdateHealthCheck calls. */
function recordFault(state: ReturnType<typeof mockDeployment>, load: FakeLoad) {
  const push = state.calls.push.bind(state.calls);
  state.calls.push = (...items: string[]) => {
    for (const item of items) {
      if (item.endsWith('Inverted=true')) load.fault.injectedAt ??= Date.now();
      if (item.endsWith('Inverted=false')) load.fault.rolledBackAt ??= Date.now();
    }
    return push(...items);
  };
}

/** The survivor's dead-letter queue fills once the fault is in: harm beyond the hypothesis. */
function alarmOnFault(state: ReturnType<typeof mockDeployment>, alarm: string) {
  const push = state.calls.push.bind(state.calls);
  state.calls.push = (...items: string[]) => {
    if (items.some((i) => i.endsWith('Inverted=true'))) state.alarmStates.set(alarm, 'ALARM');
    return push(...items);
  };
}

const phases = { warmupSeconds: 2, faultSeconds: 20, settleSeconds: 2 };
const timings = {
  phases,
  loadPollMs: 20,
  probeTimeoutMs: 50,
  stopGraceMs: 2000,
  startupAllowanceSeconds: 10,
  holdAfterRecoverySeconds: 3,
};

describe('npm run drill -- run region-failover --aws (one command, SDK v3 call shapes)', () => {
  it('runs preflight, steady state, confirmation, load, fault, rollback and report in that order; RTO from the k6 timelines', async () => {
    const state = mockDeployment();
    const load = fakeK6(state.calls);
    recordFault(state, load);
    const outcome = await run(values(), state.calls, {
      engine: () => load.engine,
      probe: probeOf(state),
      resolveCname: async () => ['api.us-east-1.global.shop.example.com'],
      timings,
    });
    expect(outcome.errors).toEqual([]);
    const inverted = `UpdateHealthCheck ${HEALTH_CHECK_IDS[PRIMARY]} Inverted=true`;
    const restored = `UpdateHealthCheck ${HEALTH_CHECK_IDS[PRIMARY]} Inverted=false`;
    const milestones = state.calls.filter(
      (c) =>
        c === 'GetCallerIdentity' ||
        c === 'GetMetricData' ||
        c.startsWith('confirm') ||
        c.startsWith('RunTask') ||
        c.startsWith('UpdateHealthCheck') ||
        c.startsWith('StopTask') ||
        c === 'report',
    );
    expect(milestones).toEqual([
      'GetCallerIdentity',
      'GetMetricData',
      'GetMetricData',
      expect.stringMatching(/^confirm: Type the zone name \(global\)/),
      'RunTask us-east-1-0,eu-central-1-0',
      inverted,
      restored,
      'StopTask (drill ended)',
      'report',
    ]);
    // Preflight (read-only) is complete before anything is asked or changed.
    const firstChange = state.calls.findIndex((c) => c.startsWith('confirm'));
    expect(
      state.calls.slice(0, firstChange).filter((c) => c.startsWith('DescribeAlarms names')),
    ).toHaveLength(2);
    expect(state.calls.indexOf('ListHealthChecks')).toBeLessThan(firstChange);
    // Abort alarms were polled while the fault was in.
    expect(
      state.calls
        .slice(state.calls.indexOf(inverted), state.calls.indexOf(restored))
        .some((c) => c === 'DescribeAlarms StateValue=ALARM'),
    ).toBe(true);

    const report = outcome.report!;
    expect(report.environment).toBe('aws');
    expect(report.abortReason).toBeUndefined();
    expect(report.verdict).toBe('pass');
    expect(outcome.code).toBe(0);
    expect(report.load?.timelineSource).toBe('2/2 generator timelines (fake-ecs)');
    // The clients' RTO (FAILOVER_MS, whole seconds), not the probe's (immediate).
    expect(report.figures.rtoSeconds).toBeGreaterThanOrEqual(2);
    expect(report.figures.predictedRtoSeconds).toBe(90);
    expect(Object.keys(report.load?.regionRtoSeconds ?? {}).sort()).toEqual(['eu-central-1', 'us-east-1']);
    for (const rto of Object.values(report.load!.regionRtoSeconds!)) expect(rto).toBeGreaterThanOrEqual(2);
    expect(report.criteria).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'every fault rolled back', ok: true })]),
    );
    expect(state.inverted.size).toBe(0);
  }, 60_000);

  it('aborts and rolls back at once when an abort alarm fires during the fault', async () => {
    const state = mockDeployment();
    const load = fakeK6(state.calls);
    recordFault(state, load);
    alarmOnFault(state, 'commerce-cell-global-us-west-2-dead-letter-depth-0');
    const outcome = await run(values(), state.calls, {
      engine: () => load.engine,
      // The probe never recovers: without the abort the drill would hold the fault for the whole window.
      probe: async () => ({ status: 503, ok: false, latencyMs: 5, servedBy: PRIMARY }),
      timings: { ...timings, phases: { ...phases, faultSeconds: 45 } },
    });
    expect(outcome.code).toBe(1);
    const report = outcome.report!;
    expect(report.verdict).toBe('aborted');
    expect(report.abortReason).toMatch(
      /^abort condition: commerce-cell-global-us-west-2-dead-letter-depth-0 \(us-west-2\) in ALARM/,
    );
    const inverted = state.calls.indexOf(`UpdateHealthCheck ${HEALTH_CHECK_IDS[PRIMARY]} Inverted=true`);
    const restored = state.calls.indexOf(`UpdateHealthCheck ${HEALTH_CHECK_IDS[PRIMARY]} Inverted=false`);
    expect(inverted).toBeGreaterThan(-1);
    expect(restored).toBeGreaterThan(inverted);
    expect(state.calls.slice(inverted, restored)).toContain('DescribeAlarms StateValue=ALARM');
    expect(state.calls.slice(restored).some((c) => c.startsWith('StopTask'))).toBe(true);
    expect(report.events.map((e) => e.label)).toContain('fault rolled back (drill ending)');
    expect(state.inverted.size).toBe(0);
  }, 90_000);

  it('changes nothing when preflight fails', async () => {
    const state = mockDeployment();
    state.alarmStates.set('commerce-cell-global-us-east-1-api-5xx-rate', 'ALARM');
    const load = fakeK6(state.calls);
    const outcome = await run(values(), state.calls, { engine: () => load.engine, timings });
    expect(outcome.code).toBe(1);
    expect(outcome.errors).toEqual([expect.stringMatching(/^PREFLIGHT FAILED: nothing was changed/)]);
    expect(outcome.log).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /FAIL alarms of global\/us-east-1: commerce-cell-global-us-east-1-api-5xx-rate is ALARM/,
        ),
      ]),
    );
    expect(state.calls.filter((c) => /^(confirm|RunTask|UpdateHealthCheck|GetMetricData)/.test(c))).toEqual(
      [],
    );
  });

  it('changes nothing when the operator does not type the zone name', async () => {
    const state = mockDeployment();
    const load = fakeK6(state.calls);
    const outcome = await run(values(), state.calls, {
      engine: () => load.engine,
      terminal: yesTerminal(state.calls, 'eu'),
      timings,
    });
    expect(outcome.code).toBe(1);
    expect(outcome.errors).toEqual(['cancelled: nothing was changed']);
    expect(state.calls.filter((c) => /^(RunTask|UpdateHealthCheck)/.test(c))).toEqual([]);
  });

  it('refuses without --yes when there is no terminal (CI), before any AWS call; --yes skips the question', async () => {
    const state = mockDeployment();
    const noTty: Terminal = {
      interactive: false,
      ask: async () => {
        throw new Error('no terminal to ask');
      },
    };
    const refused = await run(values(), state.calls, { terminal: noTty, timings });
    expect(refused.code).toBe(2);
    expect(refused.errors).toEqual([expect.stringMatching(/without a terminal to confirm it: .*pass --yes/)]);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);

    const load = fakeK6(state.calls);
    recordFault(state, load);
    alarmOnFault(state, 'commerce-cell-global-us-west-2-dead-letter-depth-0'); // ends the run early
    const scheduled = await run(values({ yes: true }), state.calls, {
      terminal: noTty,
      engine: () => load.engine,
      probe: probeOf(state),
      timings,
    });
    expect(scheduled.errors).toEqual([]);
    expect(state.calls.filter((c) => c.startsWith('UpdateHealthCheck'))).toHaveLength(2);
    expect(state.calls.filter((c) => c.startsWith('confirm'))).toEqual([]);
  }, 60_000);
});

describe('run --aws argument errors (exit 2, naming the flag)', () => {
  it.each([
    [
      'no --load-regions',
      { 'load-regions': undefined },
      'load-regions: name the regions to generate load from',
    ],
    ['unknown region', { 'load-regions': 'us-east-1,moon-1' }, 'load-regions.1'],
    ['region twice', { 'load-regions': 'us-east-1,us-east-1' }, 'load-regions: each region once'],
    ['unknown profile', { profile: 'huge' }, 'profile: one of'],
    ['unknown fault', { fault: 'meteor' }, 'fault: '],
    ['zero tasks', { 'tasks-per-region': '0' }, 'tasks-per-region: '],
    ['short steady-state window', { 'steady-state-minutes': '1' }, 'steady-state-minutes: '],
    ['unknown drill', { drill: 'no-such-drill' }, 'drill: unknown drill'],
    ['unknown flag', { frobnicate: true }, 'frobnicate'],
  ])('%s', async (_case, override, named) => {
    const state = mockDeployment();
    const outcome = await run(values(override), state.calls);
    expect(outcome.code).toBe(2);
    expect(outcome.usage.join('\n')).toContain(named);
    expect(state.calls).toEqual([]);
  });

  it('asks for DRILL_TOKEN for the shopper flow, and for a profile long enough for the drill', async () => {
    const state = mockDeployment();
    const noToken = await run(values({ flow: 'shopper' }), state.calls, { env: {} });
    expect(noToken.code).toBe(2);
    expect(noToken.errors).toEqual([expect.stringMatching(/^DRILL_TOKEN is not set/)]);
    const short = await run(values({ profile: 'smoke' }), state.calls, { env: {} });
    expect(short.code).toBe(2);
    expect(short.errors).toEqual([
      expect.stringMatching(/^--profile smoke offers \d+ s of load; drill region-failover needs/),
    ]);
    expect(state.calls).toEqual([]);
  });
});
