import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { renderHistoryPage } from '../chaos/history/page';
import { archiveDrills, s3TargetSchema } from '../chaos/history/s3-archive';
import { collectRecords } from '../chaos/history/store';

/**
 * `npm run drill:history`: a record per drill report (drills/<id>/record.json,
 * derived from report.json where missing), then drills/history.html with
 * each drill's RTO, failed requests and lost writes over time. With --s3,
 * the reports and records are also archived to a bucket (write-once).
 * Standalone for now; the drill CLI will offer it as `npm run drill -- history`.
 */

const USAGE = `usage: npm run drill:history -- [--drills-dir drills] [--out drills/history.html]
  [--s3 s3://<bucket>[/<prefix>] [--region <bucket region>]]
Exit code 0 when the page is written (and the upload succeeded), 1 on a failed upload, 2 on bad input.`;

const argsSchema = z.strictObject({
  'drills-dir': z.string().min(1).default('drills'),
  out: z.string().min(1).optional(),
  s3: s3TargetSchema.optional(),
  region: z
    .string()
    .regex(/^[a-z]{2,4}(-[a-z]+)+-\d+$/, 'a region name such as eu-central-1')
    .optional(),
});

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'drills-dir': { type: 'string' },
      out: { type: 'string' },
      s3: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { help, ...rest } = values;
  if (help) {
    console.log(USAGE);
    return 0;
  }
  const parsed = argsSchema.safeParse(rest);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`--${issue.path.join('.')}: ${issue.message}`);
    console.error(USAGE);
    return 2;
  }
  const args = parsed.data;
  const drillsDir = resolve(args['drills-dir']);
  const scan = collectRecords(drillsDir);
  for (const problem of scan.problems) console.error(`skipped: ${problem}`);
  for (const path of scan.created) console.log(`record written: ${path}`);
  const out = resolve(args.out ?? join(drillsDir, 'history.html'));
  writeFileSync(out, renderHistoryPage(scan.records));
  console.log(`${out}: ${scan.records.length} drill(s)`);
  if (args.s3) {
    const region = args.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) {
      console.error('--region: give the bucket region (or set AWS_REGION) to upload to S3');
      return 2;
    }
    try {
      const result = await archiveDrills(
        new S3Client({ region }),
        args.s3,
        drillsDir,
        scan.records.map((r) => r.id),
        out,
      );
      console.log(
        `s3://${args.s3.bucket}/${args.s3.prefix}: ${result.uploaded.length} file(s) uploaded, ${result.alreadyArchived.length} already archived (kept as they were)`,
      );
    } catch (error) {
      console.error((error as Error).message);
      return 1;
    }
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(2);
  },
);
