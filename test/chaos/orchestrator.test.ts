import { drillByName } from '../../chaos/drills';
import { type DrillPlan, runDrill } from '../../chaos/orchestrator';
import { FakeInjector, failing, fakeLoad, ok } from './fakes';
import { PRIMARY, SECONDARY } from './synthetic';

const steadyOk = async () => [{ name: 'cells healthy', ok: true, detail: 'all 200' }];

function plan(overrides: Partial<DrillPlan> & Pick<DrillPlan, 'injectors' | 'load'>): DrillPlan {
  return {
    definition: drillByName('region-failover').definition,
    environment: 'local',
    timeScale: 0.1,
    failedCell: PRIMARY,
    steadyState: steadyOk,
    predicted: { cloudSeconds: 90, scaledSeconds: 9, timeScale: 0.1 },
    errorBudget: 1000,
    wallClockLimitSeconds: 30,
    timings: { warmupSeconds: 3, faultSeconds: 20, settleSeconds: 4 },
    ...overrides,
  };
}

describe('drill orchestrator', () => {
  it('runs steady state -> inject -> recovery -> rollback -> failback and reports the measured RTO', async () => {
    // Prepare: the primary fails when the fault is active; the router moves to the secondary 6 s later
    const fault = new FakeInjector('primary stopped');
    let faultSecond: number | undefined;
    const load = fakeLoad((s) => {
      if (!fault.active && faultSecond === undefined) return ok(PRIMARY);
      faultSecond ??= s;
      if (fault.active) return s - faultSecond < 6 ? failing() : ok(SECONDARY);
      return ok(PRIMARY);
    });
    // Act
    const report = await runDrill(plan({ injectors: [fault], load }));
    // Assess
    expect(fault.calls).toEqual(['inject', 'rollback']);
    expect(report.verdict).toBe('pass');
    expect(report.figures.rtoSeconds).toBe(6);
    expect(report.figures.failbackSeconds).toBeDefined();
    expect(report.criteria.find((c) => c.name.startsWith('RTO within'))?.ok).toBe(true);
    expect(report.events.map((e) => e.label.split(':')[0])).toEqual([
      'load started',
      'fault injected',
      'recovered',
      'fault rolled back',
      'settle period over',
    ]);
  });

  it('starts the settle period when a slow rollback has finished, not when it began', async () => {
    // Prepare: the undo takes 200 ms real, dozens of the fake load's virtual seconds (a region catching up).
    const fault = new FakeInjector('region lost', {}, 200);
    const load = fakeLoad(() => (fault.active ? ok(SECONDARY) : ok(PRIMARY)));
    // Act
    const report = await runDrill(plan({ injectors: [fault], load }));
    // Assess: the whole settle period (4 s) follows the end of the rollback.
    const at = (label: string) => report.events.find((e) => e.label === label)?.atMs;
    expect(fault.calls).toEqual(['inject', 'rollback']);
    expect(at('settle period over')! - at('fault rolled back')!).toBeGreaterThanOrEqual(4000);
  });

  it('ends the settle period once traffic is back on the failed cell and held, when the plan asks for it', async () => {
    // Prepare: traffic returns to the primary 4 s after the rollback; the settle period's bound is 60 s
    const fault = new FakeInjector('primary stopped');
    let rolledBackSecond: number | undefined;
    let faulted = false;
    const load = fakeLoad((s) => {
      if (fault.active) {
        faulted = true;
        return ok(SECONDARY);
      }
      if (!faulted) return ok(PRIMARY);
      rolledBackSecond ??= s;
      return s - rolledBackSecond < 4 ? ok(SECONDARY) : ok(PRIMARY);
    });
    const timings = { warmupSeconds: 3, faultSeconds: 20, settleSeconds: 60 };
    // Act
    const report = await runDrill(plan({ injectors: [fault], load, timings, settleEndsAtFailback: true }));
    // Assess: over after the failback's 3 s window and the 2 s hold, long before the bound
    const at = (prefix: string) => report.events.find((e) => e.label.startsWith(prefix))?.atMs;
    const settled = at('settle period over')! - at('fault rolled back')!;
    expect(report.verdict).toBe('pass');
    expect(report.events.at(-1)?.label).toBe(`settle period over: traffic back on ${PRIMARY}`);
    expect(report.figures.failbackSeconds).toBe(4);
    expect(settled).toBeGreaterThanOrEqual((4 + 3 + 2) * 1000);
    expect(settled).toBeLessThan(20_000);
  });

  it('keeps the whole settle period as its bound when traffic never comes back', async () => {
    // Prepare: the secondary keeps serving after the rollback
    const fault = new FakeInjector('primary stopped');
    let faulted = false;
    const load = fakeLoad(() => {
      if (fault.active) faulted = true;
      return faulted ? ok(SECONDARY) : ok(PRIMARY);
    });
    // Act
    const report = await runDrill(plan({ injectors: [fault], load, settleEndsAtFailback: true }));
    // Assess
    const at = (label: string) => report.events.find((e) => e.label === label)?.atMs;
    expect(at('settle period over')! - at('fault rolled back')!).toBeGreaterThanOrEqual(4000);
    expect(report.notes).toContain('traffic did not return to the original cell before the drill ended');
  });

  it('fails the RTO check when recovery takes longer than predicted + 2 s', async () => {
    const fault = new FakeInjector('primary stopped');
    let faultSecond: number | undefined;
    const load = fakeLoad((s) => {
      if (!fault.active) return ok(faultSecond === undefined ? PRIMARY : SECONDARY);
      faultSecond ??= s;
      return s - faultSecond < 15 ? failing() : ok(SECONDARY);
    });
    const report = await runDrill(plan({ injectors: [fault], load }));
    expect(report.figures.rtoSeconds).toBe(15);
    expect(report.verdict).toBe('fail');
  });

  it('rolls back when inject throws half-way, and reports the drill as aborted', async () => {
    const first = new FakeInjector('first');
    const broken = new FakeInjector('broken', { inject: true });
    const report = await runDrill(plan({ injectors: [first, broken], load: fakeLoad(() => ok(PRIMARY)) }));
    expect(first.calls).toEqual(['inject', 'rollback']);
    expect(broken.calls).toEqual(['inject', 'rollback']);
    expect(report.verdict).toBe('aborted');
    expect(report.abortReason).toContain('broken inject failed');
  });

  it('aborts on the error budget and still rolls back', async () => {
    const fault = new FakeInjector('primary stopped');
    const load = fakeLoad(() => (fault.active ? failing(50) : ok(PRIMARY)));
    const report = await runDrill(plan({ injectors: [fault], load, errorBudget: 120 }));
    expect(fault.calls).toEqual(['inject', 'rollback']);
    expect(report.verdict).toBe('aborted');
    expect(report.abortReason).toMatch(/error budget exhausted: \d+ failed requests/);
    expect(fault.active).toBe(false);
  });

  it('rolls back when interrupted (Ctrl-C / external abort) during the fault', async () => {
    const fault = new FakeInjector('primary stopped');
    const controller = new AbortController();
    const load = fakeLoad(() => {
      if (fault.active) controller.abort('SIGINT received');
      return fault.active ? failing() : ok(PRIMARY);
    });
    const report = await runDrill(plan({ injectors: [fault], load, signal: controller.signal }));
    expect(fault.calls).toEqual(['inject', 'rollback']);
    expect(report.abortReason).toBe('SIGINT received');
    expect(report.faultWindow.endMs).toBeDefined();
  });

  it('rolls back every injector even when one rollback fails, and says so', async () => {
    const stuck = new FakeInjector('stuck', { rollback: true });
    const fine = new FakeInjector('fine');
    const report = await runDrill(
      plan({
        definition: drillByName('replication-pause').definition,
        injectors: [stuck, fine],
        load: fakeLoad(() => ok(PRIMARY)),
        timings: { warmupSeconds: 2, faultSeconds: 3, settleSeconds: 2 },
      }),
    );
    expect(fine.calls).toEqual(['inject', 'rollback']);
    // Tried on the normal path and again in `finally` because it was not undone
    expect(stuck.calls).toEqual(['inject', 'rollback', 'rollback']);
    const check = report.criteria.find((c) => c.name === 'every fault rolled back');
    expect(check?.ok).toBe(false);
    expect(report.verdict).toBe('fail');
  });

  it('does not inject anything when the steady state is not met', async () => {
    const fault = new FakeInjector('primary stopped');
    const report = await runDrill(
      plan({
        injectors: [fault],
        load: fakeLoad(() => ok(PRIMARY)),
        steadyState: async () => [{ name: 'cells healthy', ok: false, detail: 'us-west-2 answered 503' }],
      }),
    );
    expect(fault.calls).toEqual([]);
    expect(report.verdict).toBe('aborted');
    expect(report.abortReason).toContain('us-west-2 answered 503');
  });

  it('holds a hold-mode fault for its duration, then rolls back and lets the verifier judge', async () => {
    const pause = new FakeInjector('replication paused');
    const report = await runDrill(
      plan({
        definition: drillByName('replication-pause').definition,
        injectors: [pause],
        load: fakeLoad(() => ok(PRIMARY)),
        timings: { warmupSeconds: 2, faultSeconds: 5, settleSeconds: 2 },
        verifier: {
          verify: async (ctx) => ({
            figures: { missingInSecondary: 0 },
            criteria: [
              { name: 'fault lasted 5 s', ok: ctx.rollbackAtMs! - ctx.faultStartMs! === 5000, detail: '' },
            ],
          }),
        },
      }),
    );
    expect(pause.calls).toEqual(['inject', 'rollback']);
    expect(report.figures.missingInSecondary).toBe(0);
    expect(report.verdict).toBe('pass');
  });

  it("records the host's load average and CPU count at start and end", async () => {
    // Prepare: a host whose load rises during the drill
    const loads = [
      { loadAverage: [0.5, 0.4, 0.3], cpuCount: 2 },
      { loadAverage: [4.123, 2, 1], cpuCount: 2 },
    ];
    // Act
    const report = await runDrill(
      plan({
        injectors: [new FakeInjector('primary stopped')],
        load: fakeLoad(() => ok(PRIMARY)),
        timings: { warmupSeconds: 1, faultSeconds: 2, settleSeconds: 1 },
        host: () => loads.shift()!,
      }),
    );
    // Assess
    expect(report.host).toEqual({
      cpuCount: 2,
      loadAverageAtStart: [0.5, 0.4, 0.3],
      loadAverageAtEnd: [4.12, 2, 1],
    });
  });

  it('calls a drill inconclusive, not failed, when its verification cannot run', async () => {
    const report = await runDrill(
      plan({
        definition: drillByName('replication-pause').definition,
        injectors: [new FakeInjector('replication paused')],
        load: fakeLoad(() => ok(PRIMARY)),
        timings: { warmupSeconds: 1, faultSeconds: 2, settleSeconds: 1 },
        verifier: {
          verify: async () => {
            throw new Error('DynamoDB Local unreachable');
          },
        },
      }),
    );
    expect(report.criteria.find((c) => c.name === 'verification')).toMatchObject({
      ok: false,
      inconclusive: true,
    });
    expect(report.verdict).toBe('inconclusive');
  });

  it('rolls back on SIGINT when it handles signals (the CLI)', async () => {
    // Prepare: set aside other SIGINT listeners so emitting the signal only reaches the drill
    const others = process.listeners('SIGINT');
    process.removeAllListeners('SIGINT');
    const fault = new FakeInjector('primary stopped');
    const load = fakeLoad(() => {
      if (fault.active) process.emit('SIGINT', 'SIGINT');
      return fault.active ? failing() : ok(PRIMARY);
    });
    try {
      // Act
      const report = await runDrill(plan({ injectors: [fault], load, handleSignals: true }));
      // Assess
      expect(fault.calls).toEqual(['inject', 'rollback']);
      expect(report.abortReason).toBe('SIGINT received');
      expect(process.listenerCount('SIGINT')).toBe(0);
    } finally {
      for (const listener of others) process.on('SIGINT', listener);
    }
  });
});
