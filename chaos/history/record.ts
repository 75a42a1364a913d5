import { z } from 'zod';

/**
 * The drill record: the few figures an SRE files every quarter, one per drill
 * report (drills/<id>/record.json), machine-readable and versioned so that
 * this quarter can be charted beside the last ones, the way ARC Region switch
 * keeps the actual recovery time of each execution. Figures a drill did not
 * measure are null, never 0.
 */

export const DRILL_RECORD_VERSION = 1;
export const RECORD_FILE = 'record.json';

const seconds = z.number().nonnegative().nullable();
const count = z.number().int().nonnegative().nullable();

export const drillRecordSchema = z.strictObject({
  schemaVersion: z.literal(DRILL_RECORD_VERSION),
  /** The report id (`<timestamp>-<drill>`), also its directory under drills/. */
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a report id such as 2026-11-21T05-30-00Z-region-failover'),
  drill: z.string().min(1),
  environment: z.enum(['local', 'aws']),
  /** Local drills run on stand-ins of the infrastructure: their figures are SIMULATED. */
  simulated: z.boolean(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  /** `inconclusive`: nothing failed for certain, but a check could not be decided within its bound. */
  verdict: z.enum(['pass', 'fail', 'inconclusive', 'aborted']),
  /** Local time scale (0.1: 10 s in the cloud is 1 s here); 1 on AWS. */
  timeScale: z.number().positive(),
  rto: z.strictObject({
    /** As measured on the drill's own clock (scaled locally). */
    measuredSeconds: seconds,
    /** In cloud time: what the history charts, so local and AWS drills share one axis. */
    cloudSeconds: seconds,
    /** What the topology predicts (health checks x threshold + DNS TTL), in cloud time. */
    predictedCloudSeconds: seconds,
  }),
  requests: count,
  failedRequests: count,
  /** Acknowledged writes that were not readable afterwards. */
  lostWrites: count,
  rollback: z.enum(['ok', 'failed', 'none']),
  /** Where the full report is, relative to the drills directory. */
  report: z.string().min(1),
});

export type DrillRecord = z.output<typeof drillRecordSchema>;

export function parseDrillRecord(value: unknown, source: string): DrillRecord {
  const parsed = drillRecordSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `${source} is not a drill record (v${DRILL_RECORD_VERSION}): ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}
