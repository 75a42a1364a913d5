import type { Observation } from '../metrics';
import { type ReportBlock, reportFacts, reportSections, reportTitle, VERDICT_WORDS } from './sections';
import type { DrillReport } from './types';

/**
 * A self-contained HTML page (no scripts, no external assets: it can be
 * attached to a ticket): every section of the summary (sections.ts), and an
 * inline SVG timeline: success rate and p99 latency per second, the fault
 * window shaded, the serving cell as a coloured band.
 */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const PALETTE = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b83280', '#4a5568'];

const dominantCell = (o: Observation): string | undefined =>
  Object.entries(o.servedBy)
    .filter(([cell]) => cell !== 'unknown')
    .sort((a, b) => b[1] - a[1])[0]?.[0];

export function timelineSvg(
  timeline: readonly Observation[],
  faultWindow: { startMs: number | undefined; endMs: number | undefined },
): string {
  const width = 900;
  const plotTop = 20;
  const plotHeight = 220;
  const bandY = plotTop + plotHeight + 20;
  const left = 50;
  const right = 60;
  const seconds = Math.max(1, timeline.length);
  const plotWidth = width - left - right;
  const x = (second: number) => left + (second / seconds) * plotWidth;
  const maxLatency = Math.max(1, ...timeline.map((o) => o.p99Ms ?? 0));
  const ySuccess = (rate: number) => plotTop + (1 - rate) * plotHeight;
  const yLatency = (ms: number) => plotTop + (1 - ms / maxLatency) * plotHeight;

  const successPoints = timeline
    .filter((o) => o.count > 0)
    .map((o) => `${x(o.second + 0.5).toFixed(1)},${ySuccess(o.success / o.count).toFixed(1)}`)
    .join(' ');
  const latencyPoints = timeline
    .filter((o) => o.p99Ms !== undefined)
    .map((o) => `${x(o.second + 0.5).toFixed(1)},${yLatency(o.p99Ms ?? 0).toFixed(1)}`)
    .join(' ');

  const cells = [...new Set(timeline.map(dominantCell).filter((c): c is string => c !== undefined))];
  const colour = (cell: string) => PALETTE[cells.indexOf(cell) % PALETTE.length];
  const band = timeline
    .map((o) => {
      const cell = dominantCell(o);
      const fill = cell ? colour(cell) : '#e2e8f0';
      return `<rect x="${x(o.second).toFixed(1)}" y="${bandY}" width="${(plotWidth / seconds).toFixed(2)}" height="14" fill="${fill}"><title>${o.second} s: ${escapeHtml(cell ?? 'no successful answer')}</title></rect>`;
    })
    .join('');
  const faultRect =
    faultWindow.startMs === undefined
      ? ''
      : (() => {
          const start = x(faultWindow.startMs / 1000);
          const end = x((faultWindow.endMs ?? seconds * 1000) / 1000);
          return `<rect x="${start.toFixed(1)}" y="${plotTop}" width="${Math.max(1, end - start).toFixed(1)}" height="${plotHeight}" fill="#fed7d7"><title>fault window</title></rect>`;
        })();
  const legend = cells
    .map(
      (cell, i) =>
        `<rect x="${left + i * 170}" y="${bandY + 24}" width="12" height="12" fill="${colour(cell)}"/><text x="${left + i * 170 + 16}" y="${bandY + 34}">${escapeHtml(cell)}</text>`,
    )
    .join('');
  const ticks = Array.from({ length: Math.min(10, seconds) + 1 }, (_, i) =>
    Math.round((i * seconds) / Math.min(10, seconds)),
  )
    .map(
      (s) =>
        `<text x="${x(s).toFixed(1)}" y="${plotTop + plotHeight + 14}" text-anchor="middle">${s}s</text>`,
    )
    .join('');

  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${bandY + 50}" role="img" aria-label="Drill timeline" font-family="sans-serif" font-size="11">
${faultRect}
<line x1="${left}" y1="${plotTop + plotHeight}" x2="${left + plotWidth}" y2="${plotTop + plotHeight}" stroke="#718096"/>
<line x1="${left}" y1="${plotTop}" x2="${left}" y2="${plotTop + plotHeight}" stroke="#718096"/>
<text x="${left - 6}" y="${plotTop + 4}" text-anchor="end">100%</text><text x="${left - 6}" y="${plotTop + plotHeight}" text-anchor="end">0%</text>
<text x="${left + plotWidth + 6}" y="${plotTop + 4}">${Math.round(maxLatency)} ms</text><text x="${left + plotWidth + 6}" y="${plotTop + plotHeight}">0 ms</text>
${ticks}
<polyline points="${successPoints}" fill="none" stroke="#2f855a" stroke-width="2"><title>success rate</title></polyline>
<polyline points="${latencyPoints}" fill="none" stroke="#c53030" stroke-width="1.5" stroke-dasharray="4 2"><title>p99 latency</title></polyline>
${band}
${legend}
<text x="${left}" y="12" fill="#2f855a">success rate (solid)</text><text x="${left + 140}" y="12" fill="#c53030">p99 latency (dashed)</text><text x="${left + 280}" y="12" fill="#9b2c2c">fault window (shaded)</text><text x="${left + 420}" y="12">serving cell (band)</text>
</svg>`;
}

function block(b: ReportBlock, report: DrillReport): string {
  switch (b.kind) {
    case 'paragraph':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
    case 'table': {
      const header = `<tr>${b.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
      const rows = b.rows.map((row, i) => {
        const state = b.rowStates?.[i];
        return `<tr${state ? ` class="${state}"` : ''}>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
      });
      return `<table>${header}\n${rows.join('\n')}</table>`;
    }
    case 'chart':
      return timelineSvg(report.timeline, report.faultWindow);
  }
}

/** The report's sections (sections.ts) as a page, with the timeline chart. */
export function renderHtml(report: DrillReport): string {
  const title = reportTitle(report);
  const sections = reportSections(report)
    .map(
      (section) =>
        `<h2>${escapeHtml(section.title)}</h2>\n${section.blocks.map((b) => block(b, report)).join('\n')}`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#1a202c}table{border-collapse:collapse}th,td{border:1px solid #cbd5e0;padding:4px 8px;text-align:left}.verdict-pass{color:#2f855a}.verdict-fail,.verdict-aborted{color:#c53030}.verdict-inconclusive{color:#b7791f}tr.bad td{color:#c53030}tr.unknown td{color:#b7791f}</style>
</head><body>
<h1>Drill ${escapeHtml(report.drill)}: <span class="verdict-${report.verdict}">${VERDICT_WORDS[report.verdict]}</span></h1>
<ul>${reportFacts(report)
    .map((fact) => `<li>${escapeHtml(fact)}</li>`)
    .join('')}</ul>
${sections}
</body></html>
`;
}
