import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { histogramOf } from '../../../loadtests/engine/histogram';
import { mergePercentile, mergeTaskSummaries } from '../../../loadtests/engine/merge';
import {
  TASK_SUMMARY_VERSION,
  type TaskSummary,
  taskSummaryFromK6,
} from '../../../loadtests/engine/task-summary';
import { PROFILES } from '../../../loadtests/profiles';
import { percentile } from '../../../loadtests/stats';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as unknown;

/** A Node-runner task summary over known latencies (nearest-rank percentiles, as the runner computes them). */
function nodeTask(taskId: string, region: string, latencies: readonly number[], failures = 0): TaskSummary {
  return {
    schemaVersion: TASK_SUMMARY_VERSION,
    generator: 'node-runner',
    region,
    taskId,
    profile: 'load',
    durationMs: 10_000,
    requests: latencies.length,
    failures,
    iterations: latencies.length,
    droppedIterations: 0,
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
    },
    histogram: (({ boundsMs, counts }) => ({ boundsMs: [...boundsMs], counts: [...counts] }))(
      histogramOf(latencies),
    ),
    failedThresholds: [],
  };
}

describe('merging task summaries', () => {
  it('adds counts per region and overall; throughput over the longest task', () => {
    const result = mergeTaskSummaries(PROFILES.load, [
      nodeTask('a', 'eu-central-1', [10, 20, 30], 1),
      nodeTask('b', 'eu-central-1', [15, 25], 0),
      { ...nodeTask('c', 'us-east-1', [50, 60, 70, 80], 2), durationMs: 20_000 },
    ]);
    expect(result.overall).toMatchObject({ tasks: 3, requests: 9, failures: 3, throughputRps: 0.45 });
    expect(result.regions.map((r) => [r.scope, r.requests, r.failures])).toEqual([
      ['eu-central-1', 5, 1],
      ['us-east-1', 4, 2],
    ]);
  });

  it('reports merged percentiles as intervals that hold the true percentile of all requests together', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: 0.5, max: 5000, noNaN: true }), { minLength: 1, maxLength: 80 }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.constantFrom(50 as const, 95 as const, 99 as const),
        (perTask, p) => {
          const tasks = perTask.map((latencies, i) => nodeTask(`t${i}`, 'eu-central-1', latencies));
          const estimate = mergePercentile(tasks, p)!;
          const truth = percentile(perTask.flat(), p)!;
          return (
            truth >= estimate.lowerMs - 0.001 &&
            truth <= estimate.upperMs + 0.001 &&
            estimate.valueMs === estimate.upperMs &&
            estimate.basis === 'histogram+task-percentiles'
          );
        },
      ),
    );
  });

  it('without histograms, falls back to the min-max of the tasks’ own percentiles (still holding the truth)', () => {
    const a = [10, 11, 12, 13, 200];
    const b = [100, 110, 120, 130, 140, 150, 160];
    const tasks = [nodeTask('a', 'r', a), nodeTask('b', 'r', b)].map(({ histogram: _h, ...t }) => t);
    const estimate = mergePercentile(tasks, 95)!;
    expect(estimate.basis).toBe('task-percentiles');
    expect(estimate).toMatchObject({ lowerMs: 160, upperMs: 200, valueMs: 200 });
    expect(percentile([...a, ...b], 95)).toBeGreaterThanOrEqual(estimate.lowerMs);
    expect(percentile([...a, ...b], 95)).toBeLessThanOrEqual(estimate.upperMs);
  });

  it('decides the profile thresholds on the merged figures, exactly at a bucket edge', () => {
    // 95 of 100 requests at or below 400 ms: p95 <= 400 passes; one more slow request fails it.
    const fast = Array.from({ length: 95 }, () => 390);
    const slow = Array.from({ length: 5 }, () => 900);
    const pass = mergeTaskSummaries(PROFILES.load, [nodeTask('a', 'r', fast), nodeTask('b', 'r', slow)]);
    const p95 = pass.overall.thresholds.find((t) => t.name === 'p95')!;
    expect(p95).toMatchObject({ limit: 400, ok: true });
    const fail = mergeTaskSummaries(PROFILES.load, [
      nodeTask('a', 'r', fast.slice(1)),
      nodeTask('b', 'r', [...slow, 900]),
    ]);
    expect(fail.overall.thresholds.find((t) => t.name === 'p95')!.ok).toBe(false);
    // An error rate at or above the profile's 1 % fails.
    const errors = mergeTaskSummaries(PROFILES.load, [nodeTask('a', 'r', fast.concat(slow), 1)]);
    expect(errors.overall.thresholds.find((t) => t.name === 'errorRate')).toMatchObject({
      actual: 0.01,
      ok: false,
    });
    expect(errors.passed).toBe(false);
  });

  it('is incomplete, and not passed, when a planned task left no summary', () => {
    const result = mergeTaskSummaries(
      PROFILES.load,
      [nodeTask('a', 'r', [10, 20])],
      [{ taskId: 'b', region: 'r', reason: 'not uploaded' }],
    );
    expect(result.overall.passed).toBe(true);
    expect(result.passed).toBe(false);
  });

  it('merges two regions’ k6 summaries (fixtures) with p95/p99 intervals holding the true values', () => {
    // Prepare: k6 summary files as loadtests/k6/summary.ts writes them, generated from known latencies.
    const eu = taskSummaryFromK6(
      fixture('k6-summary-eu-central-1-task-0.json'),
      { region: 'eu-central-1', taskId: 'eu-central-1-0', profile: 'load' },
      'eu fixture',
    );
    const us = taskSummaryFromK6(
      fixture('k6-summary-us-east-1-task-0.json'),
      { region: 'us-east-1', taskId: 'us-east-1-0', profile: 'load' },
      'us fixture',
    );
    // Act
    const result = mergeTaskSummaries(PROFILES.load, [eu, us]);
    // Assess: the true union percentiles of the 2100 latencies the fixtures were generated from.
    const TRUE_P95 = 436.842;
    const TRUE_P99 = 821.555;
    const { p95, p99 } = result.overall.latencyMs;
    expect(p95!.lowerMs).toBeLessThanOrEqual(TRUE_P95);
    expect(p95!.upperMs).toBeGreaterThanOrEqual(TRUE_P95);
    expect(p99!.lowerMs).toBeLessThanOrEqual(TRUE_P99);
    expect(p99!.upperMs).toBeGreaterThanOrEqual(TRUE_P99);
    expect(result.overall).toMatchObject({ requests: 2100, failures: 33, droppedIterations: 3 });
    expect(result.overall.thresholds.map((t) => [t.name, t.ok])).toEqual([
      ['p95', false],
      ['p99', false],
      ['errorRate', false],
    ]);
    expect(result.regions.find((r) => r.scope === 'eu-central-1')!.passed).toBe(true);
    expect(result.taskVerdicts.find((v) => v.taskId === 'us-east-1-0')!.failedThresholds).toContain(
      'http_req_duration p(99)<800',
    );
  });
});
