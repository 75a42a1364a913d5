import { Logger } from '@aws-lambda-powertools/logger';
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
  | ({ readonly action: 'promoted'; readonly zone: string } & RoutingControlUpdate);

export async function promote(
  event: unknown,
  config: PromoterConfig,
  clientFor: ClusterClientFor = clusterClientFor,
): Promise<PromotionResult> {
  const alarm = alarmEventSchema.parse(event);
  if (alarm.alarmData.state.value !== 'ALARM') {
    return { action: 'ignored', zone: config.ZONE, state: alarm.alarmData.state.value };
  }
  const update = await updateRoutingControlStates(
    config.ARC_CLUSTER_ENDPOINTS,
    [
      { routingControlArn: config.SECONDARY_ROUTING_CONTROL_ARN, state: 'On' },
      { routingControlArn: config.PRIMARY_ROUTING_CONTROL_ARN, state: 'Off' },
    ],
    clientFor,
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
  } else {
    logger.info('alarm state needs no promotion', { zone: result.zone, state: result.state });
  }
  return result;
}
