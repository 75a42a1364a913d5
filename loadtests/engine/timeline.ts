import { z } from 'zod';
import { bucketize, type SecondBucket } from '../runner';
import { FLOW_DURATION_METRIC } from '../k6/options';

/**
 * The clients' view of a run, second by second: every generator also writes a
 * per-request timeline, and the drill merges them onto its own clock. This is
 * what a drill's measured RTO is computed from (the first window in which the
 * clients were served by another cell), so it is the clients' experience, not
 * a health check's.
 *
 * Two producers, one row shape:
 *  - k6 tasks (AWS): `k6 run` with K6_OUT=csv=<results>/timeline.csv.gz and
 *    K6_CSV_TIME_FORMAT=unix_milli (set by the engine through RunTask's
 *    environment). k6 writes one CSV row per metric sample; the row of
 *    FLOW_DURATION_METRIC (loadtests/k6/flow-runner.ts) carries, per request,
 *    the latency (value), the outcome (tag `ok`) and the cell that answered
 *    (tags `zone`, `region` from x-served-by). k6 stamps a custom sample when
 *    it is added, after the response: start = timestamp - latency.
 *  - local load processes: NDJSON written by loadtests/engine/local-worker.ts
 *    from the runner's own samples.
 * Why not handleSummary: it only sees end-of-test aggregates, and a k6
 * counter per second cannot be declared ahead of a run of unknown length.
 */

/** One request of one generator. */
export interface TimelineRow {
  /** When the request started (epoch milliseconds). */
  readonly startEpochMs: number;
  readonly ok: boolean;
  readonly latencyMs: number;
  /** `zone/region` from x-served-by, or `unknown`. */
  readonly servedBy: string;
  readonly step: string;
  /** HTTP status, when the generator knows it (the Node runner); 0 is a transport error. */
  readonly status?: number;
}

export interface TaskTimeline {
  readonly taskId: string;
  readonly region: string;
  readonly rows: readonly TimelineRow[];
}

/** The file a k6 task writes beside its summary (gzip: k6 compresses a name ending in .gz). */
export const K6_TIMELINE_FILE = 'timeline.csv.gz';
/** The file a local load process writes beside its summary. */
export const LOCAL_TIMELINE_FILE = 'timeline.ndjson';

/** k6's environment for the timeline: an output and its timestamp resolution. */
export function k6TimelineEnvironment(resultsDir: string): Record<string, string> {
  return { K6_OUT: `csv=${resultsDir}/${K6_TIMELINE_FILE}`, K6_CSV_TIME_FORMAT: 'unix_milli' };
}

/** Minimal CSV field splitter (RFC 4180 quoting, as Go's encoding/csv writes it) for one line. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** `step=checkout&zone=global&region=us-east-1` (k6's extra_tags column) as a map. */
function parseExtraTags(value: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of value.split('&')) {
    const at = pair.indexOf('=');
    if (at > 0) tags[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return tags;
}

/**
 * The timeline rows of a k6 CSV output (already decompressed). Only
 * FLOW_DURATION_METRIC rows are read; columns are found by the header, since
 * k6 inserts one column per enabled system tag. Throws on a file that is not
 * a k6 CSV with millisecond timestamps.
 */
export function parseK6TimelineCsv(text: string, source: string): TimelineRow[] {
  const newline = text.indexOf('\n');
  const header = splitCsvLine((newline < 0 ? text : text.slice(0, newline)).trim());
  const column = (name: string) => header.indexOf(name);
  const [nameAt, timeAt, valueAt, extraAt] = [
    column('metric_name'),
    column('timestamp'),
    column('metric_value'),
    column('extra_tags'),
  ];
  if (nameAt !== 0 || timeAt < 0 || valueAt < 0 || extraAt < 0) {
    throw new Error(
      `${source} is not a k6 CSV output (header: ${header.slice(0, 5).join(',')}...); expected metric_name,timestamp,metric_value,...,extra_tags`,
    );
  }
  const rows: TimelineRow[] = [];
  const prefix = `${FLOW_DURATION_METRIC},`;
  let start = newline + 1;
  while (start > 0 && start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? undefined : end);
    start = end < 0 ? text.length : end + 1;
    // Most rows are other metrics: skip them before splitting.
    if (!line.startsWith(prefix)) continue;
    const fields = splitCsvLine(line.trimEnd());
    const completedEpochMs = Number(fields[timeAt]);
    const latencyMs = Number(fields[valueAt]);
    // unix (seconds) stamps are ~1.7e9, unix_milli ~1.7e12: refuse the wrong resolution rather than misplace rows.
    if (!Number.isFinite(completedEpochMs) || completedEpochMs < 1e11 || !Number.isFinite(latencyMs)) {
      throw new Error(
        `${source}: ${FLOW_DURATION_METRIC} row with timestamp "${fields[timeAt]}" and value "${fields[valueAt]}"; the engine sets K6_CSV_TIME_FORMAT=unix_milli`,
      );
    }
    const tags = parseExtraTags(fields[extraAt] ?? '');
    const served =
      tags.zone && tags.region && tags.region !== 'unknown' ? `${tags.zone}/${tags.region}` : 'unknown';
    rows.push({
      startEpochMs: completedEpochMs - latencyMs,
      ok: tags.ok === 'true',
      latencyMs,
      servedBy: served,
      step: tags.step ?? 'unknown',
    });
  }
  return rows;
}

