import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectRecords } from '../../../chaos/history/store';
import { reportFixture } from './fixtures';

describe('drill records on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'drills-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeReport = (id: string, startedAt: string) => {
    mkdirSync(join(dir, id));
    writeFileSync(join(dir, id, 'report.json'), JSON.stringify(reportFixture({ id, startedAt })));
  };

  it('writes a record.json beside each report that has none, once, and lists them oldest first', () => {
    writeReport('b-drill', '2026-11-21T05:30:00.000Z');
    writeReport('a-drill', '2026-08-21T05:30:00.000Z');
    const first = collectRecords(dir);
    expect(first.records.map((r) => r.id)).toEqual(['a-drill', 'b-drill']);
    expect(first.created).toHaveLength(2);
    const written = JSON.parse(readFileSync(join(dir, 'b-drill', 'record.json'), 'utf8'));
    expect(written).toMatchObject({ schemaVersion: 1, id: 'b-drill', rto: { cloudSeconds: 94 } });
    const mtime = statSync(join(dir, 'b-drill', 'record.json')).mtimeMs;
    // Act again: records on disk are read, not rewritten.
    const second = collectRecords(dir);
    expect(second.created).toEqual([]);
    expect(second.records).toEqual(first.records);
    expect(statSync(join(dir, 'b-drill', 'record.json')).mtimeMs).toBe(mtime);
  });

  it('skips an unreadable report with the reason, and keeps the others', () => {
    writeReport('good', '2026-11-21T05:30:00.000Z');
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'report.json'), '{"id":"broken"}');
    const scan = collectRecords(dir);
    expect(scan.records.map((r) => r.id)).toEqual(['good']);
    expect(scan.problems).toEqual([expect.stringMatching(/broken[/\\]report.json is not a drill report/)]);
  });
});
