import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { AwsClients } from './clients';

/**
 * The drill's abort conditions: CloudWatch alarms polled while the drill
 * runs. The first alarm in ALARM aborts the drill (the orchestrator rolls the
 * fault back at once); so does losing sight of them (three polls in a row
 * failing), since a drill that cannot see its abort conditions must not go on.
 */

export interface AlarmWatch {
  /** Aborted with the reason when an alarm fires. */
  readonly signal: AbortSignal;
  stop(): void;
}

export interface AlarmWatchOptions {
  /** Alarm names per region. */
  readonly alarms: ReadonlyMap<string, readonly string[]>;
  readonly intervalMs: number;
  readonly log?: (line: string) => void;
  /** Consecutive failed polls before the drill aborts. @default 3 */
  readonly maxFailedPolls?: number;
}

/** DescribeAlarms takes at most 100 names. */
const NAMES_PER_CALL = 100;

export async function alarmsInAlarm(
  alarms: ReadonlyMap<string, readonly string[]>,
  clients: AwsClients,
): Promise<string[]> {
  const firing: string[] = [];
  for (const [region, names] of alarms) {
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
      const { MetricAlarms } = await clients
        .cloudWatch(region)
        .send(
          new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + NAMES_PER_CALL), StateValue: 'ALARM' }),
        );
      for (const alarm of MetricAlarms ?? [])
        firing.push(`${alarm.AlarmName} (${region}) in ALARM: ${alarm.StateReason ?? 'no reason given'}`);
    }
  }
  return firing;
}

export function watchAlarms(options: AlarmWatchOptions, clients: AwsClients): AlarmWatch {
  const controller = new AbortController();
  let failedPolls = 0;
  let polling = false;
  const poll = async () => {
    if (polling || controller.signal.aborted) return;
    polling = true;
    try {
      const firing = await alarmsInAlarm(options.alarms, clients);
      failedPolls = 0;
      if (firing.length > 0) controller.abort(`abort condition: ${firing.join('; ')}`);
    } catch (error) {
      failedPolls++;
      options.log?.(`abort alarms unreadable (${failedPolls}): ${(error as Error).message}`);
      if (failedPolls >= (options.maxFailedPolls ?? 3))
        controller.abort(`abort conditions unreadable: ${(error as Error).message}`);
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), options.intervalMs);
  void poll();
  return {
    signal: controller.signal,
    stop: () => clearInterval(timer),
  };
}
