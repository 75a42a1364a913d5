import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { RECORD_FILE } from './record';

/**
 * Copies drill reports and records to an S3 bucket for audit. Each drill's
 * files are written once (If-None-Match: *): an archived record is never
 * replaced, a second upload of the same drill is reported as already
 * archived. The history page is derived from the records and is replaced on
 * every upload.
 */

export const s3TargetSchema = z
  .string()
  .regex(
    /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/,
    'must be s3://<bucket>[/<prefix>], e.g. s3://acme-drill-audit/commerce',
  )
  .transform((url) => {
    const [bucket, ...rest] = url.slice('s3://'.length).split('/');
    const prefix = rest.join('/').replace(/\/+$/, '');
    return { bucket: bucket!, prefix: prefix ? `${prefix}/` : '' };
  });
export type S3Target = z.output<typeof s3TargetSchema>;

/** The files of a drill directory worth archiving, in this order. */
export const ARCHIVED_FILES = [RECORD_FILE, 'report.json', 'summary.md', 'report.html'] as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

export interface ArchiveResult {
  readonly uploaded: readonly string[];
  readonly alreadyArchived: readonly string[];
}

const isPreconditionFailed = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412;
};

export async function archiveDrills(
  client: S3Client,
  target: S3Target,
  drillsDir: string,
  ids: readonly string[],
  historyPage?: string,
): Promise<ArchiveResult> {
  const uploaded: string[] = [];
  const alreadyArchived: string[] = [];
  const put = async (key: string, path: string, writeOnce: boolean) => {
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: key,
          Body: readFileSync(path),
          ContentType: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
          ...(writeOnce ? { IfNoneMatch: '*' } : {}),
        }),
      );
      uploaded.push(key);
    } catch (error) {
      if (writeOnce && isPreconditionFailed(error)) alreadyArchived.push(key);
      else
        throw new Error(
          `upload of ${path} to s3://${target.bucket}/${key} failed: ${(error as Error).message}`,
        );
    }
  };
  for (const id of ids) {
    for (const file of ARCHIVED_FILES) {
      const path = join(drillsDir, id, file);
      if (existsSync(path)) await put(`${target.prefix}${id}/${file}`, path, true);
    }
  }
  if (historyPage) await put(`${target.prefix}history.html`, historyPage, false);
  return { uploaded, alreadyArchived };
}
