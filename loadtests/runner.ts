import {
  type FlowState,
  type FlowStep,
  IDEMPOTENCY_HEADER,
  isSuccessStatus,
  parseServedBy,
  SERVED_BY_HEADER,
  servedByLabel,
} from './flow';
import { assertLoopback } from './loopback';
import { type LoadProfile, profileDurationSeconds, rateAt } from './profiles';
import { percentile, round } from './stats';

/**
 * The local load runner: an open arrival-rate generator (iterations start on
 * the profile's schedule whether or not earlier ones have finished) with a
 * concurrency cap, a request bound and a wall-clock bound. Arrivals that find
 * the cap full are dropped and counted, as k6 does, rather than queued: a
 * queue would quietly turn the open model back into a closed one.
 */

/** Wait before retrying a 503 `not_writer` that carries no Retry-After (the cells send 1 s). */
const NOT_WRITER_RETRY_AFTER_MS = 1000;

export interface Sample {
  /** Milliseconds since the run started, at request start. */
  readonly atMs: number;
  readonly step: string;
  /** HTTP status; 0 for a transport error or timeout. */
  readonly status: number;
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly servedBy: string;
}

export interface SecondBucket {
  readonly second: number;
  readonly count: number;
  readonly success: number;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  /** Requests per serving cell (`zone/region`, or `unknown`). */
  readonly servedBy: Readonly<Record<string, number>>;
}

export interface ThresholdResult {
  readonly name: 'p95' | 'p99' | 'errorRate';
  readonly limit: number;
  readonly actual: number | undefined;
  readonly ok: boolean;
}

export type StopReason = 'completed' | 'max-iterations' | 'max-duration' | 'threshold-abort' | 'stopped';

export interface RunSummary {
  readonly profile: string;
  readonly baseUrl: string;
  readonly stopReason: StopReason;
  readonly durationMs: number;
  readonly iterationsStarted: number;
  /** Arrivals not started because the concurrency cap was full. */
  readonly iterationsDropped: number;
  readonly requests: number;
  readonly failures: number;
  readonly errorRate: number;
  readonly p50Ms: number | undefined;
  readonly p95Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly servedBy: Readonly<Record<string, number>>;
  /** Failed requests per `<step> <status>` (status 0: transport error or timeout). */
  readonly failuresByStep: Readonly<Record<string, number>>;
  /** 503 `not_writer` answers retried (`retryNotWriterForMs`); absent where the engine does not retry. */
  readonly notWriterRetries?: number;
  readonly buckets: readonly SecondBucket[];
  readonly thresholds: readonly ThresholdResult[];
  readonly passed: boolean;
}

export interface RunnerOptions {
  /** Loopback base URL (refused otherwise). */
  readonly baseUrl: string;
  readonly profile: LoadProfile;
  readonly flow: readonly FlowStep[];
  /** Wall-clock bound; defaults to the profile's duration, never longer than 1 h locally. */
  readonly maxDurationSeconds?: number;
  readonly requestTimeoutMs?: number;
  /** Extra headers on every request (bearer token, x-client-country). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly runId?: string;
  /** Extra initial state of each iteration, read when it starts (drills switch the payment method this way). */
  readonly iterationDefaults?: () => Omit<FlowState, 'iterationId'>;
  /**
   * Called once per elapsed second with the requests that started in it and have finished
   * (drills observe through this; requests still in flight appear only in the final summary).
   */
  readonly onSecond?: (bucket: SecondBucket) => void;
  /** Called after each successful mutating step with the iteration's state (drills collect acknowledged orders). */
  readonly onAcknowledged?: (ack: Acknowledgement) => void;
  /**
   * A fenced cell's 503 `not_writer` (the client's cached DNS answer still names the old writer after a
   * failback or promotion) is retried after its Retry-After, for at most this long from the first attempt,
   * as a careful client does; the sample is the final answer, its latency the whole wait.
   * @default 0: not retried, counted as a failure
   */
  readonly retryNotWriterForMs?: number;
}

export interface Acknowledgement {
  readonly step: string;
  readonly atMs: number;
  readonly state: Readonly<FlowState>;
}

