import { GetMetricDataCommand, type MetricAlarm, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { ProfileThresholds } from '../../loadtests/profiles';
import type { Criterion } from '../metrics';
import type { AwsClients } from './clients';
import { cellKey } from './context';
import type { CellAlarms } from './preflight';

/**
 * The steady-state hypothesis from CloudWatch, before anything is touched:
 * over the last N minutes, each cell's API 5xx rate and p99 latency are
 * within the load profile's thresholds (loadtests/profiles.ts, the one source
 * of both). The metrics are the ones the cell's own alarms watch, read from
 * the alarms preflight described (API Gateway 5XXError/Count as the 5xx-rate
 * alarm's expression, Latency at the p99 alarm's statistic), so the drill and
 * the alarms cannot disagree on which API or dimension they mean.
 */

const percent = (rate: number) => Math.round(rate * 10_000) / 100;

/** The alarm's queries (a metric math expression over its metrics) over one period of `seconds`. */
function alarmQueries(alarm: MetricAlarm, seconds: number, id: string): MetricDataQuery[] {
  if (alarm.Metrics && alarm.Metrics.length > 0) {
    // The expression (or the one query returning data) is the figure; the rest are its inputs.
    return alarm.Metrics.map((q) => ({
      ...q,
      Id: q.Expression !== undefined || q.ReturnData === true ? id : q.Id,
      ReturnData: q.Expression !== undefined || q.ReturnData === true,
      ...(q.MetricStat ? { MetricStat: { ...q.MetricStat, Period: seconds } } : { Period: seconds }),
    }));
  }
  return [
    {
      Id: id,
      MetricStat: {
        Metric: { Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions },
        Period: seconds,
        Stat: alarm.ExtendedStatistic ?? alarm.Statistic,
      },
      ReturnData: true,
    },
  ];
}

export async function cloudWatchSteadyState(
  cells: readonly CellAlarms[],
  thresholds: ProfileThresholds,
  minutes: number,
  clients: AwsClients,
  now: () => Date = () => new Date(),
): Promise<Criterion[]> {
  const end = now();
  const start = new Date(end.getTime() - minutes * 60_000);
  const seconds = minutes * 60;
  const criteria: Criterion[] = [];
  for (const { names, alarms } of cells) {
    const cell = cellKey(names.cell);
    const errorAlarm = alarms.find((a) => a.AlarmName === names.api5xxRate);
    const latencyAlarm = alarms.find((a) => a.AlarmName === names.apiP99Latency);
    const errorName = `steady state: ${cell} API 5xx rate over the last ${minutes} min < ${percent(thresholds.maxErrorRate)}%`;
    const latencyName = `steady state: ${cell} API p99 latency over the last ${minutes} min < ${thresholds.p99Ms} ms`;
    if (!errorAlarm || !latencyAlarm) {
      criteria.push({
        name: `steady state: ${cell}`,
        ok: false,
        detail: `the cell's ${names.api5xxRate} and ${names.apiP99Latency} alarms are needed to read its metrics`,
      });
      continue;
    }
    try {
      const { MetricDataResults } = await clients.cloudWatch(names.cell.region).send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          MetricDataQueries: [
            ...alarmQueries(errorAlarm, seconds, 'errorpercent'),
            ...alarmQueries(latencyAlarm, seconds, 'p99'),
          ],
        }),
      );
      const worst = (id: string) => {
        const values = MetricDataResults?.find((r) => r.Id === id)?.Values ?? [];
        return values.length === 0 ? undefined : Math.max(...values);
      };
      const errorPercent = worst('errorpercent');
      const p99 = worst('p99');
      criteria.push({
        name: errorName,
        ok: errorPercent === undefined || errorPercent < percent(thresholds.maxErrorRate),
        detail:
          errorPercent === undefined
            ? 'no API requests in the window (nothing to judge; the drill load will be)'
            : `${Math.round(errorPercent * 100) / 100}%`,
      });
      criteria.push({
        name: latencyName,
        ok: p99 === undefined || p99 < thresholds.p99Ms,
        detail: p99 === undefined ? 'no API requests in the window' : `${Math.round(p99)} ms`,
      });
    } catch (error) {
      criteria.push({
        name: `steady state: ${cell}`,
        ok: false,
        detail: `GetMetricData failed: ${(error as Error).message}`,
      });
    }
  }
  return criteria;
}
