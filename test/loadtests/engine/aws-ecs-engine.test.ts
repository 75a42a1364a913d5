import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  EcsLoadEngine,
  type RegionLoadGenerator,
  resolveRegionLoadGenerator,
} from '../../../loadtests/engine/aws-ecs-engine';
import { runDistributedLoad } from '../../../loadtests/engine/orchestrator';
import { parseLoadPlan } from '../../../loadtests/engine/plan';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));
const ecs = mockClient(ECSClient);
const s3 = mockClient(S3Client);
const cfn = mockClient(CloudFormationClient);

const generator = (region: string): RegionLoadGenerator => ({
  region,
  clusterName: 'commerce-load',
  taskDefinitionFamily: 'commerce-load-k6',
  subnetIds: [`subnet-${region}-a`, `subnet-${region}-b`],
  securityGroupId: `sg-${region}`,
  resultsBucket: `commerce-load-results-111111111111-${region}`,
});
const REGIONS = ['eu-central-1', 'us-east-1'];
const engine = () =>
  new EcsLoadEngine(new Map(REGIONS.map((r) => [r, generator(r)])), {
    ecs: (region) => new ECSClient({ region }),
    s3: (region) => new S3Client({ region }),
  });
const plan = parseLoadPlan({
  runId: '2026-q4-drill',
  profile: 'load',
  baseUrl: 'https://api.shop.example.com',
  token: 'short-lived-jwt',
  regions: [
    { region: 'eu-central-1', tasks: 1 },
    { region: 'us-east-1', tasks: 1 },
  ],
});
const arnOf = (region: string) => `arn:aws:ecs:${region}:111111111111:task/commerce-load/${region}-task`;
/** The recorded RunTask response, for the task of `region`. */
const runTaskResponse = (region: string) => {
  const response = fixture('ecs-run-task.json');
  response.tasks[0].taskArn = arnOf(region);
  return response;
};
const describeResponse = (name: string, region: string) => {
  const response = fixture(name);
  response.tasks[0].taskArn = arnOf(region);
  return response;
};
const noSleep = async () => {};

/** RunTask answers with the recorded response, for the region the task's RUN_ID names. */
function mockRunTask() {
  ecs.on(RunTaskCommand).callsFake((input) => {
    const env = input.overrides.containerOverrides[0].environment as { name: string; value: string }[];
    const runId = env.find((e) => e.name === 'RUN_ID')!.value;
    return runTaskResponse(REGIONS.find((region) => runId.includes(region))!);
  });
}

function mockSummaries() {
  s3.on(ListObjectsV2Command).callsFake((input) => ({
    Contents: [
      { Key: `${input.Prefix}task-0/k6-summary-load.json` },
      { Key: `${input.Prefix}task-0/summary-export.json` },
    ],
    IsTruncated: false,
  }));
  s3.on(GetObjectCommand).callsFake((input) => {
    const region = (input.Key as string).split('/')[2]!;
    const text = readFileSync(join(__dirname, 'fixtures', `k6-summary-${region}-task-0.json`), 'utf8');
    return { Body: { transformToString: async () => text } };
  });
}

