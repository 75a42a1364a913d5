import { type FaultDescription, ReversibleFault } from '../../chaos/injectors/types';
import type { DriverRun, LoadDriver } from '../../chaos/orchestrator';
import type { RunSummary, SecondBucket } from '../../loadtests/runner';

/**
 * Records the effective inject/undo calls; can be told to fail on either.
 * Built on ReversibleFault like the real injectors, so rollback is idempotent.
 */
export class FakeInjector extends ReversibleFault {
  readonly calls: string[] = [];
  active = false;
  constructor(
    private readonly name: string,
    private readonly failOn: { inject?: boolean; rollback?: boolean } = {},
    /** Real milliseconds the undo takes (a lost region catching up); the fake load runs on meanwhile. */
    private readonly undoMs = 0,
  ) {
    super();
  }
  describe(): FaultDescription {
    return { mechanism: 'fake', fault: this.name, target: 'test', simulated: true };
  }
  protected async apply(): Promise<void> {
    this.calls.push('inject');
    this.active = true;
    if (this.failOn.inject) throw new Error(`${this.name} inject failed`);
  }
  protected async undo(): Promise<void> {
    this.calls.push('rollback');
    if (this.undoMs > 0) await new Promise((resolve) => setTimeout(resolve, this.undoMs));
    if (this.failOn.rollback) throw new Error(`${this.name} rollback failed`);
    this.active = false;
  }
}

/**
 * A load driver producing one synthetic bucket per virtual second (every few
 * real milliseconds), so drills run in milliseconds; `bucket(second)` decides
 * what each second looked like (it can look at the injectors' state).
 */
export function fakeLoad(
  bucket: (second: number) => Omit<SecondBucket, 'second'>,
  maxSeconds = 600,
): LoadDriver {
  return {
    start({ onSecond }): DriverRun {
      const emitted: SecondBucket[] = [];
      let stopped = false;
      let resolveDone!: (summary: RunSummary) => void;
      const done = new Promise<RunSummary>((r) => {
        resolveDone = r;
      });
      const finish = () => {
        const requests = emitted.reduce((n, b) => n + b.count, 0);
        const failures = emitted.reduce((n, b) => n + b.count - b.success, 0);
        resolveDone({
          profile: 'fake',
          baseUrl: 'http://127.0.0.1',
          stopReason: 'stopped',
          durationMs: emitted.length * 1000,
          iterationsStarted: requests,
          iterationsDropped: 0,
          requests,
          failures,
          errorRate: requests ? failures / requests : 0,
          p50Ms: 10,
          p95Ms: 20,
          p99Ms: 30,
          servedBy: {},
          failuresByStep: {},
          buckets: emitted,
          thresholds: [],
          passed: true,
        });
      };
      const timer = setInterval(() => {
        if (stopped || emitted.length >= maxSeconds) {
          clearInterval(timer);
          finish();
          return;
        }
        const b = { second: emitted.length, ...bucket(emitted.length) };
        emitted.push(b);
        onSecond(b);
      }, 2);
      return {
        stop: () => {
          stopped = true;
        },
        done,
        elapsedMs: () => emitted.length * 1000,
      };
    },
  };
}

export const ok = (cell: string, count = 10): Omit<SecondBucket, 'second'> => ({
  count,
  success: count,
  p50Ms: 10,
  p99Ms: 20,
  servedBy: { [cell]: count },
});

export const failing = (count = 10): Omit<SecondBucket, 'second'> => ({
  count,
  success: 0,
  p50Ms: 5,
  p99Ms: 5,
  servedBy: { unknown: count },
});
