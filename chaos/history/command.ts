import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { renderHistoryPage } from './page';
import { archiveDrills, type S3Target, s3TargetSchema } from './s3-archive';
import { collectRecords } from './store';

/**
 * `npm run drill -- history`: a record per drill report (drills/<id>/record.json,
 * derived from report.json where an older report has none), then
 * drills/history.html with each drill's RTO, failed requests and lost writes
 * over time. With --s3, every report and record is also archived to a bucket
 * (write-once) with the page beside them.
 */

export const HISTORY_USAGE = `usage: npm run drill -- history [--out drills] [--s3 s3://<bucket>[/<prefix>]] [--s3-region <region>]
Exit code 0 when the page is written (and the upload succeeded), 1 on a failed upload, 2 on bad input.`;

export const awsRegionSchema = z
  .string()
  .regex(/^[a-z]{2,4}(-[a-z]+)+-\d+$/, 'a region name such as eu-central-1');

const historyArgsSchema = z.strictObject({
  out: z.string().min(1).default('drills'),
  s3: s3TargetSchema.optional(),
  's3-region': awsRegionSchema.optional(),
});

/**
 * An S3 client for an audit bucket: the region given, else the environment's,
 * else us-east-1; S3 redirects to the bucket's own region, and the client
 * follows (so the region is a hint, never a reason to fail).
 */
export function auditBucketClient(region: string | undefined): S3Client {
  return new S3Client({
    region: region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    followRegionRedirects: true,
  });
}

export interface HistoryDependencies {
  readonly s3?: (region: string | undefined) => S3Client;
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
}

export async function historyCommand(
  args: readonly string[],
  deps: HistoryDependencies = {},
): Promise<number> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const error = deps.error ?? ((line: string) => console.error(line));
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...args],
      options: {
        out: { type: 'string' },
        s3: { type: 'string' },
        's3-region': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    error((e as Error).message);
    error(HISTORY_USAGE);
    return 2;
  }
  const { help, ...rest } = values;
  if (help) {
    log(HISTORY_USAGE);
    return 0;
  }
  const parsed = historyArgsSchema.safeParse(rest);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) error(`--${issue.path.join('.')}: ${issue.message}`);
    error(HISTORY_USAGE);
    return 2;
  }
  const drillsDir = resolve(parsed.data.out);
  const scan = collectRecords(drillsDir);
  for (const problem of scan.problems) error(`skipped: ${problem}`);
  for (const path of scan.created) log(`record written: ${path}`);
  const page = join(drillsDir, 'history.html');
  writeFileSync(page, renderHistoryPage(scan.records));
  log(`${page}: ${scan.records.length} drill(s)`);
  if (!parsed.data.s3) return 0;
  const client = (deps.s3 ?? auditBucketClient)(parsed.data['s3-region']);
  return archive(
    client,
    parsed.data.s3,
    drillsDir,
    scan.records.map((r) => r.id),
    page,
    { log, error },
  );
}

/** Archives the given drills (and the page, if any); 0 when every upload went through, 1 otherwise. */
export async function archive(
  client: S3Client,
  target: S3Target,
  drillsDir: string,
  ids: readonly string[],
  historyPage: string | undefined,
  out: { readonly log: (line: string) => void; readonly error: (line: string) => void },
): Promise<number> {
  try {
    const result = await archiveDrills(client, target, drillsDir, ids, historyPage);
    out.log(
      `s3://${target.bucket}/${target.prefix}: ${result.uploaded.length} file(s) uploaded, ${result.alreadyArchived.length} already archived (kept as they were)`,
    );
    return 0;
  } catch (e) {
    out.error((e as Error).message);
    return 1;
  }
}
