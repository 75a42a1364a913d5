import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordFromReport } from './from-report';
import { type DrillRecord, parseDrillRecord, RECORD_FILE } from './record';

/**
 * Drill records on disk: drills/<id>/record.json beside each report. A report
 * without a record (written before records existed) gets one derived from its
 * report.json, written once; a record already on disk is never rewritten.
 */

export const REPORT_FILE = 'report.json';

export function writeRecord(drillsDir: string, record: DrillRecord): string {
  const path = join(drillsDir, record.id, RECORD_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}

export interface RecordScan {
  /** Oldest first. */
  readonly records: readonly DrillRecord[];
  /** Records written by this scan (derived from a report). */
  readonly created: readonly string[];
  /** Directories skipped, with the reason (an unreadable report must not hide the others). */
  readonly problems: readonly string[];
}

export function collectRecords(drillsDir: string): RecordScan {
  if (!existsSync(drillsDir)) return { records: [], created: [], problems: [] };
  const records: DrillRecord[] = [];
  const created: string[] = [];
  const problems: string[] = [];
  for (const entry of readdirSync(drillsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(drillsDir, entry.name);
    const recordPath = join(dir, RECORD_FILE);
    const reportPath = join(dir, REPORT_FILE);
    try {
      if (existsSync(recordPath)) {
        records.push(parseDrillRecord(JSON.parse(readFileSync(recordPath, 'utf8')), recordPath));
      } else if (existsSync(reportPath)) {
        const record = recordFromReport(JSON.parse(readFileSync(reportPath, 'utf8')), reportPath);
        created.push(writeRecord(drillsDir, record));
        records.push(record);
      }
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  records.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  return { records, created, problems };
}
