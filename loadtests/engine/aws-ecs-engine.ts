import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTasksCommand, type ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import {
  k6SummaryFileName,
  LOAD_CONTAINERS,
  LOAD_STACK_OUTPUTS,
  loadGeneratorStackName,
  RESULTS_PREFIX_ENV,
  regionResultsPrefix,
} from './contract';
import type {
  CollectedSummary,
  CollectedTimeline,
  LoadEngine,
  StartedTask,
  TaskStatus,
} from './orchestrator';
import { k6Environment, type LoadPlan, runTaskClientToken, type TaskAssignment } from './plan';
import { taskSummaryFromK6 } from './task-summary';
import { K6_TIMELINE_FILE, k6TimelineEnvironment, parseK6TimelineCsv } from './timeline';

/**
 * The load engine on AWS: k6 tasks on the ECS Fargate cluster of each
 * region's LoadGeneratorStack (lib/stacks/load-generator-stack.ts). RunTask
 * per task (the task's own environment: profile share, target, results
 * prefix), DescribeTasks to follow them, StopTask to stop them, and the
 * summaries from the region's results bucket. Tested against the SDK v3 call
 * shapes only (no AWS account here).
 */

/** Where a region's load generator lives: read from its stack's outputs. */
export interface RegionLoadGenerator {
  readonly region: string;
  readonly clusterName: string;
  readonly taskDefinitionFamily: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly resultsBucket: string;
}

export interface EcsEngineClients {
  ecs(region: string): ECSClient;
  s3(region: string): S3Client;
}

/** Inside the task: where k6 writes its results (the shared volume the upload container copies from). */
export const TASK_RESULTS_DIR = '/work/results';
/** DescribeTasks accepts at most 100 tasks per call. */
const DESCRIBE_BATCH = 100;

const outputsSchema = z.object({
  [LOAD_STACK_OUTPUTS.cluster]: z.string().min(1),
  [LOAD_STACK_OUTPUTS.taskDefinition]: z.string().min(1),
  [LOAD_STACK_OUTPUTS.subnets]: z.string().min(1),
  [LOAD_STACK_OUTPUTS.securityGroup]: z.string().min(1),
  [LOAD_STACK_OUTPUTS.resultsBucket]: z.string().min(1),
});

/** Reads a region's LoadGeneratorStack outputs (DescribeStacks); says what to deploy when it is missing. */
export async function resolveRegionLoadGenerator(
  cloudFormation: CloudFormationClient,
  appName: string,
  region: string,
): Promise<RegionLoadGenerator> {
  const stackName = loadGeneratorStackName(appName, region);
  const deployHint = `deploy it with: npx cdk deploy ${stackName} -c loadGenerators=${region}`;
  let outputs: { OutputKey?: string | undefined; OutputValue?: string | undefined }[];
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if ((error as Error).name === 'ValidationError') {
      throw new Error(`no load generator stack ${stackName} in ${region}; ${deployHint}`);
    }
    throw error;
  }
  return regionLoadGeneratorFromOutputs(appName, region, outputs);
}

