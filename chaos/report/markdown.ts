import type { DrillFigures, DrillReport } from './types';

/** The Markdown summary an SRE files: hypothesis, fault, figures, verdict. */

const FIGURE_LABELS: Readonly<Record<string, string>> = {
  rtoSeconds: 'RTO measured (s)',
  rtoCloudEquivalentSeconds: 'RTO, cloud-equivalent (s)',
  predictedRtoSeconds: 'RTO predicted by the topology (s)',
  predictedRtoCloudSeconds: 'RTO predicted, cloud (s)',
  rpoMs: 'RPO: age of the oldest missing canary (ms)',
  replicationLagAtFaultMs: 'Replication lag at the fault (ms)',
  canaryWritesBeforeFault: 'Canary writes acknowledged before the fault',
  missingInSurvivor: 'Canaries missing in the surviving cell',
  acknowledgedWrites: 'Acknowledged writes (2xx)',
  lostAcknowledgedWrites: 'Lost acknowledged writes',
  errorsDuringFailover: 'Failed requests during failover',
  failbackSeconds: 'Failback: rollback to traffic on the original cell (s)',
  requests: 'Requests',
  failedRequests: 'Failed requests',
  p50Ms: 'Latency p50 (ms)',
  p99Ms: 'Latency p99 (ms)',
};

export function figureRows(figures: DrillFigures): [string, string][] {
  return Object.entries(figures)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [FIGURE_LABELS[key] ?? key, value === null ? 'n/a' : String(value)]);
}

const VERDICT_WORDS = { pass: 'PASS', fail: 'FAIL', aborted: 'ABORTED' } as const;

export function renderMarkdown(report: DrillReport): string {
  const lines = [
    `# Drill ${report.drill}: ${VERDICT_WORDS[report.verdict]}`,
    '',
    `- Id: \`${report.id}\``,
    `- Environment: ${report.environment}${report.environment === 'local' ? ` (SIMULATED infrastructure, time scale ${report.timeScale})` : ''}`,
    `- Started: ${report.startedAt}; finished: ${report.finishedAt}`,
    ...(report.abortReason ? [`- Aborted: ${report.abortReason}`] : []),
    '',
    '## Hypothesis',
    '',
    report.hypothesis,
    '',
    '## Fault',
    '',
    ...report.faults.map(
      (f) => `- ${f.fault} on ${f.target} (${f.mechanism}${f.simulated ? ', SIMULATED' : ''})`,
    ),
    report.faultWindow.startMs === undefined
      ? '- Not injected (the drill stopped before the fault)'
      : `- Window: ${(report.faultWindow.startMs / 1000).toFixed(1)} s to ${report.faultWindow.endMs === undefined ? 'end' : `${(report.faultWindow.endMs / 1000).toFixed(1)} s`} after load start`,
    '',
    '## Figures',
    '',
    '| Figure | Value |',
    '|---|---|',
    ...figureRows(report.figures).map(([label, value]) => `| ${label} | ${value} |`),
    '',
    '## Verdict',
    '',
    '| Check | Result | Detail |',
    '|---|---|---|',
    ...report.criteria.map((c) => `| ${c.name} | ${c.ok ? 'ok' : 'FAILED'} | ${c.detail} |`),
    '',
    '## Rollback',
    '',
    ...report.rollback.map((r) => `- ${r.fault}: ${r.outcome}`),
    '',
    '## Timeline',
    '',
    ...report.events.map((e) => `- ${(e.atMs / 1000).toFixed(1)} s: ${e.label}`),
    ...(report.notes.length > 0 ? ['', '## Notes', '', ...report.notes.map((n) => `- ${n}`)] : []),
    '',
    'The HTML page beside this file charts success rate, latency and the serving cell per second.',
    '',
  ];
  return lines.join('\n');
}
