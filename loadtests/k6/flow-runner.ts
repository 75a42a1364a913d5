import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import {
  type FlowState,
  type FlowStep,
  IDEMPOTENCY_HEADER,
  isSuccessStatus,
  parseServedBy,
  SERVED_BY_HEADER,
  SHOPPER_FLOW,
} from '../flow';
import { LATENCY_BUCKETS, latencyBucket, latencyBucketMetric } from '../engine/histogram';
import { FLOW_DURATION_METRIC, FLOW_FAILED_METRIC, SERVED_BY_METRIC } from './options';

/**
 * One k6 iteration: the shopper flow against BASE_URL, each request tagged
 * with the step and with the zone/region that served it (from the
 * x-served-by header; built-in metrics cannot be tagged after the response,
 * hence the flow_* custom metrics).
 */

const flowDuration = new Trend(FLOW_DURATION_METRIC, true);
const flowFailed = new Rate(FLOW_FAILED_METRIC);
const servedBy = new Counter(SERVED_BY_METRIC);
// One counter per latency bucket (loadtests/engine/histogram.ts): the end-of-test summary carries
// counters, not samples, and bucket counts are what lets several tasks' latencies be merged.
const latencyBuckets = Array.from({ length: LATENCY_BUCKETS }, (_, i) => new Counter(latencyBucketMetric(i)));

const baseUrl = (__ENV.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const token = __ENV.TOKEN;
const country = __ENV.CLIENT_COUNTRY;
const runId = __ENV.RUN_ID ?? `k6-${Date.now()}`;

export function runFlow(profileMaxIterations: number, steps: readonly FlowStep[] = SHOPPER_FLOW): void {
  const maxIterations = Math.min(profileMaxIterations, Number(__ENV.MAX_ITERATIONS ?? profileMaxIterations));
  // Arrival-rate executors have no iteration cap: enforce the profile's request bound here.
  if (exec.scenario.iterationInTest >= maxIterations) {
    exec.test.abort(`request bound reached: ${maxIterations} iterations`);
    return;
  }
  const state: FlowState = { iterationId: `${runId}-${exec.scenario.iterationInTest}` };
  for (const step of steps) {
    const request = step.request(state);
    if (!request) return;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    if (request.idempotencyKey) headers[IDEMPOTENCY_HEADER] = request.idempotencyKey;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (country) headers['x-client-country'] = country;
    const response = http.request(
      request.method,
      `${baseUrl}${request.path}`,
      request.body === undefined ? null : JSON.stringify(request.body),
      { headers, tags: { step: step.name }, timeout: '10s' },
    );
    const served = parseServedBy(response.headers['X-Served-By'] ?? response.headers[SERVED_BY_HEADER]);
    const tags = { step: step.name, zone: served?.zone ?? 'unknown', region: served?.region ?? 'unknown' };
    const ok = isSuccessStatus(response.status);
    // `ok` rides on the duration sample so that one CSV row per request carries the whole timeline
    // entry (latency, outcome, serving cell): loadtests/engine/timeline.ts reads it.
    flowDuration.add(response.timings.duration, { ...tags, ok: ok ? 'true' : 'false' });
    latencyBuckets[latencyBucket(response.timings.duration)]!.add(1);
    flowFailed.add(!ok, tags);
    servedBy.add(1, tags);
    if (!ok) return;
    if (step.capture) {
      try {
        step.capture(state, response.json());
      } catch {
        return;
      }
    }
  }
}
