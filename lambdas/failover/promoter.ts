import { Logger } from '@aws-lambda-powertools/logger';
import { GetHealthCheckStatusCommand, Route53Client } from '@aws-sdk/client-route-53';
import * as z from 'zod';
import { arcClusterEndpointsSchema } from '../core/cell-config';
import {
  type ClusterClientFor,
  clusterClientFor,
  type RoutingControlUpdate,
  updateRoutingControlStates,
} from './routing-controls';

/**
 * Automatic promotion of a fenced zone (topology failover.promotion: automatic).
 * The CloudWatch alarm on the primary cell's Route 53 health check invokes this
 * function directly (a Lambda alarm action). On ALARM it turns the secondary's
 * routing control ON and the primary's OFF in one request: DNS follows the
 * controls (RECOVERY_CONTROL health checks), and the old primary stops
 * accepting writes. It never fails back: when the primary recovers the alarm
 * goes OK and nothing happens; failback is a runbook step (runbooks/failback.md).
 * It never promotes a secondary Route 53 does not see as healthy (a whole zone
 * down, or a first deployment whose cells do not exist yet): it only reports.
 */

/** The event CloudWatch sends a Lambda alarm action (only the fields this handler reads). */
export const alarmEventSchema = z.object({
  source: z.literal('aws.cloudwatch'),
  alarmArn: z.string().min(1),
  alarmData: z.object({
    alarmName: z.string().min(1),
    state: z.object({ value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']), reason: z.string().optional() }),
  }),
});
export type AlarmEvent = z.infer<typeof alarmEventSchema>;

export const promoterConfigSchema = z.object({
  ZONE: z.string().min(1),
  PRIMARY_ROUTING_CONTROL_ARN: z.string().startsWith('arn:'),
  SECONDARY_ROUTING_CONTROL_ARN: z.string().startsWith('arn:'),
  /** The secondary cell's HTTPS Route 53 health check: promote only onto a healthy cell. */
  SECONDARY_HEALTH_CHECK_ID: z.string().min(1),
  ARC_CLUSTER_ENDPOINTS: z.string().transform((text, ctx) => {
    try {
      return arcClusterEndpointsSchema.parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of { endpoint, region }' });
      return z.NEVER;
    }
  }),
});
export type PromoterConfig = z.output<typeof promoterConfigSchema>;

export type PromotionResult =
  | { readonly action: 'ignored'; readonly zone: string; readonly state: string }
  | { readonly action: 'held'; readonly zone: string; readonly reason: string }
  | ({ readonly action: 'promoted'; readonly zone: string } & RoutingControlUpdate);

/** Route 53 calls an endpoint healthy when more than 18% of its checkers do (Route 53 developer guide). */
export const HEALTHY_CHECKER_SHARE = 0.18;

/** Whether Route 53's checkers see the health check as healthy now, and how many of them do. */
export async function checkerVerdict(
  route53: Pick<Route53Client, 'send'>,
  healthCheckId: string,
): Promise<{ healthy: boolean; succeeding: number; observations: number }> {
  const status = await route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId }));
  const observations = status.HealthCheckObservations ?? [];
  const succeeding = observations.filter((o) => o.StatusReport?.Status?.startsWith('Success')).length;
  return {
    healthy: observations.length > 0 && succeeding / observations.length > HEALTHY_CHECKER_SHARE,
    succeeding,
    observations: observations.length,
  };
}

export interface PromoterDeps {
  readonly clusterClientFor: ClusterClientFor;
  /** Route 53's health-check status API (the local topology answers it from its SIMULATED checkers). */
  readonly route53: Pick<Route53Client, 'send'>;
}

const defaultDeps = (): PromoterDeps => ({
  clusterClientFor,
  // Route 53 is global; its API answers in us-east-1 for the aws partition.
  route53: new Route53Client({ region: 'us-east-1' }),
});

export async function promote(
  event: unknown,
  config: PromoterConfig,
  deps: PromoterDeps = defaultDeps(),
): Promise<PromotionResult> {
  const alarm = alarmEventSchema.parse(event);
  if (alarm.alarmData.state.value !== 'ALARM') {
    return { action: 'ignored', zone: config.ZONE, state: alarm.alarmData.state.value };
  }
  const secondary = await checkerVerdict(deps.route53, config.SECONDARY_HEALTH_CHECK_ID);
  if (!secondary.healthy) {
    return {
      action: 'held',
      zone: config.ZONE,
      reason: `the secondary is not healthy either (${secondary.succeeding} of ${secondary.observations} Route 53 checkers succeed): nothing to promote onto; follow runbooks/unplanned-region-failover.md`,
    };
  }
  const update = await updateRoutingControlStates(
    config.ARC_CLUSTER_ENDPOINTS,
    [
      { routingControlArn: config.SECONDARY_ROUTING_CONTROL_ARN, state: 'On' },
      { routingControlArn: config.PRIMARY_ROUTING_CONTROL_ARN, state: 'Off' },
    ],
    deps.clusterClientFor,
  );
  return { action: 'promoted', zone: config.ZONE, ...update };
}

const logger = new Logger({ serviceName: 'failover-promoter' });

export async function handler(event: unknown): Promise<PromotionResult> {
  const config = promoterConfigSchema.parse(process.env);
  const result = await promote(event, config);
  if (result.action === 'promoted') {
    logger.warn('zone promoted: secondary routing control ON, primary OFF', {
      zone: result.zone,
      acceptedBy: result.acceptedBy,
      failedEndpoints: result.failures,
    });
  } else if (result.action === 'held') {
    logger.error('promotion held', { zone: result.zone, reason: result.reason });
  } else {
    logger.info('alarm state needs no promotion', { zone: result.zone, state: result.state });
  }
  return result;
}
