import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { alarmsInAlarm, watchAlarms } from '../../../chaos/aws/alarm-watch';
import { defaultAwsClients } from '../../../chaos/aws/clients';
import { waitUntil } from '../../support/wait';
import { cloudWatch, mockDeployment } from './deployment';

const WATCHED = new Map([
  ['us-east-1', ['commerce-cell-global-us-east-1-stream-iterator-age']],
  [
    'us-west-2',
    ['commerce-cell-global-us-west-2-api-5xx-rate', 'commerce-cell-global-us-west-2-dead-letter-depth-0'],
  ],
]);

describe('abort conditions: CloudWatch alarms polled while the drill runs', () => {
  it('asks each region for its watched alarms in ALARM only', async () => {
    const state = mockDeployment();
    state.alarmStates.set('commerce-cell-global-us-west-2-dead-letter-depth-0', 'ALARM');
    const firing = await alarmsInAlarm(WATCHED, defaultAwsClients());
    expect(firing).toEqual([
      expect.stringMatching(/^commerce-cell-global-us-west-2-dead-letter-depth-0 \(us-west-2\) in ALARM: /),
    ]);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmNames: WATCHED.get('us-east-1'), StateValue: 'ALARM' },
      { AlarmNames: WATCHED.get('us-west-2'), StateValue: 'ALARM' },
    ]);
  });

  it('splits more than 100 names over several calls (the API limit)', async () => {
    mockDeployment();
    const names = Array.from(
      { length: 150 },
      (_, i) => `commerce-cell-global-us-east-1-dead-letter-depth-${i}`,
    );
    await alarmsInAlarm(new Map([['us-east-1', names]]), defaultAwsClients());
    expect(
      cloudWatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length),
    ).toEqual([100, 50]);
  });

  it('aborts with the alarm named as soon as one fires, and stops polling after stop()', async () => {
    const state = mockDeployment();
    const watch = watchAlarms({ alarms: WATCHED, intervalMs: 5 }, defaultAwsClients());
    try {
      await waitUntil(() => cloudWatch.commandCalls(DescribeAlarmsCommand).length >= 4);
      expect(watch.signal.aborted).toBe(false);
      state.alarmStates.set('commerce-cell-global-us-east-1-stream-iterator-age', 'ALARM');
      await waitUntil(() => watch.signal.aborted);
      expect(String(watch.signal.reason)).toMatch(
        /^abort condition: commerce-cell-global-us-east-1-stream-iterator-age \(us-east-1\) in ALARM/,
      );
    } finally {
      watch.stop();
    }
    const polled = cloudWatch.commandCalls(DescribeAlarmsCommand).length;
    await new Promise((r) => setTimeout(r, 50));
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand).length).toBe(polled);
  });

  it('aborts when the alarms cannot be read three polls in a row', async () => {
    mockDeployment();
    cloudWatch.on(DescribeAlarmsCommand).rejects(new Error('AccessDenied'));
    const lines: string[] = [];
    const watch = watchAlarms(
      { alarms: WATCHED, intervalMs: 5, log: (l) => lines.push(l) },
      defaultAwsClients(),
    );
    try {
      await waitUntil(() => watch.signal.aborted);
    } finally {
      watch.stop();
    }
    expect(String(watch.signal.reason)).toBe('abort conditions unreadable: AccessDenied');
    expect(lines).toEqual([
      'abort alarms unreadable (1): AccessDenied',
      'abort alarms unreadable (2): AccessDenied',
      'abort alarms unreadable (3): AccessDenied',
    ]);
  });
});
