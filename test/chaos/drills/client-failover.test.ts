import { drillByName } from '../../../chaos/drills';
import { HOST_TOO_SLOW_MS } from '../../../chaos/metrics';
import { localDrillPlan } from '../../../chaos/local/plan';
import { runDrill } from '../../../chaos/orchestrator';
import type { LocalTopology } from '../../../local/topology';
import { DRILL_TEST_TIMEOUT_MS, drillProgress } from '../../support/drill-progress';
import { bootTestTopology } from '../../support/local-topology';
import { assessDrill } from '../../support/drill-assessment';

/** The client-failover drill, CI-sized (short phases, time scale 0.1), on its own topology. */
jest.setTimeout(DRILL_TEST_TIMEOUT_MS);

describe('client-failover drill (short)', () => {
  let topology: LocalTopology;
  beforeAll(async () => {
    topology = await bootTestTopology();
  });
  const progress = drillProgress();
  afterAll(() => {
    progress.printIfUnfinished();
    return topology?.stop();
  });

  it('the client population recovers within 5 s cloud-equivalent with no failure; DNS within the prediction; 0 duplicates', async () => {
    // Act
    const plan = await localDrillPlan(topology, drillByName('client-failover'), {
      log: progress.log,
      zone: 'global',
      short: true,
      ratePerSecond: 1,
    });
    const report = await runDrill({ ...plan, signal: progress.signal });
    progress.finished();
    await assessDrill(report, async () => {
      // Assess
      console.log(
        JSON.stringify(
          { abortReason: report.abortReason, figures: report.figures, notes: report.notes },
          null,
          1,
        ),
      );
      // Nothing failed for certain. A timing criterion (an RTO bound, the client's no-failure bound whose attempts
      // time out after 2 s) may be inconclusive, only when the host was measured too slow to judge it; then its
      // detail says so. Duplicates and lost orders are judged whatever the host.
      const failed = report.criteria
        .filter((c) => !c.ok && !c.inconclusive)
        .map((c) => `${c.name}: ${c.detail}`);
      expect(failed).toEqual([]);
      const undecided = report.criteria.filter((c) => c.inconclusive);
      for (const c of undecided) expect(`${c.name}: ${c.detail}`).toMatch(/host was too slow/);
      const f = report.figures;
      if (undecided.length > 0) {
        const slowBeforeOrDuring = Math.max(f.populationSteadyP95Ms ?? 0, f.p50Ms ?? 0) > HOST_TOO_SLOW_MS;
        expect(slowBeforeOrDuring || (f.p99Ms ?? 0) >= 2000).toBe(true);
      }
      expect(report.verdict).toBe(undecided.length > 0 ? 'inconclusive' : 'pass');
      expect(f.dnsPopulationFailedAfterFault).toBeGreaterThan(0); // DNS-only clients did see the outage
      if (undecided.length === 0) {
        expect(f.clientPopulationFailedAfterFault).toBe(0);
        expect(f.clientPopulationRtoCloudSeconds).toBeLessThanOrEqual(5);
        // The client recovers before the DNS-only population (which may not recover within the fault at all).
        expect(f.clientPopulationRtoSeconds).not.toBeNull();
        expect(f.dnsPopulationRtoSeconds ?? Infinity).toBeGreaterThan(
          f.clientPopulationRtoSeconds ?? Infinity,
        );
      }
      expect([f.clientPopulationDuplicates, f.dnsPopulationDuplicates]).toEqual([0, 0]);
      expect([f.clientPopulationLostOrders, f.dnsPopulationLostOrders]).toEqual([0, 0]);
      expect(f.clientPopulationOrdersAcknowledged).toBeGreaterThan(0);
      // The fenced zone took writes again within the fault (its promotion): orders refused before it are
      // counted apart, never after it.
      expect(f.clientPopulationWriterBackSeconds).not.toBeNull();
    });
  });
});
