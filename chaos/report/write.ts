import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordFromReport } from '../history/from-report';
import { writeRecord } from '../history/store';
import { escapeHtml, renderHtml } from './html';
import { renderMarkdown } from './markdown';
import type { DrillReport } from './types';

/**
 * Writes `drills/<id>/{report.json,summary.md,report.html,record.json}` (the
 * record: chaos/history, the figures the history page charts) and refreshes the
 * index of past drills (`drills/index.md`, `drills/index.html`) from every
 * report.json found, so the index never disagrees with the reports.
 */

export const DEFAULT_DRILLS_DIR = 'drills';

/** `2026-11-21T05-30-00Z-region-failover`: sortable, safe in every file system. */
export function drillId(drill: string, at: Date): string {
  return `${at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-')}-${drill}`;
}

export function writeReport(report: DrillReport, drillsDir = DEFAULT_DRILLS_DIR): string {
  const dir = join(drillsDir, report.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'summary.md'), renderMarkdown(report));
  writeFileSync(join(dir, 'report.html'), renderHtml(report));
  // Derived from the report just written, through the same reader as an old report's: one mapping.
  writeRecord(drillsDir, recordFromReport(report, join(dir, 'report.json')));
  writeIndex(drillsDir);
  return dir;
}

interface IndexEntry {
  readonly id: string;
  readonly drill: string;
  readonly environment: string;
  readonly verdict: string;
  readonly rtoSeconds: number | undefined;
  readonly lostAcknowledgedWrites: number | undefined;
}

export function readIndex(drillsDir = DEFAULT_DRILLS_DIR): IndexEntry[] {
  if (!existsSync(drillsDir)) return [];
  return readdirSync(drillsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(drillsDir, entry.name, 'report.json')))
    .map((entry) => {
      const report = JSON.parse(
        readFileSync(join(drillsDir, entry.name, 'report.json'), 'utf8'),
      ) as DrillReport;
      return {
        id: report.id,
        drill: report.drill,
        environment: report.environment,
        verdict: report.verdict,
        rtoSeconds: report.figures.rtoSeconds,
        lostAcknowledgedWrites: report.figures.lostAcknowledgedWrites,
      };
    })
    .sort((a, b) => b.id.localeCompare(a.id));
}

export function writeIndex(drillsDir = DEFAULT_DRILLS_DIR): void {
  const entries = readIndex(drillsDir);
  const cell = (v: unknown) => (v === undefined ? '' : String(v));
  writeFileSync(
    join(drillsDir, 'index.md'),
    [
      '# Past drills',
      '',
      '| Drill | Environment | Verdict | RTO (s) | Lost acknowledged writes | Report |',
      '|---|---|---|---|---|---|',
      ...entries.map(
        (e) =>
          `| ${e.drill} | ${e.environment} | ${e.verdict} | ${cell(e.rtoSeconds)} | ${cell(e.lostAcknowledgedWrites)} | [${e.id}](${e.id}/summary.md) |`,
      ),
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(drillsDir, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Past drills</title>
<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}table{border-collapse:collapse}th,td{border:1px solid #cbd5e0;padding:4px 8px}</style></head><body>
<h1>Past drills</h1><table><tr><th>Drill</th><th>Environment</th><th>Verdict</th><th>RTO (s)</th><th>Lost acknowledged writes</th><th>Report</th></tr>
${entries
  .map(
    (e) =>
      `<tr><td>${escapeHtml(e.drill)}</td><td>${escapeHtml(e.environment)}</td><td>${escapeHtml(e.verdict)}</td><td>${cell(e.rtoSeconds)}</td><td>${cell(e.lostAcknowledgedWrites)}</td><td><a href="${encodeURIComponent(e.id)}/report.html">${escapeHtml(e.id)}</a></td></tr>`,
  )
  .join('\n')}
</table></body></html>
`,
  );
}
