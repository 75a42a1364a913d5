/**
 * Retry schedule (Standard Webhooks / docs/architecture.md section 5): attempt 1
 * immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after each
 * failure; 8 attempts in all, about 28 h. Each delay gets +-10 % jitter so
 * retries of many deliveries that failed together (an outage) spread out.
 */

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

/** Delay before attempt n+1 (index n-1 = delay before attempt n). */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  0,
  5 * S,
  5 * MIN,
  30 * MIN,
  2 * H,
  5 * H,
  10 * H,
  10 * H,
];
export const JITTER_RATIO = 0.1;
/** SQS caps a message's visibility timeout at 12 h; a little margin for the time already spent in flight. */
export const MAX_DELAY_MS = 12 * H - 5 * MIN;
/** Statuses that mean "slow down": Retry-After is honoured on these. */
export const BACKOFF_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Delay before the next attempt after `failedAttempt` (1-based) failed, or
 * undefined when it was the last. `random` in [0, 1).
 */
export function nextDelayMs(failedAttempt: number, random: () => number = Math.random): number | undefined {
  const base = RETRY_SCHEDULE_MS[failedAttempt];
  if (base === undefined) return undefined;
  const jitter = 1 + JITTER_RATIO * (2 * random() - 1);
  return Math.min(MAX_DELAY_MS, Math.round(base * jitter));
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date.
 * Undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * S;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
