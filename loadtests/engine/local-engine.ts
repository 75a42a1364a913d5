import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isLoopbackUrl } from '../loopback';
import { type ParentMessage, TASK_SPEC_ENV, type TaskSpec, type WorkerMessage } from './local-worker';
import type {
  CollectedSummary,
  CollectedTimeline,
  LoadEngine,
  StartedTask,
  TaskStatus,
} from './orchestrator';
import type { LoadPlan, TaskAssignment } from './plan';
import { parseTaskSummary } from './task-summary';
import { LOCAL_TIMELINE_FILE, parseLocalTimeline } from './timeline';

/**
 * The load engine on this machine: one Node process per task, each running
 * the local load runner (loadtests/runner.ts, through local-worker.ts) against
 * a loopback URL, bounded in iterations and seconds. "Regions" are labels
 * here (SIMULATED: every process runs on 127.0.0.1); the point is to drive
 * the same orchestration and merge code the AWS engine uses, end to end.
 */

const REPO_ROOT = resolve(__dirname, '..', '..');
const WORKER = join(REPO_ROOT, 'loadtests', 'engine', 'local-worker.ts');
export const LOCAL_SUMMARY_FILE = 'task-summary.json';

export interface LocalEngineOptions {
  /** Summaries land in `<resultsDir>/<task results prefix>/task-summary.json` (the S3 layout, on disk). */
  readonly resultsDir: string;
  /** Wall-clock bound of each process. */
  readonly maxSecondsPerTask: number;
  /** After SIGTERM, how long a process may take to write its summary before SIGKILL. @default 5000 */
  readonly killGraceMs?: number;
  /**
   * Live mode (a drill's load): each process waits for `go` (sendAll) before it starts, then streams
   * its requests and acknowledgements here as they happen (local-worker.ts WorkerMessage).
   * @default - not live: each process starts at once and only writes its files
   */
  readonly onMessage?: (taskId: string, message: WorkerMessage) => void;
}

interface Worker {
  readonly child: ChildProcess;
  exitCode?: number | undefined;
  signal?: string | undefined;
  stderr: string;
}

export class LocalProcessEngine implements LoadEngine {
  readonly name = 'local-process';
  private readonly workers = new Map<string, Worker>();

  constructor(private readonly options: LocalEngineOptions) {}

  summaryPath(task: TaskAssignment): string {
    return join(this.options.resultsDir, task.resultsPrefix, LOCAL_SUMMARY_FILE);
  }

  async start(plan: LoadPlan, tasks: readonly TaskAssignment[]) {
    if (!isLoopbackUrl(plan.baseUrl)) {
      return {
        started: [],
        failures: tasks.map((t) => ({
          taskId: t.taskId,
          reason: `refusing ${plan.baseUrl}: local load processes target loopback only (127.0.0.1, ::1, localhost)`,
        })),
      };
    }
    const started: StartedTask[] = [];
    for (const task of tasks) {
      const spec: TaskSpec = {
        plan,
        task,
        out: this.summaryPath(task),
        maxSeconds: this.options.maxSecondsPerTask,
      };
      const { onMessage } = this.options;
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
        cwd: REPO_ROOT,
        env: { ...process.env, [TASK_SPEC_ENV]: JSON.stringify({ ...spec, live: onMessage !== undefined }) },
        stdio: onMessage ? ['ignore', 'ignore', 'pipe', 'ipc'] : ['ignore', 'ignore', 'pipe'],
      });
      if (onMessage) child.on('message', (message) => onMessage(task.taskId, message as WorkerMessage));
      const worker: Worker = { child, stderr: '' };
      child.stderr?.on('data', (chunk: Buffer) => {
        worker.stderr = (worker.stderr + chunk.toString()).slice(-2000);
      });
      child.once('exit', (code, signal) => {
        worker.exitCode = code ?? undefined;
        worker.signal = signal ?? undefined;
      });
      this.workers.set(task.taskId, worker);
      started.push({ assignment: task, handle: String(child.pid) });
    }
    return { started, failures: [] };
  }

  /** Live mode: a message to every process still connected (`go`, iteration defaults). */
  sendAll(message: ParentMessage): void {
    for (const worker of this.workers.values()) {
      if (worker.child.connected) worker.child.send(message, (error) => error && undefined);
    }
  }

  async status(tasks: readonly StartedTask[]): Promise<readonly TaskStatus[]> {
    return tasks.map((task) => {
      const worker = this.workers.get(task.assignment.taskId);
      if (!worker)
        return { taskId: task.assignment.taskId, phase: 'stopped', stoppedReason: 'unknown process' };
      const exited = worker.exitCode !== undefined || worker.signal !== undefined;
      return {
        taskId: task.assignment.taskId,
        phase: exited ? 'stopped' : 'running',
        ...(worker.exitCode !== undefined ? { exitCode: worker.exitCode } : {}),
        ...(worker.signal
          ? { stoppedReason: `killed by ${worker.signal}` }
          : worker.exitCode
            ? { stoppedReason: worker.stderr.trim().split('\n').at(-1) }
            : {}),
      };
    });
  }

  async stop(tasks: readonly StartedTask[], _reason: string): Promise<void> {
    for (const task of tasks) {
      const worker = this.workers.get(task.assignment.taskId);
      if (!worker || worker.exitCode !== undefined || worker.signal !== undefined) continue;
      worker.child.kill('SIGTERM');
      // A worker that does not finish its summary in time is killed: the run stays bounded.
      setTimeout(() => {
        if (worker.exitCode === undefined && worker.signal === undefined) worker.child.kill('SIGKILL');
      }, this.options.killGraceMs ?? 5000).unref();
    }
  }

  async collectTimelines(
    _plan: LoadPlan,
    tasks: readonly TaskAssignment[],
  ): Promise<readonly CollectedTimeline[]> {
    return tasks.map((assignment) => {
      const path = join(this.options.resultsDir, assignment.resultsPrefix, LOCAL_TIMELINE_FILE);
      if (!existsSync(path)) return { assignment, problem: `${path} was not written` };
      try {
        const rows = parseLocalTimeline(readFileSync(path, 'utf8'), path);
        return { assignment, timeline: { taskId: assignment.taskId, region: assignment.region, rows } };
      } catch (error) {
        return { assignment, problem: (error as Error).message };
      }
    });
  }

  async collect(_plan: LoadPlan, tasks: readonly TaskAssignment[]): Promise<readonly CollectedSummary[]> {
    return tasks.map((assignment) => {
      const path = this.summaryPath(assignment);
      if (!existsSync(path)) {
        const worker = this.workers.get(assignment.taskId);
        const why = worker?.stderr.trim().split('\n').at(-1);
        return { assignment, problem: `${path} was not written${why ? ` (${why})` : ''}` };
      }
      try {
        return { assignment, summary: parseTaskSummary(JSON.parse(readFileSync(path, 'utf8')), path) };
      } catch (error) {
        return { assignment, problem: (error as Error).message };
      }
    });
  }
}
