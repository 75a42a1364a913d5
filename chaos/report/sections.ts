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
