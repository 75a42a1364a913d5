import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ListHealthChecksCommand, Route53Client, UpdateHealthCheckCommand } from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { loadGeneratorStackName } from '../../../loadtests/engine/contract';

/**
 * A deployed, healthy zone `global` of the default topology as the AWS SDK v3
 * clients see it: the responses are fixtures in the shape of the services'
 * outputs (fixtures/*.json), with the names the topology model gives. Tests
 * mutate the state (a stack missing, an alarm in ALARM) and read `calls`, the
 * order in which the drill reached each API.
 */

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const json = (name: string, replacements: Record<string, string> = {}) => {
  let text = fixture(name);
  for (const [from, to] of Object.entries(replacements)) text = text.replaceAll(from, to);
  return JSON.parse(text);
};

export const sts = mockClient(STSClient);
export const cfn = mockClient(CloudFormationClient);
export const route53 = mockClient(Route53Client);
export const cloudWatch = mockClient(CloudWatchClient);

export const HEALTH_CHECK_IDS = {
  'global/us-east-1': '0c2a8e7f-1b3d-4e5f-8a9b-aaaaaaaa0001',
  'global/us-west-2': '0c2a8e7f-1b3d-4e5f-8a9b-aaaaaaaa0002',
} as const;

export interface DeploymentState {
  account: string;
  /** Stack names DescribeStacks says do not exist (CloudFormation's ValidationError). */
  missingStacks: Set<string>;
  /** Alarm name -> state; alarms not named are OK. */
  alarmStates: Map<string, string>;
  /** Health check ids currently inverted (UpdateHealthCheck flips them). */
  inverted: Set<string>;
  /** Worst 5xx % and p99 ms GetMetricData answers. */
  metrics: { errorPercent: number; p99Ms: number };
  /** Every call in order: `<Command> <detail>`. */
  calls: string[];
}

export function mockDeployment(): DeploymentState {
  const state: DeploymentState = {
    account: '111111111111',
    missingStacks: new Set(),
    alarmStates: new Map(),
    inverted: new Set(),
    metrics: { errorPercent: 0.12, p99Ms: 412.5 },
    calls: [],
  };
  for (const mock of [sts, cfn, route53, cloudWatch]) mock.reset();

  sts.on(GetCallerIdentityCommand).callsFake(() => {
    state.calls.push('GetCallerIdentity');
    return { ...json('sts-get-caller-identity.json'), Account: state.account };
  });

  cfn.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => {
    state.calls.push(`DescribeStacks ${input.StackName}`);
    if (state.missingStacks.has(input.StackName)) {
      const error = new Error(`Stack with id ${input.StackName} does not exist`);
      error.name = 'ValidationError';
      throw error;
    }
    const response = json('cloudformation-describe-stacks.json', { STACK_NAME: input.StackName });
    const loadRegion = ['us-east-1', 'eu-central-1', 'us-west-2'].find(
      (r) => loadGeneratorStackName('commerce', r) === input.StackName,
    );
    if (loadRegion)
      response.Stacks[0].Outputs = json('cloudformation-load-generator-outputs.json', { REGION: loadRegion });
    return response;
  });

  route53.on(ListHealthChecksCommand).callsFake(() => {
    state.calls.push('ListHealthChecks');
    const response = json('route53-list-health-checks.json');
    for (const check of response.HealthChecks)
      check.HealthCheckConfig.Inverted = state.inverted.has(check.Id);
    return response;
  });
  route53.on(UpdateHealthCheckCommand).callsFake((input: { HealthCheckId: string; Inverted: boolean }) => {
    state.calls.push(`UpdateHealthCheck ${input.HealthCheckId} Inverted=${input.Inverted}`);
    if (input.Inverted) state.inverted.add(input.HealthCheckId);
    else state.inverted.delete(input.HealthCheckId);
    return { HealthCheck: { Id: input.HealthCheckId } };
  });

  cloudWatch
    .on(DescribeAlarmsCommand)
    .callsFake((input: { AlarmNames?: string[]; AlarmNamePrefix?: string; StateValue?: string }) => {
      state.calls.push(
        `DescribeAlarms ${input.StateValue ? `StateValue=${input.StateValue}` : input.AlarmNamePrefix ? 'prefix' : 'names'}`,
      );
      const cellStack = (input.AlarmNames?.[0] ?? input.AlarmNamePrefix ?? '').replace(
        /-(api-5xx-rate|api-p99-latency|stream-iterator-age|replication-latency|dead-letter-depth-).*$/,
        '',
      );
      const region = cellStack.replace(/^commerce-cell-global-/, '');
      const replacements = { CELL_STACK: cellStack, REGION: region };
      const all = [
        ...json('cloudwatch-describe-alarms-cell.json', replacements).MetricAlarms,
        ...json('cloudwatch-describe-alarms-dead-letter.json', replacements).MetricAlarms,
      ].map((a: { AlarmName: string; StateValue: string }) => ({
        ...a,
        StateValue: state.alarmStates.get(a.AlarmName) ?? 'OK',
      }));
      const selected = all.filter(
        (a) =>
          (input.AlarmNames
            ? input.AlarmNames.includes(a.AlarmName)
            : a.AlarmName.startsWith(input.AlarmNamePrefix!)) &&
          (input.StateValue === undefined || a.StateValue === input.StateValue),
      );
      return { MetricAlarms: selected, CompositeAlarms: [] };
    });
  cloudWatch.on(GetMetricDataCommand).callsFake(() => {
    state.calls.push('GetMetricData');
    const response = json('cloudwatch-get-metric-data.json');
    response.MetricDataResults[0].Values = [state.metrics.errorPercent];
    response.MetricDataResults[1].Values = [state.metrics.p99Ms];
    return response;
  });
  return state;
}
