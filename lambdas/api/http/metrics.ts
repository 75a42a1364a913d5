import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ProblemCode } from '../../core/errors';

/**
 * Request metrics as CloudWatch EMF (Powertools Metrics): requests, latency,
 * 4xx/5xx, idempotent replays and conflicts, residency refusals. Published
 * once per request, which on Lambda is once per invocation.
 */
export interface RequestObservation {
  readonly status: number;
  readonly durationMs: number;
  readonly replayed: boolean;
  readonly problemCode?: ProblemCode;
}

export interface ApiMetrics {
  observe(observation: RequestObservation): void;
}

export const METRIC_NAMESPACE = 'SovereignCommerce';

export const noMetrics: ApiMetrics = { observe: () => undefined };

export function defaultMetrics(zone: string, region: string): Metrics {
  return new Metrics({
    namespace: METRIC_NAMESPACE,
    serviceName: 'commerce-api',
    defaultDimensions: { zone, region },
  });
}

export function powertoolsApiMetrics(metrics: Metrics): ApiMetrics {
  return {
    observe({ status, durationMs, replayed, problemCode }) {
      metrics.addMetric('Requests', MetricUnit.Count, 1);
      metrics.addMetric('Latency', MetricUnit.Milliseconds, durationMs);
      if (status >= 500) metrics.addMetric('ServerErrors', MetricUnit.Count, 1);
      else if (status >= 400) metrics.addMetric('ClientErrors', MetricUnit.Count, 1);
      if (replayed) metrics.addMetric('IdempotentReplays', MetricUnit.Count, 1);
      if (problemCode === 'idempotency_key_in_use' || problemCode === 'idempotency_key_reused')
        metrics.addMetric('IdempotencyConflicts', MetricUnit.Count, 1);
      if (problemCode === 'misdirected_request' || problemCode === 'home_zone_unknown')
        metrics.addMetric('ResidencyRefusals', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
  };
}
