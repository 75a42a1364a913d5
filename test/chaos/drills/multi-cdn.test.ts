import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drillByName } from '../../../chaos/drills';
import { cdnToStop } from '../../../chaos/drills/cdn-outage';
import { localDrillPlan } from '../../../chaos/local/plan';
import { runDrill } from '../../../chaos/orchestrator';
import { type DrillReport, writeReport } from '../../../chaos/report';
import { zoneByName } from '../../../lib/topology';
import type { LocalTopology } from '../../../local/topology';
import { DRILL_TEST_TIMEOUT_MS, drillProgress } from '../../support/drill-progress';
import { bootTestTopology } from '../../support/local-topology';
import { assessDrill } from '../../support/drill-assessment';

/**
 * The two CDN drills (chaos/drills/cdn-outage.ts, chaos/drills/zone-outage-read-path.ts)
 * end to end, short variants, on one local topology at time scale 0.1: the
 * SIMULATED CDNs and Route 53 steering of local/cdn, the production handlers
 * in the cells. Each drill's report must pass and its fault must be rolled back.
 */
jest.setTimeout(DRILL_TEST_TIMEOUT_MS);

describe('CDN drills on the local topology (short variants)', () => {
  let topology: LocalTopology;
  let outDir: string;
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'cdn-drills-'));
    topology = await bootTestTopology();
  });
  afterAll(async () => {
    await topology?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  // One drill at a time on the shared topology: a drill jest gave up on is aborted before the next test starts.
  let progress = drillProgress();
  afterEach(() => progress.printIfUnfinished());

  const drill = async (name: string): Promise<DrillReport> => {
    progress = drillProgress();
    const plan = await localDrillPlan(topology, drillByName(name), {
      log: progress.log,
      zone: 'global',
      short: true,
      ratePerSecond: 2,
    });
    const report = await runDrill({ ...plan, signal: progress.signal });
    progress.finished();
    writeReport(report, outDir);
    return report;
  };
  const failed = (report: DrillReport) => report.criteria.filter((c) => !c.ok);

  it('cdn-outage: reads steered to the other CDN within the predicted time, >= 99.9 % successful after; with the client fallback >= 99.9 % throughout', async () => {
    // Prepare
    const stopped = cdnToStop(topology.model, zoneByName(topology.model, 'global'));
    // Act
    const report = await drill('cdn-outage');
    await assessDrill(report, async () => {
      // Assess
      expect(report.abortReason).toBeUndefined();
      // Nothing failed for certain. The steering bound may be inconclusive only with the host measured too slow
      // to time the simulation (its detail says how), and then the after-steering bar only for want of reads.
      expect(report.criteria.filter((c) => !c.ok && !c.inconclusive)).toEqual([]);
      const undecided = report.criteria.filter((c) => c.inconclusive);
      if (undecided.length > 0) {
        console.log(JSON.stringify({ undecided, figures: report.figures }, null, 1));
        const steering = undecided.find((c) => c.name.startsWith('reads steered away'));
        const withFallback = undecided.find((c) => c.name.includes("client's CDN fallback"));
        if (steering) expect(steering.detail).toMatch(/host was too slow|own health check .* failed/);
        // The fallback population's bar: only unanswered reads on a host measured too slow to answer in time.
        if (withFallback) expect(withFallback.detail).toMatch(/host was too slow to judge it/);
        for (const c of undecided.filter((c) => c !== steering && c !== withFallback))
          expect(c.detail).toMatch(/no read after steering/);
        expect(report.verdict).toBe('inconclusive');
      } else {
        expect(report.verdict).toBe('pass');
        expect(report.figures.timeToSteerSeconds).toBeLessThanOrEqual(
          (report.figures.predictedTimeToSteerSeconds ?? 0) + 2,
        );
        expect(report.figures.catalogSuccessPercentAfterSteering).toBeGreaterThanOrEqual(99.9);
        expect(report.figures.catalogP95AfterSteeringMs).toBeGreaterThan(0);
        // The client's fallback kept the bar through the steering window, where DNS-only reads failed.
        expect(report.figures.fallbackCatalogSuccessPercentInFault).toBeGreaterThanOrEqual(99.9);
      }
      expect(report.figures.fallbackAttemptsToCdnNames).toBeGreaterThan(0);
      expect(report.figures.catalogP95SteadyMs).toBeGreaterThan(0);
      // Rolled back: the stopped CDN listens again and Route 53 answers it again once its check passes.
      const zone = topology.state().cdn?.find((z) => z.zone === 'global');
      expect(zone?.vendors.find((v) => v.vendor === stopped)?.running).toBe(true);
    });
  });

  it('zone-outage-read-path: catalog served stale with its age, writes refused fast with problem+json', async () => {
    // Act
    const report = await drill('zone-outage-read-path');
    await assessDrill(report, async () => {
      // Assess
      expect(report.abortReason).toBeUndefined();
      expect(failed(report)).toEqual([]);
      expect(report.verdict).toBe('pass');
      expect(report.figures.catalogSuccessPercentInFault).toBeGreaterThanOrEqual(99.9);
      expect(report.figures.catalogStaleReadsInFault).toBeGreaterThan(0);
      expect(report.figures.catalogMaxAgeServedSeconds).toBeGreaterThan(60);
      expect(report.figures.writeProbesInFault).toBeGreaterThan(0);
      expect(report.figures.lostAcknowledgedWrites).toBe(0);
      // Rolled back: both cells serve again.
      const cells = topology.state().cells.filter((c) => c.zone === 'global');
      expect(cells.map((c) => c.running)).toEqual([true, true]);
    });
  });
});
