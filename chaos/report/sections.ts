import type { DrillLoad } from '../../loadtests/engine/drill-load';
import type { LoadScopeResult, PercentileEstimate } from '../../loadtests/engine/merge';
import { outcomeWord } from '../metrics';
import { figureRows } from './figures';
import type { DrillReport } from './types';

/**
 * What a drill report says, once, as sections of plain text; summary.md and
 * report.html render the same sections (html.ts adds the timeline chart), so
 * the page cannot drop a note, a caveat or a rollback outcome the summary has.
 */

export type ReportBlock =
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | {
      readonly kind: 'table';
      readonly header: readonly string[];
      readonly rows: readonly (readonly string[])[];
      /** Per row: `ok`, `bad` or `unknown`, for colouring outcomes. */
      readonly rowStates?: readonly ('ok' | 'bad' | 'unknown')[];
    }
  /** The per-second chart (HTML only; the summary points at it). */
  | { readonly kind: 'chart' };

export interface ReportSection {
  readonly title: string;
  readonly blocks: readonly ReportBlock[];
}

export const VERDICT_WORDS = {
  pass: 'PASS',
  fail: 'FAIL',
  inconclusive: 'INCONCLUSIVE',
  aborted: 'ABORTED',
} as const;

export function reportTitle(report: DrillReport): string {
  return `Drill ${report.drill}: ${VERDICT_WORDS[report.verdict]}`;
}

/** Id, environment, times, abort reason: the lines under the title. */
export function reportFacts(report: DrillReport): string[] {
  return [
    `Id: ${report.id}`,
    `Environment: ${report.environment}${report.environment === 'local' ? ` (SIMULATED infrastructure, time scale ${report.timeScale})` : ''}`,
    `Started: ${report.startedAt}; finished: ${report.finishedAt}`,
    ...(report.abortReason ? [`Aborted: ${report.abortReason}`] : []),
  ];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const percentileCell = (e: PercentileEstimate | undefined) =>
  e ? (e.lowerMs === e.upperMs ? `${e.valueMs}` : `${e.valueMs} (${e.lowerMs}-${e.upperMs})`) : 'n/a';

/** The load of several generators: each one, each region, and merged (counts add up; percentiles are intervals). */
export function loadSection(load: DrillLoad): ReportSection {
  const { result } = load;
  const row = (kind: string, s: LoadScopeResult): string[] => [
    kind,
    s.scope,
    String(s.requests),
    String(s.failures),
    `${(s.errorRate * 100).toFixed(2)}%`,
    String(s.throughputRps),
    percentileCell(s.latencyMs.p50),
    percentileCell(s.latencyMs.p95),
    percentileCell(s.latencyMs.p99),
  ];
  const scopes: [string, LoadScopeResult][] = [
    ...result.tasks.map((t): [string, LoadScopeResult] => ['generator', t]),
    ...result.regions.map((r): [string, LoadScopeResult] => ['region', r]),
    ['merged', result.overall],
  ];
  const rto = load.regionRtoSeconds;
  return {
    title: 'Load',
    blocks: [
      {
        kind: 'paragraph',
        text: `${load.engine}, run ${load.runId}, profile ${load.profile} (${load.end}); ${result.tasks.length} generator(s). Latency in ms; a merged percentile is an interval that holds the true value, shown by its upper end. Timeline: ${load.timelineSource}.`,
      },
      {
        kind: 'table',
        header: ['Scope', 'Name', 'Requests', 'Failed', 'Error rate', 'Req/s', 'p50', 'p95', 'p99'],
        rows: scopes.map(([kind, scope]) => row(kind, scope)),
      },
      {
        kind: 'list',
        items: [
          ...result.overall.thresholds.map(
            (t) =>
              `threshold ${t.name} ${t.actual ?? 'n/a'} < ${t.limit}: ${t.ok === true ? 'ok' : t.ok === false ? 'FAILED' : 'undecided'}`,
          ),
          ...(rto
            ? Object.entries(rto).map(
                ([region, value]) =>
                  `RTO seen by the clients in ${region}: ${value === null ? 'not recovered' : `${value} s`}`,
              )
            : []),
          ...result.missing.map((m) => `MISSING ${m.taskId}: ${m.reason}`),
          ...load.problems.map((p) => `problem: ${p}`),
        ],
      },
    ],
  };
}

export function reportSections(report: DrillReport): ReportSection[] {
  const { faultWindow, host } = report;
  return [
    { title: 'Hypothesis', blocks: [{ kind: 'paragraph', text: report.hypothesis }] },
    {
      title: 'Fault',
      blocks: [
        {
          kind: 'list',
          items: [
            ...report.faults.map(
              (f) => `${f.fault} on ${f.target} (${f.mechanism}${f.simulated ? ', SIMULATED' : ''})`,
            ),
            faultWindow.startMs === undefined
              ? 'Not injected (the drill stopped before the fault)'
              : `Window: ${seconds(faultWindow.startMs)} to ${faultWindow.endMs === undefined ? 'end' : seconds(faultWindow.endMs)} after load start`,
          ],
        },
      ],
    },
    {
      title: 'Figures',
      blocks: [{ kind: 'table', header: ['Figure', 'Value'], rows: figureRows(report.figures) }],
    },
    {
      title: 'Verdict',
      blocks: [
        {
          kind: 'table',
          header: ['Check', 'Result', 'Detail'],
          rows: report.criteria.map((c) => [c.name, outcomeWord(c), c.detail]),
          rowStates: report.criteria.map((c) => (c.ok ? 'ok' : c.inconclusive ? 'unknown' : 'bad')),
        },
      ],
    },
    ...(report.load ? [loadSection(report.load)] : []),
    {
      title: 'Rollback',
      blocks: [{ kind: 'list', items: report.rollback.map((r) => `${r.fault}: ${r.outcome}`) }],
    },
    {
      title: 'Timeline',
      blocks: [
        { kind: 'chart' },
        { kind: 'list', items: report.events.map((e) => `${seconds(e.atMs)}: ${e.label}`) },
      ],
    },
    ...(host
      ? [
          {
            title: 'Host',
            blocks: [
              {
                kind: 'list' as const,
                items: [
                  `CPUs: ${host.cpuCount}`,
                  `Load average (1, 5, 15 min) at start: ${host.loadAverageAtStart.join(', ')}`,
                  `Load average (1, 5, 15 min) at end: ${host.loadAverageAtEnd.join(', ')}`,
                ],
              },
            ],
          },
        ]
      : []),
    ...(report.notes.length > 0
      ? [{ title: 'Notes', blocks: [{ kind: 'list' as const, items: [...report.notes] }] }]
      : []),
  ];
}
