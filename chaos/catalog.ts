/**
 * The drill catalog as data: what each drill breaks, what it expects, and how
 * its fault phase ends. Which injector carries the fault depends on where the
 * drill runs (local control API, Route 53, drill flag, FIS); the wiring lives
 * in the CLI, the meaning lives here.
 */

import { MIN_SUCCESS_PERCENT } from './metrics';

export const DRILL_NAMES = [
  'region-failover',
  'replication-pause',
  'dependency-latency',
  'webhook-consumer-outage',
  'failback',
] as const;
export type DrillName = (typeof DRILL_NAMES)[number];

/**
 * `failover`: the fault phase ends when traffic is served by another cell
 * (RTO measured) or when `faultSeconds` runs out. `hold`: the fault stays for
 * `faultSeconds`, then is rolled back and the system must catch up.
 */
export type RecoveryMode = 'failover' | 'hold';

export interface DrillDefinition {
  readonly name: DrillName;
  readonly title: string;
  readonly hypothesis: string;
  readonly fault: string;
  readonly recovery: RecoveryMode;
  /** Cloud-time seconds of load before the fault (scaled locally). */
  readonly warmupSeconds: number;
  /** Cloud-time seconds: the hold duration, or the longest wait for recovery. */
  readonly faultSeconds: number;
  /** Cloud-time seconds observed after rollback (failback, catch-up). */
  readonly settleSeconds: number;
  /** What the report checks, in words; the checks themselves are in the drill's plan. */
  readonly expectations: readonly string[];
}

export const DRILLS: Readonly<Record<DrillName, DrillDefinition>> = {
  'region-failover': {
    name: 'region-failover',
    title: 'Primary cell of a zone down',
    hypothesis:
      'When the primary cell of the zone stops answering, health checks mark it unhealthy after interval x threshold and, once cached answers expire (TTL), clients are served by the secondary cell: within the RTO the topology predicts plus 2 s, with no acknowledged write lost.',
    fault:
      'primary cell stopped (local: connections refused; AWS: health check inverted, drill flag, or FIS Lambda invocation errors)',
    recovery: 'failover',
    warmupSeconds: 30,
    faultSeconds: 180,
    settleSeconds: 120,
    expectations: [
      'RTO <= predicted RTO + 2 s',
      `traffic served by the secondary at >= ${MIN_SUCCESS_PERCENT} success`,
      '0 lost acknowledged writes',
      'canary writes acknowledged before the fault present in the secondary (RPO)',
    ],
  },
  'replication-pause': {
    name: 'replication-pause',
    title: 'Replication between the cells of a zone paused',
    hypothesis: `While replication is paused the primary keeps serving at >= ${MIN_SUCCESS_PERCENT} success and the backlog grows; after it resumes, every acknowledged write reaches the secondary (0 missing) and the lag returns to normal.`,
    fault:
      'replication paused (local: replicator paused; AWS: FIS aws:dynamodb:global-table-pause-replication)',
    recovery: 'hold',
    warmupSeconds: 30,
    faultSeconds: 120,
    settleSeconds: 60,
    expectations: [
      `success rate >= ${MIN_SUCCESS_PERCENT} during the pause`,
      'replication lag grows during the pause and recovers after it',
      '0 acknowledged writes missing in the secondary after catch-up',
    ],
  },
  'dependency-latency': {
    name: 'dependency-latency',
    title: 'Payment provider slow',
    hypothesis:
      'With the payment provider hanging, checkout fails fast (timeout, then the circuit breaker opens) with 503 payment_unavailable instead of hanging; catalog and cart requests are unaffected; stock reserved for failed checkouts is released.',
    fault:
      'payment provider hangs (local: SIMULATED provider mode; AWS: FIS Lambda invocation delay on the provider adapter)',
    recovery: 'hold',
    warmupSeconds: 30,
    faultSeconds: 60,
    settleSeconds: 60,
    expectations: [
      'checkout p99 below the payment timeout plus a margin (no hanging requests)',
      `non-checkout requests >= ${MIN_SUCCESS_PERCENT} success`,
      'checkout succeeds again after rollback',
    ],
  },
  'webhook-consumer-outage': {
    name: 'webhook-consumer-outage',
    title: 'Webhook consumer down',
    hypothesis:
      'While the webhook consumer fails, deliveries are retried with backoff and none is lost; after it recovers every event has exactly one effect at a consumer that dedupes by webhook-id, and deliveries that exhausted their retries are in the DLQ for replay.',
    fault: 'webhook sink answers 5xx (local: sink fault; AWS: the subscriber endpoint made to fail)',
    recovery: 'hold',
    warmupSeconds: 20,
    faultSeconds: 60,
    settleSeconds: 120,
    expectations: [
      `API success rate unaffected (>= ${MIN_SUCCESS_PERCENT})`,
      'every order.v1.placed event delivered exactly once in effect (dedup by webhook-id)',
      'no event lost (delivered, or in the DLQ)',
    ],
  },
  failback: {
    name: 'failback',
    title: 'Planned return to the primary cell',
    hypothesis:
      'After a failover, restoring the primary cell moves traffic back to it within the predicted RTO plus 2 s, without failed requests (both cells are healthy during a planned failback) and without losing writes made on the secondary.',
    fault: 'primary cell marked unhealthy (planned), then restored',
    recovery: 'failover',
    warmupSeconds: 20,
    faultSeconds: 180,
    settleSeconds: 180,
    expectations: [
      'failback time <= predicted RTO + 2 s',
      '0 failed requests during failover and failback',
      '0 lost acknowledged writes',
    ],
  },
};

export function isDrillName(name: string): name is DrillName {
  return (DRILL_NAMES as readonly string[]).includes(name);
}
