import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import type { ResidencyReport } from './residency-report';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Write the report's files into `outDir`; returns the paths written. */
export function writeResidencyReport(report: ResidencyReport, outDir: string): string[] {
  mkdirSync(join(outDir, 'scp'), { recursive: true });
  const files: [string, string][] = [
    ['residency-report.json', json(report)],
    ['residency-report.md', renderMarkdown(report)],
    ['residency-report.html', renderHtml(report)],
    ...Object.entries(report.serviceControlPolicies.byZone).map(([zone, policy]): [string, string] => [
      join('scp', `zone-${zone}.json`),
      json(policy),
    ]),
    ...report.serviceControlPolicies.byAccount.map((a): [string, string] => [
      join('scp', `account-${a.account}.json`),
      json(a.policy),
    ]),
  ];
  return files.map(([name, text]) => {
    const path = join(outDir, name);
    writeFileSync(path, text);
    return path;
  });
}
