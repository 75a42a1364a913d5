import { DRILL_RECORD_VERSION, type DrillRecord } from '../../../chaos/history/record';
import type { DrillReport } from '../../../chaos/report/types';

/** Quarterly drills over two years, AWS and local, as the history page would see them. */
export function fixtureRecords(): DrillRecord[] {
  const record = (
    startedAt: string,
    drill: string,
    environment: 'aws' | 'local',
    rto: number | null,
    failed: number,
    lost: number,
    verdict: DrillRecord['verdict'] = 'pass',
  ): DrillRecord => {
    const id = `${startedAt.replace(/:/g, '-')}-${drill}`;
    const timeScale = environment === 'local' ? 0.1 : 1;
    return {
      schemaVersion: DRILL_RECORD_VERSION,
      id,
      drill,
      environment,
      simulated: environment === 'local',
      startedAt,
      finishedAt: startedAt.replace(/T(\d\d)/, (_, h) => `T${String(Number(h) + 1).padStart(2, '0')}`),
      verdict,
      timeScale,
      rto: {
        measuredSeconds: rto === null ? null : rto * timeScale,
        cloudSeconds: rto,
        // A drill that does not fail over (replication pause) measures no RTO and predicts none.
        predictedCloudSeconds: rto === null ? null : 90,
      },
      requests: 12_000,
      failedRequests: failed,
      lostWrites: lost,
      rollback: 'ok',
      report: `${id}/report.html`,
    };
  };
  return [
    record('2025-02-18T09:00:00Z', 'region-failover', 'aws', 104, 212, 0, 'fail'),
    record('2025-05-20T09:00:00Z', 'region-failover', 'aws', 96, 171, 0),
    record('2025-08-19T09:00:00Z', 'region-failover', 'aws', 88, 140, 0),
    record('2025-08-19T11:00:00Z', 'failback', 'aws', 61, 35, 0),
    record('2025-11-18T09:00:00Z', 'region-failover', 'aws', 92, 150, 1, 'fail'),
    record('2026-02-17T09:00:00Z', 'region-failover', 'aws', 83, 118, 0),
    record('2026-05-19T09:00:00Z', 'replication-pause', 'local', null, 4, 0),
    record('2026-08-18T09:00:00Z', 'region-failover', 'aws', 79, 97, 0),
    record('2026-11-17T09:00:00Z', 'region-failover', 'aws', 81, 102, 0),
  ];
}

/** A report as chaos/report writes it (report.json is exactly a DrillReport). */
export function reportFixture(overrides: Partial<DrillReport> = {}): DrillReport {
  return {
    schemaVersion: 1,
    id: '2026-11-21T05-30-00Z-region-failover',
    drill: 'region-failover',
    title: 'Region failover',
    hypothesis: 'The secondary serves within the predicted RTO',
    environment: 'local',
    timeScale: 0.1,
    startedAt: '2026-11-21T05:30:00.000Z',
    finishedAt: '2026-11-21T05:31:10.000Z',
    faults: [],
    faultWindow: { startMs: 5000, endMs: 20_000 },
    figures: {
      rtoSeconds: 9.4,
      rtoCloudEquivalentSeconds: 94,
      predictedRtoSeconds: 9,
      predictedRtoCloudSeconds: 90,
      requests: 1480,
      failedRequests: 37,
      lostAcknowledgedWrites: 0,
    },
    criteria: [],
    verdict: 'pass',
    rollback: [{ fault: 'cell unhealthy', outcome: 'ok' }],
    timeline: [],
    events: [],
    notes: [],
    ...overrides,
  };
}
