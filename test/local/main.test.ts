import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localEndpointsSchema } from '../../local/contract';
import { accepts, randomBasePort } from '../support/ports';

/** The CLI as a user runs it: busy ports are named with the flag to change them; SIGTERM stops everything. */

const REPO = join(__dirname, '..', '..');

/**
 * As `npm run local` starts it: node with tsx as a loader, so signals reach the CLI itself. The `tsx`
 * binary would relay them, and SIGKILL a child that has not acknowledged within 30 ms.
 */

function runCli(args: string[]): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts', ...args], {
    cwd: REPO,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error('the CLI did not exit in time')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Below Linux's ephemeral range (see randomBasePort). */
const randomBase = () => randomBasePort();

describe('local/main CLI', () => {
  let blocker: Server | undefined;
  let cli: ChildProcess | undefined;

  afterEach(async () => {
    if (cli && cli.exitCode === null) {
      cli.kill('SIGKILL');
      await exitOf(cli, 10_000).catch(() => undefined);
    }
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
  });

  it('refuses to start on a busy port, naming the port and the flag that moves it', async () => {
    // Prepare
    const basePort = randomBase();
    const busy = basePort + 20;
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(busy, '127.0.0.1', resolve));
    // Act
    const run = runCli(['--base-port', String(basePort), '--endpoints-file', join(tmpdir(), 'unused.json')]);
    cli = run.child;
    const code = await exitOf(run.child, 30_000);
    // Assess: it names a busy port of its own range (ours; or, rarely, one another test worker holds) and the flag.
    expect(code).toBe(1);
    const named = Number(/Port (\d+) \([^)]*\) is already in use/.exec(run.output())?.[1]);
    expect(named === busy || (named >= basePort && named < basePort + 100)).toBe(true);
    expect(run.output()).toContain('--base-port');
  }, 40_000);

  it('rejects invalid flags with the usage', async () => {
    // Act
    const run = runCli(['--time-scale', '5']);
    cli = run.child;
    const code = await exitOf(run.child, 30_000);
    // Assess
    expect(code).toBe(2);
    expect(run.output()).toMatch(/time-scale.*at most 1/);
  }, 40_000);

  it('boots, prints the summary, and on SIGTERM stops everything (Java included)', async () => {
    // Prepare
    const endpointsFile = join(mkdtempSync(join(tmpdir(), 'local-cli-')), 'endpoints.json');
    const run = runCli([
      '--base-port',
      String(randomBase()),
      '--time-scale',
      '0.05',
      '--endpoints-file',
      endpointsFile,
    ]);
    cli = run.child;
    const deadline = Date.now() + 60_000;
    while (!run.output().includes('Press Ctrl-C')) {
      if (Date.now() > deadline || run.child.exitCode !== null)
        throw new Error(`not ready:\n${run.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const endpoints = localEndpointsSchema.parse(JSON.parse(readFileSync(endpointsFile, 'utf8')));
    const ports = [endpoints.edge, endpoints.dynamodb, ...endpoints.cells.map((c) => c.url)].map((u) =>
      Number(new URL(u).port),
    );
    const upBefore = await Promise.all(ports.map(accepts));
    // Act
    run.child.kill('SIGTERM');
    const code = await exitOf(run.child, 20_000);
    const upAfter = await Promise.all(ports.map(accepts));
    // Assess
    expect(run.output()).toMatch(/zone\s+region\s+role\s+URL\s+health/);
    expect(run.output()).toMatch(/ready in [\d.]+ s; resident memory \d+ MiB/);
    expect(upBefore.every(Boolean)).toBe(true);
    expect(code).toBe(0);
    expect(upAfter.some(Boolean)).toBe(false);
    for (const pid of endpoints.pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 90_000);
});
