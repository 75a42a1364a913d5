import { outcomeWord } from '../../chaos/metrics';
import type { DrillReport } from '../../chaos/report';

/**
 * Runs a drill test's assertions; when one fails, its message starts with the report's outline (verdict, abort
 * reason, every criterion not met, the load's figures). A failed assertion alone (`expected [] received [...]`,
 * `expected 'pass'`) says little without the report, and CI keeps only the end of its log.
 */
export async function assessDrill(report: DrillReport, assess: () => void | Promise<void>): Promise<void> {
  try {
    await assess();
  } catch (error) {
    if (error instanceof Error) {
      const outline = drillOutline(report);
      error.message = `${outline}\n\n${error.message}`;
    }
    throw error;
  }
}

/** The lines of a report a failed drill test needs first. */
function drillOutline(report: DrillReport): string {
  const f = report.figures;
  const host = report.host
    ? `; host load ${report.host.loadAverageAtStart.join('/')} -> ${report.host.loadAverageAtEnd.join('/')}`
    : '';
  return [
    `drill ${report.drill}: verdict ${report.verdict}${report.abortReason ? `; aborted: ${report.abortReason}` : ''}`,
    ...report.criteria.filter((c) => !c.ok).map((c) => `  ${outcomeWord(c)}: ${c.name}: ${c.detail}`),
    `  load: ${f.requests ?? 0} requests, ${f.failedRequests ?? 0} failed, p50 ${f.p50Ms ?? '-'} ms, p99 ${f.p99Ms ?? '-'} ms${host}`,
    `  events: ${report.events.map((e) => `[${(e.atMs / 1000).toFixed(1)} s] ${e.label}`).join('; ')}`,
  ].join('\n');
}