describe('EcsLoadEngine (SDK v3 call shapes, recorded fixtures)', () => {
  beforeEach(() => {
    ecs.reset();
    s3.reset();
    cfn.reset();
  });

  it('starts one Fargate task per assignment, with the profile share, target and results prefix in its environment', async () => {
    mockRunTask();
    const { started, failures } = await engine().start(plan, [
      {
        region: 'eu-central-1',
        index: 0,
        taskId: 'eu-central-1-0',
        generatorRunId: '2026-q4-drill-eu-central-1-0',
        rateScale: 0.5,
        durationScale: 1,
        maxIterations: 5000,
        resultsPrefix: 'runs/2026-q4-drill/eu-central-1/task-0/',
      },
    ]);
    expect(failures).toEqual([]);
    expect(started).toEqual([expect.objectContaining({ handle: arnOf('eu-central-1') })]);
    const input = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect(input).toEqual({
      cluster: 'commerce-load',
      taskDefinition: 'commerce-load-k6',
      launchType: 'FARGATE',
      count: 1,
      startedBy: '2026-q4-drill',
      clientToken: '2026-q4-drill-eu-central-1-0',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-eu-central-1-a', 'subnet-eu-central-1-b'],
          securityGroups: ['sg-eu-central-1'],
          assignPublicIp: 'ENABLED',
        },
      },
      overrides: {
        containerOverrides: [
          {
            name: 'k6',
            environment: expect.arrayContaining([
              { name: 'PROFILE', value: 'load' },
              { name: 'BASE_URL', value: 'https://api.shop.example.com' },
              { name: 'RATE_SCALE', value: '0.5' },
              { name: 'MAX_ITERATIONS', value: '5000' },
              { name: 'RUN_ID', value: '2026-q4-drill-eu-central-1-0' },
              { name: 'SUMMARY_DIR', value: '/work/results' },
              { name: 'TOKEN', value: 'short-lived-jwt' },
            ]),
          },
          {
            name: 'upload-results',
            environment: [{ name: 'RESULTS_PREFIX', value: 'runs/2026-q4-drill/eu-central-1/task-0/' }],
          },
        ],
      },
    });
  });

  it('runs the plan: start, poll DescribeTasks until stopped, collect from S3, merge both regions', async () => {
    // Prepare: each task is seen RUNNING once, then STOPPED (recorded responses).
    mockRunTask();
    const seen = new Map<string, number>();
    ecs.on(DescribeTasksCommand).callsFake((input) => {
      const arn = input.tasks[0] as string;
      const region = arn.split(':')[3]!;
      const polls = (seen.get(arn) ?? 0) + 1;
      seen.set(arn, polls);
      return describeResponse(
        polls === 1 ? 'ecs-describe-tasks-running.json' : 'ecs-describe-tasks-stopped.json',
        region,
      );
    });
    mockSummaries();
    // Act
    const run = await runDistributedLoad(engine(), plan, {
      pollIntervalMs: 10,
      deadlineMs: 60_000,
      sleep: noSleep,
    });
    // Assess
    expect(run.end).toBe('completed');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(2);
    expect(ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.cluster)).toEqual(
      Array(4).fill('commerce-load'),
    );
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(run.statuses.every((s) => s.phase === 'stopped' && s.exitCode === 0)).toBe(true);
    expect(
      s3.commandCalls(ListObjectsV2Command).map((c) => [c.args[0].input.Bucket, c.args[0].input.Prefix]),
    ).toEqual([
      ['commerce-load-results-111111111111-eu-central-1', 'runs/2026-q4-drill/eu-central-1/'],
      ['commerce-load-results-111111111111-us-east-1', 'runs/2026-q4-drill/us-east-1/'],
    ]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      'runs/2026-q4-drill/eu-central-1/task-0/k6-summary-load.json',
      'runs/2026-q4-drill/us-east-1/task-0/k6-summary-load.json',
    ]);
    expect(run.result.overall).toMatchObject({ tasks: 2, requests: 2100, failures: 33 });
    expect(run.result.regions.map((r) => r.scope)).toEqual(['eu-central-1', 'us-east-1']);
    expect(run.result.missing).toEqual([]);
  });

  it('stops every started task on abort (StopTask with the reason) and reports the missing summaries', async () => {
    mockRunTask();
    ecs
      .on(DescribeTasksCommand)
      .callsFake((input) =>
        describeResponse('ecs-describe-tasks-running.json', (input.tasks[0] as string).split(':')[3]!),
      );
    ecs.on(StopTaskCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
    const controller = new AbortController();
    // Act: abort after the first poll, like Ctrl-C or a drill's abort alarm.
    const run = await runDistributedLoad(engine(), plan, {
      signal: controller.signal,
      pollIntervalMs: 10,
      deadlineMs: 60_000,
      sleep: async () => controller.abort(),
    });
    // Assess
    expect(run.end).toBe('aborted');
    const stops = ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
    expect(stops).toEqual(
      expect.arrayContaining([
        { cluster: 'commerce-load', task: arnOf('eu-central-1'), reason: 'drill aborted' },
        { cluster: 'commerce-load', task: arnOf('us-east-1'), reason: 'drill aborted' },
      ]),
    );
    expect(run.result.missing.map((m) => m.taskId)).toEqual(['eu-central-1-0', 'us-east-1-0']);
    expect(run.result.passed).toBe(false);
  });

  it('stops the tasks when the run passes its time bound', async () => {
    mockRunTask();
    ecs
      .on(DescribeTasksCommand)
      .callsFake((input) =>
        describeResponse('ecs-describe-tasks-running.json', (input.tasks[0] as string).split(':')[3]!),
      );
    ecs.on(StopTaskCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    let clock = 0;
    const run = await runDistributedLoad(engine(), plan, {
      pollIntervalMs: 1000,
      deadlineMs: 5000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    expect(run.end).toBe('deadline');
    expect(ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input.reason)).toEqual([
      'load run exceeded its time bound',
      'load run exceeded its time bound',
    ]);
  });

  it('rolls back the tasks that started when another could not start, and says why', async () => {
    ecs.on(RunTaskCommand).callsFake((input) => {
      const env = input.overrides.containerOverrides[0].environment as { name: string; value: string }[];
      return env.find((e) => e.name === 'RUN_ID')!.value.includes('us-east-1')
        ? fixture('ecs-run-task-failure.json')
        : runTaskResponse('eu-central-1');
    });
    ecs.on(StopTaskCommand).resolves({});
    await expect(
      runDistributedLoad(engine(), plan, { pollIntervalMs: 10, deadlineMs: 1000, sleep: noSleep }),
    ).rejects.toThrow(/1 of 2 load task\(s\) did not start: us-east-1-0: RESOURCE:ENI \(The elastic network/);
    expect(ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual([
      arnOf('eu-central-1'),
    ]);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  });

  it('stops the started tasks when following them fails (rollback in finally)', async () => {
    mockRunTask();
    ecs.on(DescribeTasksCommand).rejects(new Error('ThrottlingException: Rate exceeded'));
    ecs.on(StopTaskCommand).resolves({});
    await expect(
      runDistributedLoad(engine(), plan, { pollIntervalMs: 10, deadlineMs: 1000, sleep: noSleep }),
    ).rejects.toThrow(/Rate exceeded/);
    expect(
      ecs.commandCalls(StopTaskCommand).map((c) => [c.args[0].input.task, c.args[0].input.reason]),
    ).toEqual([
      [arnOf('eu-central-1'), 'load run ended'],
      [arnOf('us-east-1'), 'load run ended'],
    ]);
  });

  it('reads a region’s generator from its stack outputs, and says what to deploy when the stack is missing', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'commerce-load-eu-central-1',
          CreationTime: new Date(0),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'ClusterName', OutputValue: 'commerce-load' },
            { OutputKey: 'TaskDefinitionFamily', OutputValue: 'commerce-load-k6' },
            { OutputKey: 'SubnetIds', OutputValue: 'subnet-a,subnet-b' },
            { OutputKey: 'SecurityGroupId', OutputValue: 'sg-1' },
            {
              OutputKey: 'ResultsBucketName',
              OutputValue: 'commerce-load-results-111111111111-eu-central-1',
            },
          ],
        },
      ],
    });
    const client = new CloudFormationClient({ region: 'eu-central-1' });
    await expect(resolveRegionLoadGenerator(client, 'commerce', 'eu-central-1')).resolves.toEqual({
      region: 'eu-central-1',
      clusterName: 'commerce-load',
      taskDefinitionFamily: 'commerce-load-k6',
      subnetIds: ['subnet-a', 'subnet-b'],
      securityGroupId: 'sg-1',
      resultsBucket: 'commerce-load-results-111111111111-eu-central-1',
    });
    expect(cfn.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({
      StackName: 'commerce-load-eu-central-1',
    });
    const missing = Object.assign(new Error('Stack with id commerce-load-eu-central-1 does not exist'), {
      name: 'ValidationError',
    });
    cfn.on(DescribeStacksCommand).rejects(missing);
    await expect(resolveRegionLoadGenerator(client, 'commerce', 'eu-central-1')).rejects.toThrow(
      /no load generator stack commerce-load-eu-central-1 in eu-central-1; deploy it with: npx cdk deploy commerce-load-eu-central-1 -c loadGenerators=eu-central-1/,
    );
  });
});