const localRowSchema = z.tuple([
  z.number(),
  z.union([z.literal(0), z.literal(1)]),
  z.number().nonnegative(),
  z.string(),
  z.string(),
  z.number().int(),
]);

/** A local process's timeline as NDJSON: `[startEpochMs, ok 0|1, latencyMs, servedBy, step, status]` per line. */
export function formatLocalTimeline(rows: readonly TimelineRow[]): string {
  return rows
    .map(
      (r) =>
        `${JSON.stringify([Math.round(r.startEpochMs * 1000) / 1000, r.ok ? 1 : 0, Math.round(r.latencyMs * 1000) / 1000, r.servedBy, r.step, r.status ?? 0])}\n`,
    )
    .join('');
}

export function parseLocalTimeline(text: string, source: string): TimelineRow[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, index) => {
      const parsed = localRowSchema.safeParse(JSON.parse(line));
      if (!parsed.success)
        throw new Error(`${source}:${index + 1}: not a timeline row: ${line.slice(0, 80)}`);
      const [startEpochMs, ok, latencyMs, servedBy, step, status] = parsed.data;
      return { startEpochMs, ok: ok === 1, latencyMs, servedBy, step, status };
    });
}

export interface MergedTimeline {
  /** Every generator's requests per second of the drill's clock. */
  readonly overall: readonly SecondBucket[];
  /** The same, per load region. */
  readonly byRegion: Readonly<Record<string, readonly SecondBucket[]>>;
  /** Requests that started before the origin (never expected: the drill's clock starts with the load). */
  readonly beforeOrigin: number;
  readonly requests: number;
}

/**
 * Merges generators' timelines onto one clock: second n holds the requests
 * that started in [origin + n s, origin + n+1 s). Counts, successes and the
 * serving cell add up; latency percentiles are taken over the second's rows.
 */
export function mergeTimelines(timelines: readonly TaskTimeline[], originEpochMs: number): MergedTimeline {
  const asSamples = (rows: readonly TimelineRow[]) =>
    rows
      .filter((r) => r.startEpochMs >= originEpochMs)
      .map((r) => ({
        atMs: r.startEpochMs - originEpochMs,
        step: r.step,
        status: r.status ?? (r.ok ? 200 : 0),
        ok: r.ok,
        latencyMs: r.latencyMs,
        servedBy: r.servedBy,
      }));
  const all = timelines.flatMap((t) => t.rows);
  const overallSamples = asSamples(all);
  const last = overallSamples.reduce((max, s) => Math.max(max, Math.floor(s.atMs / 1000)), -1);
  const byRegion: Record<string, SecondBucket[]> = {};
  for (const region of [...new Set(timelines.map((t) => t.region))].sort()) {
    byRegion[region] = bucketize(
      asSamples(timelines.filter((t) => t.region === region).flatMap((t) => t.rows)),
      last,
    );
  }
  return {
    overall: bucketize(overallSamples, last),
    byRegion,
    beforeOrigin: all.length - overallSamples.length,
    requests: all.length,
  };
}
