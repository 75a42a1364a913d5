import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalProcessEngine } from '../../../loadtests/engine/local-engine';
import { formatMergedResult } from '../../../loadtests/engine/merge';
import { runDistributedLoad } from '../../../loadtests/engine/orchestrator';
import { parseLoadPlan, planTasks } from '../../../loadtests/engine/plan';

/**
 * The local engine end to end: three Node load-runner processes (two labelled
 * eu-central-1, one us-east-1: SIMULATED regions, all on 127.0.0.1) against a
 * small HTTP server that counts what it receives and fails every 7th request.
 */
describe('LocalProcessEngine: three local load processes merged into one result', () => {
  let server: Server;
  let baseUrl: string;
  let received = 0;
  let failed = 0;
  let resultsDir: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      received++;
      const fail = received % 7 === 0;
      if (fail) failed++;
      // A little latency spread, so the percentiles are not all in one bucket.
      setTimeout(
        () => {
          response.writeHead(fail ? 503 : 200, {
            'content-type': 'application/json',
            'x-served-by': 'global/us-east-1',
          });
          response.end(request.url === '/v1/health' ? '{"status":"ok"}' : '{}');
        },
        (received % 5) * 3,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resultsDir = mkdtempSync(join(tmpdir(), 'local-load-'));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(resultsDir, { recursive: true, force: true });
  });

  it('runs, collects and merges: counts add up to what the server saw; percentiles are bounded intervals', async () => {
    // Prepare: the load profile shortened to ~12 s; each process capped at 120 iterations and 40 s.
    const plan = parseLoadPlan({
      runId: 'local-e2e',
      profile: 'load',
      baseUrl,
      flow: 'health',
      regions: [
        { region: 'eu-central-1', tasks: 2 },
        { region: 'us-east-1', tasks: 1 },
      ],
      durationScale: 0.03,
      maxIterationsPerTask: 120,
    });
    const engine = new LocalProcessEngine({ resultsDir, maxSecondsPerTask: 40 });
    // Act
    const run = await runDistributedLoad(engine, plan, {
      pollIntervalMs: 100,
      deadlineMs: 90_000,
      stopGraceMs: 10_000,
    });
    // Assess: every process finished on its own and left a summary.
    expect(run.end).toBe('completed');
    expect(run.statuses.map((s) => [s.taskId, s.phase, s.exitCode])).toEqual([
      ['eu-central-1-0', 'stopped', 0],
      ['eu-central-1-1', 'stopped', 0],
      ['us-east-1-0', 'stopped', 0],
    ]);
    const { result } = run;
    console.log(`server received ${received} requests, failed ${failed}\n${formatMergedResult(result)}`);
    expect(result.missing).toEqual([]);
    // Counts: the merged totals are exactly what the server received and failed.
    expect(result.overall.tasks).toBe(3);
    expect(result.overall.requests).toBe(received);
    expect(result.overall.failures).toBe(failed);
    expect(result.overall.requests).toBeGreaterThan(30);
    const regions = Object.fromEntries(result.regions.map((r) => [r.scope, r]));
    expect(regions['eu-central-1']!.tasks).toBe(2);
    expect(regions['us-east-1']!.tasks).toBe(1);
    expect(regions['eu-central-1']!.requests + regions['us-east-1']!.requests).toBe(received);
    // Each process stayed within its bound (health flow: one request per iteration).
    const summaries = (await engine.collect(plan, planTasks(plan))).map((c) => c.summary!);
    expect(summaries.map((s) => s.generator)).toEqual(['node-runner', 'node-runner', 'node-runner']);
    for (const s of summaries) expect(s.requests).toBeLessThanOrEqual(120);
    expect(summaries.reduce((sum, s) => sum + s.requests, 0)).toBe(received);
    // Percentiles: from the summed histograms, narrowed by the processes' own percentiles.
    for (const key of ['p50', 'p95', 'p99'] as const) {
      const estimate = result.overall.latencyMs[key]!;
      expect(estimate.basis).toBe('histogram+task-percentiles');
      expect(estimate.lowerMs).toBeLessThanOrEqual(estimate.upperMs);
      expect(estimate.valueMs).toBe(estimate.upperMs);
    }
    // Every 7th request failed: ~14 % errors, above the load profile's 1 %.
    expect(result.overall.thresholds.find((t) => t.name === 'errorRate')!.ok).toBe(false);
    expect(result.passed).toBe(false);
  });

  it('refuses a target that is not loopback, before starting any process', async () => {
    const plan = parseLoadPlan({
      runId: 'local-refused',
      profile: 'smoke',
      baseUrl: 'https://api.shop.example.com',
      regions: [{ region: 'eu-central-1', tasks: 1 }],
    });
    const engine = new LocalProcessEngine({ resultsDir, maxSecondsPerTask: 5 });
    await expect(runDistributedLoad(engine, plan, { pollIntervalMs: 100, deadlineMs: 5000 })).rejects.toThrow(
      /refusing https:\/\/api.shop.example.com: local load processes target loopback only/,
    );
  });
});
