import { awsFaultArgsSchema, holdFault } from '../../chaos/aws-fault';
import { FakeInjector } from './fakes';

describe('bounded AWS fault', () => {
  it('rolls back after the duration and on abort, never leaving the fault in place', async () => {
    // Prepare
    const injector = new FakeInjector('health check inverted');
    const controller = new AbortController();
    let observations = 0;
    // Act: abort after the first observation (Ctrl-C)
    const result = await holdFault(
      {
        injector,
        observe: async () => {
          observations++;
          controller.abort();
          return 'unhealthy';
        },
      },
      { durationSeconds: 3600, observeEverySeconds: 0.01, signal: controller.signal, log: () => undefined },
    );
    // Assess
    expect(result).toEqual({ rolledBack: true });
    expect(injector.calls).toEqual(['inject', 'rollback']);
    expect(observations).toBe(1);
  });

  it.each([25, 10, 3601 - 1])(
    'holds the fault for exactly --duration %i s, not rounded up to the 10 s observation step',
    async (durationSeconds) => {
      // Prepare: a fake clock that the waits advance.
      const injector = new FakeInjector('drill flag');
      const clock = { now: 1_000_000 };
      const waits: number[] = [];
      // Act
      const result = await holdFault(
        { injector, observe: async () => 'holding' },
        {
          durationSeconds,
          signal: new AbortController().signal,
          log: () => undefined,
          now: () => clock.now,
          wait: async (ms) => {
            waits.push(ms);
            clock.now += ms;
          },
        },
      );
      // Assess
      expect(result).toEqual({ rolledBack: true });
      expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(durationSeconds * 1000);
      expect(Math.max(...waits)).toBeLessThanOrEqual(10_000);
      expect(injector.calls).toEqual(['inject', 'rollback']);
    },
  );

  it('rolls back when injecting fails', async () => {
    const injector = new FakeInjector('broken', { inject: true });
    const result = await holdFault(
      { injector, observe: async () => '' },
      { durationSeconds: 10, signal: new AbortController().signal, log: () => undefined },
    );
    expect(injector.calls).toEqual(['inject', 'rollback']);
    expect(result.error).toContain('broken inject failed');
  });

  it('bounds the duration and requires the target of each mechanism', () => {
    expect(
      awsFaultArgsSchema.safeParse({ mechanism: 'route53', 'health-check-id': 'abc', duration: '7200' })
        .success,
    ).toBe(false);
    expect(
      awsFaultArgsSchema.safeParse({ mechanism: 'fis', duration: '60', region: 'us-east-1' }).success,
    ).toBe(false);
    expect(
      awsFaultArgsSchema.safeParse({
        mechanism: 'drill-flag',
        table: 'commerce-global-commerce',
        region: 'us-east-1',
        duration: '60',
      }).success,
    ).toBe(true);
  });
});
