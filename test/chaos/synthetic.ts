import type { SecondBucket } from '../../loadtests/runner';

/** A synthetic per-second timeline: `spec(second)` gives [requests, successes, servedBy cell]. */
export function timeline(
  seconds: number,
  spec: (second: number) => [count: number, success: number, cell: string],
): SecondBucket[] {
  return Array.from({ length: seconds }, (_, second) => {
    const [count, success, cell] = spec(second);
    const servedBy: Record<string, number> = {};
    if (success > 0) servedBy[cell] = success;
    if (count - success > 0) servedBy.unknown = count - success;
    return { second, count, success, p50Ms: 20, p99Ms: success < count ? 900 : 60, servedBy };
  });
}

export const PRIMARY = 'global/us-east-1';
export const SECONDARY = 'global/us-west-2';
