// A plain Node script (scripts/verify.sh runs it as is), so required, not imported.
const { drillWorkers, idleCores, MAX_DRILL_WORKERS } = require('../../scripts/drill-workers.js') as {
  drillWorkers: (idleCores: number) => number;
  idleCores: (
    before: { idle: number; total: number },
    after: { idle: number; total: number },
    cpuCount: number,
  ) => number;
  MAX_DRILL_WORKERS: number;
};

describe('scripts/drill-workers.js', () => {
  it('runs two drills at a time on an idle 2-core host, never more than the measured maximum', () => {
    // Arrange: 3 s on two cores, both idle but for a little bookkeeping
    const idle = idleCores({ idle: 0, total: 0 }, { idle: 5_800, total: 6_000 }, 2);

    // Act / Assert
    expect(idle).toBeCloseTo(1.93, 2);
    expect(drillWorkers(idle)).toBe(2);
    expect(drillWorkers(16)).toBe(MAX_DRILL_WORKERS);
  });

  it('runs one drill at a time when other work holds a core (contend.sh 1) or both (contend.sh 2)', () => {
    // Arrange: one busy loop leaves one core idle; two leave almost nothing
    const oneBusy = idleCores({ idle: 1_000, total: 2_000 }, { idle: 4_000, total: 8_000 }, 2);
    const twoBusy = idleCores({ idle: 1_000, total: 2_000 }, { idle: 1_150, total: 8_000 }, 2);

    // Act / Assert
    expect(oneBusy).toBeCloseTo(1, 2);
    expect(drillWorkers(oneBusy)).toBe(1);
    expect(drillWorkers(twoBusy)).toBe(1);
  });

  it('runs one drill, not none, when the sample is empty or the host has no idle time at all', () => {
    expect(idleCores({ idle: 5, total: 10 }, { idle: 5, total: 10 }, 2)).toBe(0);
    expect(drillWorkers(0)).toBe(1);
  });
});
