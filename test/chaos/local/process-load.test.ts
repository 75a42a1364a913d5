import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drillByName } from '../../../chaos/drills';
import { parseDrillRecord } from '../../../chaos/history/record';
import { localDrillPlan } from '../../../chaos/local/plan';
import { runDrill } from '../../../chaos/orchestrator';
import { writeReport } from '../../../chaos/report';
import { type LocalTopology, startLocalTopology } from '../../../local/topology';
import { onFreeBasePort } from '../../support/ports';
import { DRILL_TEST_TIMEOUT_MS, drillProgress } from '../../support/drill-progress';
import { assessDrill } from '../../support/drill-assessment';

/**
 * A local drill whose load comes from three load-runner processes, through
 * the engine the AWS drill drives its k6 tasks with (start, poll, stop,
 * collect, merge): `npm run drill -- run region-failover --local --short
 * --load-processes 3`. Bounded: the short variant at time scale 0.1, three
 * iterations per second in total.
 */
jest.setTimeout(DRILL_TEST_TIMEOUT_MS);

describe('a local drill driven by three load processes', () => {
  let topology: LocalTopology;
  let outDir: string;
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'drills-processes-'));
    topology = await onFreeBasePort((basePort) =>
      startLocalTopology({ timeScale: 0.1, basePort, endpointsFile: null }),
    );
  });
  const progress = drillProgress();
  afterAll(async () => {
    progress.printIfUnfinished();
    await topology?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('region-failover --short: per-process and merged figures add up; RTO and lost writes measured; record written', async () => {
    // Prepare
    const plan = await localDrillPlan(topology, drillByName('region-failover'), {
      log: progress.log,
      zone: 'global',
      short: true,
      ratePerSecond: 3,
      loadProcesses: 3,
    });
    // Act
    const report = await runDrill({ ...plan, signal: progress.signal });
    progress.finished();
    await assessDrill(report, async () => {
      const dir = writeReport(report, outDir);

      // Assess: the drill ran to its end, the fault was rolled back.
      expect(report.abortReason).toBeUndefined();
      expect(report.criteria.find((c) => c.name === 'every fault rolled back')).toMatchObject({ ok: true });
      const { load } = report;
      expect(load).toBeDefined();
      const { result } = load!;
      // Three processes, each with its own figures; nothing missing.
      expect(result.tasks.map((t) => t.scope)).toEqual(['local-0', 'local-1', 'local-2']);
      expect(result.missing).toEqual([]);
      expect(load!.problems).toEqual([]);
      for (const task of result.tasks) expect(task.requests).toBeGreaterThan(0);
      // Counts add up: processes -> merged -> the report's figures -> its per-second timeline.
      const sum = (pick: (t: (typeof result.tasks)[number]) => number) =>
        result.tasks.reduce((total, t) => total + pick(t), 0);
      expect(result.overall.requests).toBe(sum((t) => t.requests));
      expect(result.overall.failures).toBe(sum((t) => t.failures));
      expect(report.figures.requests).toBe(result.overall.requests);
      expect(report.figures.failedRequests).toBe(result.overall.failures);
      expect(report.timeline.reduce((total, b) => total + b.count, 0)).toBe(result.overall.requests);
      expect(report.timeline.reduce((total, b) => total + (b.count - b.success), 0)).toBe(
        result.overall.failures,
      );
      expect(load!.regionTimelines.local?.reduce((total, b) => total + b.count, 0)).toBe(
        result.overall.requests,
      );
      // The failover was seen in the merged clients' view: RTO measured (and per load region), writes checked.
      expect(typeof report.figures.rtoSeconds).toBe('number');
      expect(report.figures.predictedRtoSeconds).toBeGreaterThan(0);
      expect(load!.regionRtoSeconds?.local).toBe(report.figures.rtoSeconds);
      expect(report.figures.acknowledgedWrites).toBeGreaterThan(0);
      expect(report.figures.lostAcknowledgedWrites).toBe(0);
      // The report shows each process and the merge; the record sits beside it with the same figures.
      const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
      expect(summary).toContain('## Load');
      for (const id of ['local-0', 'local-1', 'local-2']) expect(summary).toContain(`| generator | ${id} |`);
      expect(summary).toContain(`| merged | overall | ${result.overall.requests} |`);
      expect(existsSync(join(dir, 'record.json'))).toBe(true);
      const record = parseDrillRecord(JSON.parse(readFileSync(join(dir, 'record.json'), 'utf8')), 'record');
      expect(record).toMatchObject({
        id: report.id,
        requests: result.overall.requests,
        lostWrites: 0,
        simulated: true,
      });
      expect(record.rto.measuredSeconds).toBe(report.figures.rtoSeconds);
      console.log(
        `3 load processes: ${result.tasks.map((t) => `${t.scope} ${t.requests} requests/${t.failures} failed`).join(', ')}; merged ${result.overall.requests}/${result.overall.failures}; RTO ${report.figures.rtoSeconds} s (predicted ${report.figures.predictedRtoSeconds} s); ${report.figures.acknowledgedWrites} acknowledged writes, ${report.figures.lostAcknowledgedWrites} lost; verdict ${report.verdict}`,
      );
    });
  });
});