/** A region's load generator from its stack's outputs (DescribeStacks' Outputs); says what is missing. */
export function regionLoadGeneratorFromOutputs(
  appName: string,
  region: string,
  outputs: readonly { OutputKey?: string | undefined; OutputValue?: string | undefined }[],
): RegionLoadGenerator {
  const stackName = loadGeneratorStackName(appName, region);
  const parsed = outputsSchema.safeParse(
    Object.fromEntries(outputs.map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
  );
  if (!parsed.success) {
    throw new Error(
      `stack ${stackName} lacks the outputs ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}; deploy it with: npx cdk deploy ${stackName} -c loadGenerators=${region}`,
    );
  }
  const o = parsed.data;
  return {
    region,
    clusterName: o[LOAD_STACK_OUTPUTS.cluster]!,
    taskDefinitionFamily: o[LOAD_STACK_OUTPUTS.taskDefinition]!,
    subnetIds: o[LOAD_STACK_OUTPUTS.subnets]!.split(','),
    securityGroupId: o[LOAD_STACK_OUTPUTS.securityGroup]!,
    resultsBucket: o[LOAD_STACK_OUTPUTS.resultsBucket]!,
  };
}

export function defaultCloudFormation(region: string): CloudFormationClient {
  return new CloudFormationClient({ region });
}

export class EcsLoadEngine implements LoadEngine {
  readonly name = 'aws-ecs';

  constructor(
    private readonly generators: ReadonlyMap<string, RegionLoadGenerator>,
    private readonly clients: EcsEngineClients,
  ) {}

  private generator(region: string): RegionLoadGenerator {
    const generator = this.generators.get(region);
    if (!generator) {
      throw new Error(
        `no load generator known for ${region}; resolve it with resolveRegionLoadGenerator before running`,
      );
    }
    return generator;
  }

  async start(plan: LoadPlan, tasks: readonly TaskAssignment[]) {
    const started: StartedTask[] = [];
    const failures: { taskId: string; reason: string }[] = [];
    if (plan.shape) {
      const reason =
        'a custom load shape runs on the local engine only; k6 tasks run the named profiles of loadtests/profiles.ts';
      return { started, failures: tasks.map((t) => ({ taskId: t.taskId, reason })) };
    }
    for (const task of tasks) {
      try {
        const generator = this.generator(task.region);
        // k6 also writes its per-request timeline into the results directory, which the upload container copies.
        const environment = {
          ...k6Environment(plan, task, TASK_RESULTS_DIR),
          ...k6TimelineEnvironment(TASK_RESULTS_DIR),
        };
        const response = await this.clients.ecs(task.region).send(
          new RunTaskCommand({
            cluster: generator.clusterName,
            taskDefinition: generator.taskDefinitionFamily,
            launchType: 'FARGATE',
            count: 1,
            startedBy: plan.runId,
            clientToken: runTaskClientToken(plan, task),
            networkConfiguration: {
              awsvpcConfiguration: {
                subnets: [...generator.subnetIds],
                securityGroups: [generator.securityGroupId],
                // Public subnets without NAT: the task reaches the image registry, S3 and the target directly.
                assignPublicIp: 'ENABLED',
              },
            },
            overrides: {
              containerOverrides: [
                {
                  name: LOAD_CONTAINERS.k6,
                  environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
                },
                {
                  name: LOAD_CONTAINERS.uploadResults,
                  environment: [{ name: RESULTS_PREFIX_ENV, value: task.resultsPrefix }],
                },
              ],
            },
          }),
        );
        const arn = response.tasks?.[0]?.taskArn;
        if (arn) started.push({ assignment: task, handle: arn });
        else {
          const failure = response.failures?.[0];
          failures.push({
            taskId: task.taskId,
            reason: failure
              ? `${failure.reason ?? 'failed'}${failure.detail ? ` (${failure.detail})` : ''}`
              : 'RunTask returned no task',
          });
        }
      } catch (error) {
        failures.push({ taskId: task.taskId, reason: (error as Error).message });
      }
    }
    return { started, failures };
  }

  async status(tasks: readonly StartedTask[]): Promise<readonly TaskStatus[]> {
    const statuses: TaskStatus[] = [];
    for (const [region, inRegion] of groupByRegion(tasks)) {
      const generator = this.generator(region);
      for (let i = 0; i < inRegion.length; i += DESCRIBE_BATCH) {
        const batch = inRegion.slice(i, i + DESCRIBE_BATCH);
        const response = await this.clients
          .ecs(region)
          .send(
            new DescribeTasksCommand({ cluster: generator.clusterName, tasks: batch.map((t) => t.handle) }),
          );
        for (const task of batch) {
          const described = response.tasks?.find((t) => t.taskArn === task.handle);
          if (!described) {
            // ECS forgets stopped tasks after about an hour: a task it no longer knows is not running.
            const failure = response.failures?.find((f) => f.arn === task.handle);
            statuses.push({
              taskId: task.assignment.taskId,
              phase: 'stopped',
              stoppedReason: `not described by ECS (${failure?.reason ?? 'unknown'})`,
            });
            continue;
          }
          const k6 = described.containers?.find((c) => c.name === LOAD_CONTAINERS.k6);
          const phase = phaseOf(described.lastStatus);
          statuses.push({
            taskId: task.assignment.taskId,
            phase,
            ...(k6?.exitCode !== undefined ? { exitCode: k6.exitCode } : {}),
            ...(described.stoppedReason ? { stoppedReason: described.stoppedReason } : {}),
          });
        }
      }
    }
    return statuses;
  }

  async stop(tasks: readonly StartedTask[], reason: string): Promise<void> {
    const problems: string[] = [];
    for (const task of tasks) {
      try {
        await this.clients.ecs(task.assignment.region).send(
          new StopTaskCommand({
            cluster: this.generator(task.assignment.region).clusterName,
            task: task.handle,
            // ECS keeps at most 255 characters of the reason.
            reason: reason.slice(0, 255),
          }),
        );
      } catch (error) {
        problems.push(`${task.assignment.taskId} (${task.handle}): ${(error as Error).message}`);
      }
    }
    if (problems.length > 0) throw new Error(`StopTask failed for ${problems.join('; ')}`);
  }

  async collect(plan: LoadPlan, tasks: readonly TaskAssignment[]): Promise<readonly CollectedSummary[]> {
    const collected: CollectedSummary[] = [];
    const fileName = k6SummaryFileName(plan.profile);
    for (const [region, inRegion] of groupByRegion(tasks.map((assignment) => ({ assignment })))) {
      const { resultsBucket } = this.generator(region);
      const s3 = this.clients.s3(region);
      const keys = new Set<string>();
      for await (const page of paginateListObjectsV2(
        { client: s3 },
        { Bucket: resultsBucket, Prefix: regionResultsPrefix(plan.runId, region) },
      )) {
        for (const object of page.Contents ?? []) if (object.Key) keys.add(object.Key);
      }
      for (const { assignment } of inRegion) {
        const key = `${assignment.resultsPrefix}${fileName}`;
        const source = `s3://${resultsBucket}/${key}`;
        if (!keys.has(key)) {
          collected.push({
            assignment,
            problem: `${source} was not uploaded (the task did not finish its run)`,
          });
          continue;
        }
        try {
          const object = await s3.send(new GetObjectCommand({ Bucket: resultsBucket, Key: key }));
          const text = (await object.Body?.transformToString('utf-8')) ?? '';
          const summary = taskSummaryFromK6(
            JSON.parse(text),
            { region, taskId: assignment.taskId, profile: plan.profile },
            source,
          );
          collected.push({ assignment, summary });
        } catch (error) {
          collected.push({ assignment, problem: (error as Error).message });
        }
      }
    }
    return collected;
  }

  async collectTimelines(
    _plan: LoadPlan,
    tasks: readonly TaskAssignment[],
  ): Promise<readonly CollectedTimeline[]> {
    const collected: CollectedTimeline[] = [];
    for (const assignment of tasks) {
      const { resultsBucket } = this.generator(assignment.region);
      const key = `${assignment.resultsPrefix}${K6_TIMELINE_FILE}`;
      const source = `s3://${resultsBucket}/${key}`;
      try {
        const object = await this.clients
          .s3(assignment.region)
          .send(new GetObjectCommand({ Bucket: resultsBucket, Key: key }));
        const bytes = await object.Body?.transformToByteArray();
        if (!bytes) throw new Error('empty object');
        const rows = parseK6TimelineCsv(gunzipSync(bytes).toString('utf8'), source);
        collected.push({
          assignment,
          timeline: { taskId: assignment.taskId, region: assignment.region, rows },
        });
      } catch (error) {
        const name = (error as Error).name;
        collected.push({
          assignment,
          problem:
            name === 'NoSuchKey'
              ? `${source} was not uploaded (the task did not finish its run)`
              : `${source}: ${(error as Error).message}`,
        });
      }
    }
    return collected;
  }
}

/** ECS task lifecycle: PROVISIONING/PENDING/ACTIVATING before it runs; DEACTIVATING..DEPROVISIONING on its way out. */
function phaseOf(lastStatus: string | undefined): TaskStatus['phase'] {
  if (lastStatus === 'STOPPED') return 'stopped';
  if (['RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING'].includes(lastStatus ?? '')) return 'running';
  return 'pending';
}

function groupByRegion<T extends { readonly assignment: TaskAssignment }>(
  tasks: readonly T[],
): Map<string, T[]> {
  const byRegion = new Map<string, T[]>();
  for (const task of tasks) {
    const list = byRegion.get(task.assignment.region) ?? [];
    list.push(task);
    byRegion.set(task.assignment.region, list);
  }
  return byRegion;
}
