import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { HEALTH_FLOW, SHOPPER_FLOW } from '../flow';
import { assertLoopback } from '../loopback';
import { startLoad } from '../runner';
import { generatorProfile, loadPlanSchema, type TaskAssignment } from './plan';
import { taskSummaryFromRunner } from './task-summary';

/**
 * One local load generator process (spawned by LocalProcessEngine): the Node
 * load runner on its share of the plan, loopback only, bounded in iterations
 * and seconds. SIGTERM/SIGINT stop the arrivals; the summary is written either
 * way, then the process exits. Its task comes in LOAD_TASK_SPEC (an
 * environment variable, so a bearer token never shows in `ps`).
 */

export const TASK_SPEC_ENV = 'LOAD_TASK_SPEC';

const taskSchema = z.object({
  region: z.string().min(1),
  index: z.number().int().nonnegative(),
  taskId: z.string().min(1),
  generatorRunId: z.string().min(1),
  rateScale: z.number().positive().max(1),
  durationScale: z.number().positive().max(1),
  maxIterations: z.number().int().positive(),
  resultsPrefix: z.string().min(1),
}) satisfies z.ZodType<TaskAssignment>;

export const taskSpecSchema = z.object({
  plan: loadPlanSchema,
  task: taskSchema,
  /** Where to write the task summary (JSON). */
  out: z.string().min(1),
  /** Wall-clock bound of this process's run. */
  maxSeconds: z.number().positive().max(3600),
});
export type TaskSpec = z.input<typeof taskSpecSchema>;

async function main(): Promise<number> {
  const raw = process.env[TASK_SPEC_ENV];
  if (!raw) {
    console.error(`${TASK_SPEC_ENV} is not set: this process is started by LocalProcessEngine`);
    return 2;
  }
  const spec = taskSpecSchema.parse(JSON.parse(raw));
  const { plan, task } = spec;
  const headers: Record<string, string> = {};
  if (plan.token) headers.authorization = `Bearer ${plan.token}`;
  if (plan.clientCountry) headers['x-client-country'] = plan.clientCountry;
  const run = startLoad({
    baseUrl: assertLoopback(plan.baseUrl),
    profile: generatorProfile(plan, task),
    flow: plan.flow === 'health' ? HEALTH_FLOW : SHOPPER_FLOW,
    maxDurationSeconds: spec.maxSeconds,
    runId: task.generatorRunId,
    headers,
  });
  process.once('SIGTERM', () => run.stop());
  process.once('SIGINT', () => run.stop());
  const summary = await run.done;
  const taskSummary = taskSummaryFromRunner(summary, run.samples(), {
    region: task.region,
    taskId: task.taskId,
  });
  mkdirSync(dirname(spec.out), { recursive: true });
  // Write then rename: a reader never sees half a file.
  writeFileSync(`${spec.out}.tmp`, `${JSON.stringify(taskSummary)}\n`);
  renameSync(`${spec.out}.tmp`, spec.out);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`load worker failed: ${error.message}`);
      process.exit(1);
    },
  );
}
