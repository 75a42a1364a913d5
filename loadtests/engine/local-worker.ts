import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { type FlowState, HEALTH_FLOW, SHOPPER_FLOW } from '../flow';
import { assertLoopback } from '../loopback';
import { startLoad } from '../runner';
import { generatorProfile, loadPlanSchema, type TaskAssignment } from './plan';
import { taskSummaryFromRunner } from './task-summary';
import { formatLocalTimeline, LOCAL_TIMELINE_FILE, type TimelineRow } from './timeline';

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
  /**
   * Live mode (a drill's load, over the IPC channel): say `ready`, start only on `go` (so every process
   * starts together), stream each request and acknowledgement as it happens, and take iteration defaults
   * from the parent. @default false
   */
  live: z.boolean().default(false),
});
export type TaskSpec = z.input<typeof taskSpecSchema>;

/** What a live worker tells its parent. Times are epoch milliseconds. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done' }
  | { readonly type: 'started'; readonly epochMs: number }
  | { readonly type: 'samples'; readonly rows: readonly TimelineRow[] }
  | {
      readonly type: 'ack';
      readonly step: string;
      readonly epochMs: number;
      readonly state: Readonly<FlowState>;
    };

/** What the parent tells a live worker. */
export const parentMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('go') }),
  z.object({
    type: z.literal('iteration-defaults'),
    value: z.record(z.string(), z.string()),
  }),
]);
export type ParentMessage = z.input<typeof parentMessageSchema>;

/** How often a live worker sends the requests that finished since the last batch. */
const STREAM_INTERVAL_MS = 100;

const send = (message: WorkerMessage) => process.send?.(message);

/** Live mode: tell the parent we are loaded, then wait for `go` (or the parent going away). */
function waitForGo(onDefaults: (value: Record<string, string>) => void): Promise<boolean> {
  return new Promise((resolve) => {
    process.on('message', (raw) => {
      const parsed = parentMessageSchema.safeParse(raw);
      if (!parsed.success) return;
      if (parsed.data.type === 'go') resolve(true);
      else onDefaults(parsed.data.value);
    });
    process.once('disconnect', () => resolve(false));
    send({ type: 'ready' });
  });
}

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
  // Stopped before the load started (a live worker waiting for `go`): nothing ran, nothing to write.
  const stopEarly = () => process.exit(0);
  process.once('SIGTERM', stopEarly);
  process.once('SIGINT', stopEarly);
  let defaults: Record<string, string> = {};
  if (spec.live && !(await waitForGo((value) => (defaults = value)))) return 0;
  const run = startLoad({
    baseUrl: assertLoopback(plan.baseUrl),
    profile: generatorProfile(plan, task),
    flow: plan.flow === 'health' ? HEALTH_FLOW : SHOPPER_FLOW,
    maxDurationSeconds: spec.maxSeconds,
    runId: task.generatorRunId,
    headers,
    ...(spec.live
      ? {
          iterationDefaults: () => defaults,
          onAcknowledged: (ack) =>
            send({ type: 'ack', step: ack.step, epochMs: origin + ack.atMs, state: ack.state }),
        }
      : {}),
  });
  // The runner's clock is relative; the timeline is on the wall clock so processes can be merged.
  const origin = Date.now() - run.elapsedMs();
  const rowsOf = (from: number) =>
    run
      .samples()
      .slice(from)
      .map(
        (x): TimelineRow => ({
          startEpochMs: origin + x.atMs,
          ok: x.ok,
          latencyMs: x.latencyMs,
          servedBy: x.servedBy,
          step: x.step,
          status: x.status,
        }),
      );
  let streamed = 0;
  const stream = () => {
    const rows = rowsOf(streamed);
    streamed += rows.length;
    if (rows.length > 0) send({ type: 'samples', rows });
  };
  const streamer = spec.live ? setInterval(stream, STREAM_INTERVAL_MS) : undefined;
  if (spec.live) send({ type: 'started', epochMs: origin });
  process.removeListener('SIGTERM', stopEarly);
  process.removeListener('SIGINT', stopEarly);
  process.once('SIGTERM', () => run.stop());
  process.once('SIGINT', () => run.stop());
  const summary = await run.done;
  clearInterval(streamer);
  if (spec.live) {
    stream();
    // The channel delivers in order: once this last message is out, every earlier one is too.
    await new Promise<void>((resolve) => process.send?.({ type: 'done' }, undefined, {}, () => resolve()));
  }
  const taskSummary = taskSummaryFromRunner(summary, run.samples(), {
    region: task.region,
    taskId: task.taskId,
  });
  // Write then rename: a reader never sees half a file. The timeline first: the summary marks the end.
  writeAtomically(join(dirname(spec.out), LOCAL_TIMELINE_FILE), formatLocalTimeline(rowsOf(0)));
  writeAtomically(spec.out, `${JSON.stringify(taskSummary)}\n`);
  return 0;
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
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
