import { z } from 'zod';
import { PROFILE_NAMES } from '../profiles';
import type { RunSummary, Sample } from '../runner';
import { percentile, round } from '../stats';
import {
  histogramOf,
  histogramTotal,
  LATENCY_BOUNDS_MS,
  LATENCY_BUCKETS,
  type LatencyHistogram,
  latencyBucketMetric,
} from './histogram';

/**
 * One load generator's result, whatever produced it (a k6 task on Fargate or a
 * local Node runner process): the unit the merge works on. Validated with zod
 * wherever it is read, since it crosses a process or an S3 bucket.
 */

export const TASK_SUMMARY_VERSION = 1;

const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();

export const latencyHistogramSchema = z
  .object({ boundsMs: z.array(ms).min(1), counts: z.array(count) })
  .refine((h) => h.counts.length === h.boundsMs.length + 1, {
    message: 'counts must have one entry per bound plus the overflow bucket',
  })
  .refine((h) => h.boundsMs.every((b, i) => i === 0 || b > h.boundsMs[i - 1]!), {
    message: 'boundsMs must increase strictly',
  });

export const taskSummarySchema = z
  .object({
    schemaVersion: z.literal(TASK_SUMMARY_VERSION),
    generator: z.enum(['k6', 'node-runner']),
    region: z.string().min(1),
    taskId: z.string().min(1),
    profile: z.enum(PROFILE_NAMES),
    durationMs: ms,
    requests: count,
    failures: count,
    iterations: count,
    droppedIterations: count,
    /** The generator's own percentiles over its own requests (k6 interpolates; the Node runner uses nearest rank). */
    latencyMs: z.object({
      p50: ms.optional(),
      p95: ms.optional(),
      p99: ms.optional(),
      max: ms.optional(),
    }),
    histogram: latencyHistogramSchema.optional(),
    /** Thresholds the generator saw fail on its own share of the load (k6 expression or runner name). */
    failedThresholds: z.array(z.string()),
    stopReason: z.string().optional(),
  })
  .refine((s) => s.failures <= s.requests, { message: 'failures cannot exceed requests', path: ['failures'] })
  .refine((s) => !s.histogram || histogramTotal(s.histogram) === s.requests, {
    message: 'the histogram must count every request',
    path: ['histogram'],
  });

export type TaskSummary = z.output<typeof taskSummarySchema>;

export function parseTaskSummary(value: unknown, source: string): TaskSummary {
  const parsed = taskSummarySchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source} is not a task summary (v${TASK_SUMMARY_VERSION}): ${problems.join('; ')}`);
  }
  return parsed.data;
}

const toSchemaHistogram = (h: LatencyHistogram) => ({ boundsMs: [...h.boundsMs], counts: [...h.counts] });

/** A Node runner process's summary: counts from the run, histogram and percentiles from its samples. */
export function taskSummaryFromRunner(
  run: RunSummary,
  samples: readonly Sample[],
  labels: { readonly region: string; readonly taskId: string },
): TaskSummary {
  const latencies = samples.map((s) => s.latencyMs);
  return {
    schemaVersion: TASK_SUMMARY_VERSION,
    generator: 'node-runner',
    region: labels.region,
    taskId: labels.taskId,
    profile: run.profile as TaskSummary['profile'],
    durationMs: run.durationMs,
    requests: samples.length,
    failures: samples.filter((s) => !s.ok).length,
    iterations: run.iterationsStarted,
    droppedIterations: run.iterationsDropped,
    latencyMs: {
      p50: round(percentile(latencies, 50), 3),
      p95: round(percentile(latencies, 95), 3),
      p99: round(percentile(latencies, 99), 3),
      max: round(percentile(latencies, 100), 3),
    },
    histogram: toSchemaHistogram(histogramOf(latencies)),
    failedThresholds: run.thresholds.filter((t) => !t.ok).map((t) => t.name),
    stopReason: run.stopReason,
  };
}

/** What loadtests/k6/summary.ts writes: `{ profile, failed, data }`, data being k6's handleSummary argument. */
const k6MetricSchema = z.looseObject({
  values: z.record(z.string(), z.number()).default({}),
  thresholds: z.record(z.string(), z.looseObject({ ok: z.boolean() })).optional(),
});
const k6SummaryFileSchema = z.looseObject({
  failed: z.array(z.string()).default([]),
  data: z.looseObject({
    state: z.looseObject({ testRunDurationMs: z.number().nonnegative() }),
    metrics: z.record(z.string(), k6MetricSchema),
  }),
});

/**
 * A k6 task's summary file read into a TaskSummary. Requests are `http_reqs`,
 * failures the true samples of `http_req_failed`; the histogram is read from
 * the flow_latency_le_* counters (flow-runner.ts). A counter never incremented
 * is absent from k6's summary and counts 0. If the buckets do not add up to
 * the requests (a script without the counters), the histogram is left out and
 * the merge falls back to percentile bounds.
 */
export function taskSummaryFromK6(
  file: unknown,
  labels: { readonly region: string; readonly taskId: string; readonly profile: TaskSummary['profile'] },
  source: string,
): TaskSummary {
  const parsed = k6SummaryFileSchema.safeParse(file);
  if (!parsed.success) {
    throw new Error(
      `${source} is not a k6 summary written by loadtests/k6/summary.ts: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const { metrics, state } = parsed.data.data;
  const value = (metric: string, key: string) => metrics[metric]?.values[key];
  const requests = Math.round(value('http_reqs', 'count') ?? 0);
  const counts = Array.from({ length: LATENCY_BUCKETS }, (_, i) =>
    Math.round(value(latencyBucketMetric(i), 'count') ?? 0),
  );
  const histogram: LatencyHistogram = { boundsMs: LATENCY_BOUNDS_MS, counts };
  const failedThresholds = Object.entries(metrics).flatMap(([metric, m]) =>
    Object.entries(m.thresholds ?? {})
      .filter(([, t]) => !t.ok)
      .map(([expression]) => `${metric} ${expression}`),
  );
  return parseTaskSummary(
    {
      schemaVersion: TASK_SUMMARY_VERSION,
      generator: 'k6',
      ...labels,
      durationMs: state.testRunDurationMs,
      requests,
      failures: Math.round(value('http_req_failed', 'passes') ?? 0),
      iterations: Math.round(value('iterations', 'count') ?? 0),
      droppedIterations: Math.round(value('dropped_iterations', 'count') ?? 0),
      latencyMs: {
        p50: value('http_req_duration', 'med'),
        p95: value('http_req_duration', 'p(95)'),
        p99: value('http_req_duration', 'p(99)'),
        max: value('http_req_duration', 'max'),
      },
      ...(histogramTotal(histogram) === requests ? { histogram: toSchemaHistogram(histogram) } : {}),
      failedThresholds: [...new Set([...parsed.data.failed, ...failedThresholds])],
    },
    source,
  );
}
