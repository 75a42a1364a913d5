import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { defaultAwsClients } from '../../../chaos/aws/clients';
import { preflight } from '../../../chaos/aws/preflight';
import { cloudWatchSteadyState } from '../../../chaos/aws/steady-state';
import { loadTopology, zoneByName } from '../../../lib/topology';
import { PROFILES } from '../../../loadtests/profiles';
import { cloudWatch, mockDeployment } from './deployment';

const model = loadTopology();
const zone = zoneByName(model, 'global');
const thresholds = PROFILES.load.thresholds;
const at = new Date('2026-12-01T09:00:00.000Z');

async function steadyState() {
  const checked = await preflight(
    { model, zone, loadRegions: ['us-east-1'], mechanism: 'route53' },
    defaultAwsClients(),
  );
  expect(checked.passed).toBe(true);
  return cloudWatchSteadyState(checked.cellAlarms, thresholds, 30, defaultAwsClients(), () => at);
}

describe('steady state from CloudWatch (GetMetricData over the cells alarm metrics)', () => {
  it('reads each cell over the window, with the alarms own metric math and p99 statistic', async () => {
    mockDeployment();
    const criteria = await steadyState();
    expect(criteria.map((c) => c.ok)).toEqual([true, true, true, true]);
    expect(criteria[0]!.detail).toBe('0.12%');
    expect(criteria[1]!.detail).toBe('413 ms');
    const calls = cloudWatch.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    const input = calls[0]!.args[0].input;
    expect(input.StartTime).toEqual(new Date('2026-12-01T08:30:00.000Z'));
    expect(input.EndTime).toEqual(at);
    expect(input.MetricDataQueries).toEqual([
      {
        Id: 'errorpercent',
        Expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        Label: 'API 5xx %',
        ReturnData: true,
        Period: 1800,
      },
      expect.objectContaining({
        Id: 'errors',
        ReturnData: false,
        MetricStat: expect.objectContaining({
          Metric: expect.objectContaining({ MetricName: '5XXError' }),
          Period: 1800,
          Stat: 'Sum',
        }),
      }),
      expect.objectContaining({ Id: 'requests', ReturnData: false }),
      {
        Id: 'p99',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ApiGateway',
            MetricName: 'Latency',
            Dimensions: [{ Name: 'ApiName', Value: 'commerce-cell-global-us-east-1-api' }],
          },
          Period: 1800,
          Stat: 'p99',
        },
        ReturnData: true,
      },
    ]);
  });

  it('is not met when the 5xx rate or p99 is over the profile thresholds', async () => {
    const state = mockDeployment();
    state.metrics = { errorPercent: thresholds.maxErrorRate * 100 + 0.5, p99Ms: thresholds.p99Ms + 1 };
    const criteria = await steadyState();
    expect(criteria.map((c) => c.ok)).toEqual([false, false, false, false]);
    expect(criteria[0]!.name).toMatch(/global\/us-east-1 API 5xx rate over the last 30 min < 1%/);
  });

  it('says so when the cell had no requests, and fails when CloudWatch cannot be read', async () => {
    mockDeployment();
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const quiet = await steadyState();
    expect(quiet.every((c) => c.ok)).toBe(true);
    expect(quiet[0]!.detail).toMatch(/no API requests/);

    cloudWatch.on(GetMetricDataCommand).rejects(new Error('Rate exceeded'));
    const unreadable = await steadyState();
    expect(unreadable).toEqual([
      expect.objectContaining({ ok: false, detail: 'GetMetricData failed: Rate exceeded' }),
      expect.objectContaining({ ok: false, detail: 'GetMetricData failed: Rate exceeded' }),
    ]);
  });
});
