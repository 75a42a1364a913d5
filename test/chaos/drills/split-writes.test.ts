import { drillByName } from '../../../chaos/drills';
import { HeldFault } from '../../../chaos/injectors/held-fault';
import { localDrillPlan } from '../../../chaos/local/plan';
import { runDrill } from '../../../chaos/orchestrator';
import type { LocalTopology } from '../../../local/topology';
import { DRILL_TEST_TIMEOUT_MS, drillProgress } from '../../support/drill-progress';
import { bootTestTopology } from '../../support/local-topology';
import { assessDrill } from '../../support/drill-assessment';

/** The split-writes drill, CI-sized (short phases, time scale 0.1), on its own topology. */
jest.setTimeout(DRILL_TEST_TIMEOUT_MS);

describe('split-writes drill (short)', () => {
  let topology: LocalTopology;
  beforeAll(async () => {
    topology = await bootTestTopology();
  });
  const progress = drillProgress();
  afterAll(() => {
    progress.printIfUnfinished();
    return topology?.stop();
  });

  it('writes on both sides of a split to the same items converge, and reconciliation keeps every invariant', async () => {
    // Act
    const plan = await localDrillPlan(topology, drillByName('split-writes'), {
      log: progress.log,
      zone: 'global',
      short: true,
      ratePerSecond: 1,
    });
    // The pause is held until both sides were written, however slow the host (run D under contention: the
    // short form's 5 s window ended first, and the primary's cancel replicated into the secondary).
    expect(plan.injectors.map((i) => i instanceof HeldFault)).toEqual([true]);
    const report = await runDrill({ ...plan, signal: progress.signal });
    progress.finished();
    await assessDrill(report, async () => {
      expect(report.abortReason).toBeUndefined();
      // Assess: every criterion met (a failed call of the split itself fails the fault-effective criterion).
      const failed = report.criteria.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
      expect(failed).toEqual([]);
      expect(report.verdict).toBe('pass');
      expect(report.figures.splitNeedsAPerson).toBe(0);
      // The merge alone lost one side's decrement (last writer wins per item): reconciliation corrected it.
      expect(report.figures.splitStockCorrected).toBeGreaterThanOrEqual(1);
      // The zone is fenced: the split came from a promotion while the cut-off primary failed static, and the
      // rollback failed back as a step (the primary is the only writer again).
      const fencing = topology.state().fencing?.global;
      expect(fencing?.changes.map((c) => c.on)).toEqual([['us-west-2'], ['us-east-1']]);
      expect(fencing?.writers).toEqual(['us-east-1']);
    });
  });
});
