import { z } from 'zod';
import { DRILL_RECORD_VERSION, type DrillRecord, parseDrillRecord } from './record';

/**
 * A drill record from a drill report (drills/<id>/report.json, written by
 * chaos/report). Read through its own schema rather than the report's
 * TypeScript type: report.json is a file on disk, possibly from an older
 * version, so it is validated at this edge and only the fields the record
 * needs are required.
 */

const figure = z.number().nullable().optional();

export const drillReportFileSchema = z.looseObject({
  id: z.string().min(1),
  drill: z.string().min(1),
  environment: z.enum(['local', 'aws']),
  timeScale: z.number().positive(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  verdict: z.enum(['pass', 'fail', 'inconclusive', 'aborted']),
  rollback: z.array(z.looseObject({ fault: z.string(), outcome: z.string() })).default([]),
  figures: z.looseObject({
    rtoSeconds: figure,
    rtoCloudEquivalentSeconds: figure,
    predictedRtoSeconds: figure,
    predictedRtoCloudSeconds: figure,
    requests: figure,
    failedRequests: figure,
    lostAcknowledgedWrites: figure,
  }),
});

const orNull = (value: number | null | undefined): number | null => (value === undefined ? null : value);

export function recordFromReport(file: unknown, source: string): DrillRecord {
  const parsed = drillReportFileSchema.safeParse(file);
  if (!parsed.success) {
    throw new Error(
      `${source} is not a drill report: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const report = parsed.data;
  const f = report.figures;
  const measured = orNull(f.rtoSeconds);
  // Cloud time: what the report computed, else the measurement scaled back (1 on AWS).
  const cloud =
    orNull(f.rtoCloudEquivalentSeconds) ?? (measured === null ? null : measured / report.timeScale);
  const predicted =
    orNull(f.predictedRtoCloudSeconds) ??
    (f.predictedRtoSeconds === undefined || f.predictedRtoSeconds === null
      ? null
      : f.predictedRtoSeconds / report.timeScale);
  return parseDrillRecord(
    {
      schemaVersion: DRILL_RECORD_VERSION,
      id: report.id,
      drill: report.drill,
      environment: report.environment,
      simulated: report.environment === 'local',
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
      verdict: report.verdict,
      timeScale: report.timeScale,
      rto: { measuredSeconds: measured, cloudSeconds: cloud, predictedCloudSeconds: predicted },
      requests: orNull(f.requests),
      failedRequests: orNull(f.failedRequests),
      lostWrites: orNull(f.lostAcknowledgedWrites),
      rollback:
        report.rollback.length === 0
          ? 'none'
          : report.rollback.every((r) => r.outcome === 'ok')
            ? 'ok'
            : 'failed',
      report: `${report.id}/report.html`,
    },
    source,
  );
}