export interface LoadRun {
  readonly done: Promise<RunSummary>;
  /** Stop arriving; in-flight iterations finish (bounded by the request timeout). */
  stop(): void;
  samples(): readonly Sample[];
  /** Milliseconds since the run started (the timeline's clock). */
  elapsedMs(): number;
}

const TICK_MS = 10;
const LOCAL_MAX_DURATION_SECONDS = 3600;

export function bucketize(samples: readonly Sample[], upToSecond?: number): SecondBucket[] {
  const bySecond = new Map<number, Sample[]>();
  for (const sample of samples) {
    const second = Math.floor(sample.atMs / 1000);
    if (upToSecond !== undefined && second > upToSecond) continue;
    const list = bySecond.get(second) ?? [];
    list.push(sample);
    bySecond.set(second, list);
  }
  const last = upToSecond ?? Math.max(-1, ...bySecond.keys());
  const buckets: SecondBucket[] = [];
  for (let second = 0; second <= last; second++) buckets.push(bucketOf(second, bySecond.get(second) ?? []));
  return buckets;
}

function bucketOf(second: number, samples: readonly Sample[]): SecondBucket {
  const latencies = samples.map((s) => s.latencyMs);
  const servedBy: Record<string, number> = {};
  for (const s of samples) servedBy[s.servedBy] = (servedBy[s.servedBy] ?? 0) + 1;
  return {
    second,
    count: samples.length,
    success: samples.filter((s) => s.ok).length,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    servedBy,
  };
}

export function evaluateThresholds(profile: LoadProfile, samples: readonly Sample[]): ThresholdResult[] {
  const latencies = samples.map((s) => s.latencyMs);
  const p95 = percentile(latencies, 95);
  const p99 = percentile(latencies, 99);
  const errorRate = samples.length === 0 ? 0 : samples.filter((s) => !s.ok).length / samples.length;
  const t = profile.thresholds;
  return [
    { name: 'p95', limit: t.p95Ms, actual: round(p95), ok: p95 === undefined || p95 < t.p95Ms },
    { name: 'p99', limit: t.p99Ms, actual: round(p99), ok: p99 === undefined || p99 < t.p99Ms },
    { name: 'errorRate', limit: t.maxErrorRate, actual: round(errorRate, 4), ok: errorRate < t.maxErrorRate },
  ];
}

