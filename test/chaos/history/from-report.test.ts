import { recordFromReport } from '../../../chaos/history/from-report';
import { parseDrillRecord } from '../../../chaos/history/record';
import { reportFixture } from './fixtures';

describe('drill records from reports', () => {
  it('takes the RTO in cloud time, the failed requests and the lost writes; local runs are SIMULATED', () => {
    const record = recordFromReport(reportFixture(), 'report.json');
    expect(record).toMatchObject({
      schemaVersion: 1,
      id: '2026-11-21T05-30-00Z-region-failover',
      environment: 'local',
      simulated: true,
      rto: { measuredSeconds: 9.4, cloudSeconds: 94, predictedCloudSeconds: 90 },
      failedRequests: 37,
      lostWrites: 0,
      rollback: 'ok',
      report: '2026-11-21T05-30-00Z-region-failover/report.html',
    });
  });

  it('scales a local RTO back when the report has no cloud figure; keeps unmeasured figures null, not 0', () => {
    const record = recordFromReport(
      reportFixture({
        figures: { rtoSeconds: 8, predictedRtoSeconds: 9 },
        rollback: [{ fault: 'x', outcome: 'AccessDenied' }],
      }),
      'report.json',
    );
    expect(record.rto).toEqual({ measuredSeconds: 8, cloudSeconds: 80, predictedCloudSeconds: 90 });
    expect(record.failedRequests).toBeNull();
    expect(record.lostWrites).toBeNull();
    expect(record.rollback).toBe('failed');
  });

  it('says which file is not a report, and rejects a record of another version', () => {
    expect(() => recordFromReport({ id: 'x' }, 'drills/x/report.json')).toThrow(
      /drills\/x\/report.json is not a drill report/,
    );
    const record = recordFromReport(reportFixture({ environment: 'aws', timeScale: 1 }), 'r');
    expect(record.simulated).toBe(false);
    expect(() => parseDrillRecord({ ...record, schemaVersion: 2 }, 'record.json')).toThrow(
      /record.json is not a drill record \(v1\): schemaVersion/,
    );
  });
});
