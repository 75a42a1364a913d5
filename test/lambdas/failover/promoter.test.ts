import {
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { GetHealthCheckStatusCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { promote, promoterConfigSchema } from '../../../lambdas/failover/promoter';
import { ENDPOINTS, PRIMARY_ARN, SECONDARY_ARN, trackingClientFor } from './support';

const cluster = mockClient(Route53RecoveryClusterClient);
const route53 = mockClient(Route53Client);

/** Route 53 checker observations: `succeeding` of `total` report Success. */
const observations = (succeeding: number, total: number) => ({
  HealthCheckObservations: Array.from({ length: total }, (_, i) => ({
    Region: 'us-east-1' as const,
    StatusReport: {
      Status: i < succeeding ? 'Success: HTTP Status Code 200' : 'Failure: Connection timed out',
    },
  })),
});

const deps = () => ({
  clusterClientFor: trackingClientFor().clientFor,
  route53: new Route53Client({ region: 'us-east-1' }),
});

const config = promoterConfigSchema.parse({
  ZONE: 'global',
  PRIMARY_ROUTING_CONTROL_ARN: PRIMARY_ARN,
  SECONDARY_ROUTING_CONTROL_ARN: SECONDARY_ARN,
  SECONDARY_HEALTH_CHECK_ID: 'hc-secondary',
  ARC_CLUSTER_ENDPOINTS: JSON.stringify(ENDPOINTS),
});

/** The event a CloudWatch Lambda alarm action delivers. */
const alarmEvent = (state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA') => ({
  source: 'aws.cloudwatch',
  alarmArn: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:commerce-cell-global-us-east-1-route53-health',
  accountId: '111111111111',
  time: '2026-12-01T10:00:00.000+0000',
  region: 'us-east-1',
  alarmData: {
    alarmName: 'commerce-cell-global-us-east-1-route53-health',
    state: { value: state, reason: 'Threshold Crossed', timestamp: '2026-12-01T10:00:00.000+0000' },
    previousState: { value: 'OK', reason: '', timestamp: '2026-12-01T09:00:00.000+0000' },
    configuration: { description: 'Route 53 sees the primary cell as unhealthy', metrics: [] },
  },
});

describe('failover promoter', () => {
  beforeEach(() => {
    cluster.reset();
    route53.reset();
    route53.on(GetHealthCheckStatusCommand).resolves(observations(16, 16));
  });

  it('on ALARM turns the secondary ON and the primary OFF in one request', async () => {
    cluster.on(UpdateRoutingControlStatesCommand).resolves({});

    const result = await promote(alarmEvent('ALARM'), config, deps());

    expect(result).toMatchObject({ action: 'promoted', zone: 'global', acceptedBy: ENDPOINTS[0] });
    expect(cluster.commandCalls(UpdateRoutingControlStatesCommand).map((c) => c.args[0].input)).toEqual([
      {
        UpdateRoutingControlStateEntries: [
          { RoutingControlArn: SECONDARY_ARN, RoutingControlState: 'On' },
          { RoutingControlArn: PRIMARY_ARN, RoutingControlState: 'Off' },
        ],
      },
    ]);
    expect(route53.commandCalls(GetHealthCheckStatusCommand)[0]!.args[0].input).toEqual({
      HealthCheckId: 'hc-secondary',
    });
  });

  it('holds the promotion when Route 53 does not see the secondary as healthy', async () => {
    // 2 of 16 checkers (12.5%) is below Route 53's 18%: the secondary counts as down.
    route53.on(GetHealthCheckStatusCommand).resolves(observations(2, 16));

    const result = await promote(alarmEvent('ALARM'), config, deps());

    expect(result).toMatchObject({ action: 'held', zone: 'global' });
    expect(result.action === 'held' && result.reason).toContain('2 of 16 Route 53 checkers succeed');
    expect(cluster.commandCalls(UpdateRoutingControlStatesCommand)).toHaveLength(0);
  });

  it.each(['OK', 'INSUFFICIENT_DATA'] as const)('never fails back or acts on %s', async (state) => {
    const result = await promote(alarmEvent(state), config, deps());

    expect(result).toEqual({ action: 'ignored', zone: 'global', state });
    expect(cluster.commandCalls(UpdateRoutingControlStatesCommand)).toHaveLength(0);
    expect(route53.commandCalls(GetHealthCheckStatusCommand)).toHaveLength(0);
  });

  it('rejects an event that is not a CloudWatch alarm action, changing nothing', async () => {
    await expect(promote({ source: 'aws.events', detail: {} }, config, deps())).rejects.toThrow();
    expect(cluster.commandCalls(UpdateRoutingControlStatesCommand)).toHaveLength(0);
  });

  it('refuses a configuration without usable cluster endpoints', () => {
    const parsed = promoterConfigSchema.safeParse({ ...config, ARC_CLUSTER_ENDPOINTS: '[]' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain('JSON array of { endpoint, region }');
  });
});