export function startLoad(options: RunnerOptions): LoadRun {
  const baseUrl = assertLoopback(options.baseUrl).replace(/\/$/, '');
  const { profile, flow } = options;
  const maxDurationMs =
    Math.min(options.maxDurationSeconds ?? profileDurationSeconds(profile), LOCAL_MAX_DURATION_SECONDS) *
    1000;
  const scheduleMs = Math.min(profileDurationSeconds(profile) * 1000, maxDurationMs);
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  const runId = options.runId ?? `run-${Date.now().toString(36)}`;
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let iterationsStarted = 0;
  let iterationsDropped = 0;
  let stopReason: StopReason | undefined;
  let stopRequested = false;
  let notWriterRetries = 0;

  const request = async (step: FlowStep, state: FlowState): Promise<unknown | undefined> => {
    const spec = step.request(state);
    if (!spec) return undefined;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (spec.idempotencyKey) headers[IDEMPOTENCY_HEADER] = spec.idempotencyKey;
    const atMs = elapsed();
    const retryUntilMs = atMs + (options.retryNotWriterForMs ?? 0);
    let status = 0;
    let servedBy = 'unknown';
    let body: unknown;
    for (;;) {
      let retryAfterMs = NOT_WRITER_RETRY_AFTER_MS;
      try {
        const response = await fetch(`${baseUrl}${spec.path}`, {
          method: spec.method,
          headers,
          body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = response.status;
        servedBy = servedByLabel(parseServedBy(response.headers.get(SERVED_BY_HEADER)));
        retryAfterMs = Number(response.headers.get('retry-after')) * 1000 || retryAfterMs;
        const text = await response.text();
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
      } catch {
        status = 0;
      }
      const notWriter = status === 503 && (body as { code?: unknown } | undefined)?.code === 'not_writer';
      if (!notWriter || stopRequested || elapsed() + retryAfterMs > retryUntilMs) break;
      notWriterRetries += 1;
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    }
    const ok = isSuccessStatus(status);
    samples.push({ atMs, step: step.name, status, ok, latencyMs: elapsed() - atMs, servedBy });
    return ok ? (body ?? null) : undefined;
  };

  const iteration = async (n: number): Promise<void> => {
    const state: FlowState = { ...options.iterationDefaults?.(), iterationId: `${runId}-${n}` };
    for (const step of flow) {
      const spec = step.request(state);
      if (!spec) return;
      const body = await request(step, state);
      if (body === undefined) return;
      step.capture?.(state, body);
      if (spec.method !== 'GET' && options.onAcknowledged) {
        options.onAcknowledged({ step: step.name, atMs: elapsed(), state: { ...state } });
      }
    }
  };

  const done = new Promise<RunSummary>((resolve) => {
    let credit = 0;
    let lastTick = 0;
    let reportedSecond = -1;
    const timer = setInterval(() => {
      const now = elapsed();
      // Whole seconds that have passed are final: report them to observers.
      const completeSecond = Math.floor(now / 1000) - 1;
      while (reportedSecond < completeSecond) {
        reportedSecond++;
        const current = reportedSecond;
        options.onSecond?.(
          bucketOf(
            current,
            samples.filter((s) => Math.floor(s.atMs / 1000) === current),
          ),
        );
        const t = profile.thresholds;
        if (t.abortOnFail && now >= t.abortGraceSeconds * 1000 && !stopReason) {
          if (evaluateThresholds(profile, samples).some((r) => !r.ok)) stopReason = 'threshold-abort';
        }
      }
      if (!stopReason) {
        if (stopRequested) stopReason = 'stopped';
        else if (now >= scheduleMs)
          stopReason = scheduleMs < profileDurationSeconds(profile) * 1000 ? 'max-duration' : 'completed';
        else if (iterationsStarted + iterationsDropped >= profile.maxIterations)
          stopReason = 'max-iterations';
      }
      if (!stopReason) {
        credit += (rateAt(profile, now / 1000) * (now - lastTick)) / 1000;
        while (credit >= 1 && iterationsStarted + iterationsDropped < profile.maxIterations) {
          credit -= 1;
          if (inFlight.size >= profile.maxInFlight) {
            iterationsDropped++;
            continue;
          }
          const n = iterationsStarted++;
          const promise = iteration(n).finally(() => inFlight.delete(promise));
          inFlight.add(promise);
        }
      }
      lastTick = now;
      if (stopReason) {
        clearInterval(timer);
        void Promise.allSettled([...inFlight]).then(() => resolve(summarize()));
      }
    }, TICK_MS);
  });

  const summarize = (): RunSummary => {
    const latencies = samples.map((s) => s.latencyMs);
    const failures = samples.filter((s) => !s.ok).length;
    const servedBy: Record<string, number> = {};
    for (const s of samples) servedBy[s.servedBy] = (servedBy[s.servedBy] ?? 0) + 1;
    const thresholds = evaluateThresholds(profile, samples);
    const failuresByStep: Record<string, number> = {};
    for (const s of samples) {
      if (!s.ok) failuresByStep[`${s.step} ${s.status}`] = (failuresByStep[`${s.step} ${s.status}`] ?? 0) + 1;
    }
    return {
      profile: profile.name,
      baseUrl,
      stopReason: stopReason ?? 'completed',
      durationMs: Math.round(elapsed()),
      iterationsStarted,
      iterationsDropped,
      requests: samples.length,
      failures,
      errorRate: samples.length === 0 ? 0 : round(failures / samples.length, 4)!,
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      p99Ms: round(percentile(latencies, 99)),
      servedBy,
      failuresByStep,
      notWriterRetries,
      buckets: bucketize(samples),
      thresholds,
      passed: stopReason !== 'threshold-abort' && thresholds.every((r) => r.ok),
    };
  };

  return {
    done,
    stop: () => {
      stopRequested = true;
    },
    samples: () => samples,
    elapsedMs: elapsed,
  };
}
