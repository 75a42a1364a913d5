import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { archiveDrills, s3TargetSchema } from '../../../chaos/history/s3-archive';

const s3 = mockClient(S3Client);

describe('archiving drills to S3 (SDK v3 call shapes)', () => {
  let dir: string;
  beforeEach(() => {
    s3.reset();
    dir = mkdtempSync(join(tmpdir(), 'drills-'));
    mkdirSync(join(dir, 'd1'));
    writeFileSync(join(dir, 'd1', 'record.json'), '{"id":"d1"}');
    writeFileSync(join(dir, 'd1', 'report.html'), '<html></html>');
    writeFileSync(join(dir, 'history.html'), '<html>history</html>');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses s3://bucket/prefix and refuses anything else', () => {
    expect(s3TargetSchema.parse('s3://acme-drill-audit/commerce/prod/')).toEqual({
      bucket: 'acme-drill-audit',
      prefix: 'commerce/prod/',
    });
    expect(s3TargetSchema.parse('s3://acme-drill-audit')).toEqual({ bucket: 'acme-drill-audit', prefix: '' });
    expect(s3TargetSchema.safeParse('https://acme/x').success).toBe(false);
  });

  it('writes each drill file once (If-None-Match: *) and replaces the history page', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    const result = await archiveDrills(
      new S3Client({ region: 'eu-central-1' }),
      { bucket: 'acme-drill-audit', prefix: 'commerce/' },
      dir,
      ['d1'],
      join(dir, 'history.html'),
    );
    const calls = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.Bucket, c.Key, c.ContentType, c.IfNoneMatch])).toEqual([
      ['acme-drill-audit', 'commerce/d1/record.json', 'application/json', '*'],
      ['acme-drill-audit', 'commerce/d1/report.html', 'text/html; charset=utf-8', '*'],
      ['acme-drill-audit', 'commerce/history.html', 'text/html; charset=utf-8', undefined],
    ]);
    expect(Buffer.from(calls[0]!.Body as Buffer).toString()).toBe('{"id":"d1"}');
    expect(result.uploaded).toHaveLength(3);
  });

  it('keeps an already archived record as it is (412) and fails loudly on any other error', async () => {
    const preconditionFailed = new S3ServiceException({
      name: 'PreconditionFailed',
      $fault: 'client',
      $metadata: { httpStatusCode: 412 },
      message: 'At least one of the pre-conditions you specified did not hold',
    });
    s3.on(PutObjectCommand, { Key: 'd1/record.json' }).rejects(preconditionFailed);
    s3.on(PutObjectCommand, { Key: 'd1/report.html' }).resolves({});
    const result = await archiveDrills(
      new S3Client({ region: 'eu-central-1' }),
      { bucket: 'b', prefix: '' },
      dir,
      ['d1'],
    );
    expect(result).toEqual({ uploaded: ['d1/report.html'], alreadyArchived: ['d1/record.json'] });

    s3.reset();
    s3.on(PutObjectCommand).rejects(new Error('AccessDenied'));
    await expect(
      archiveDrills(new S3Client({ region: 'eu-central-1' }), { bucket: 'b', prefix: '' }, dir, ['d1']),
    ).rejects.toThrow(/upload of .*record.json to s3:\/\/b\/d1\/record.json failed: AccessDenied/);
  });
});
