import { createHash } from 'node:crypto';
import { escapeHtml } from '../report/html';
import type { DrillRecord } from './record';

/**
 * drills/history.html: every drill's RTO, failed requests and lost writes
 * over time, one chart each, one series per drill, from the drill records.
 * Self-contained (inline SVG and one style block, no script, no external
 * asset) and locked down by a Content-Security-Policy that allows nothing
 * but that style block (by its hash): the page can be attached to an audit
 * ticket or served from a bucket as it is.
 */

const PALETTE = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b83280', '#4a5568'];

const STYLE = `body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#1a202c}
h1{margin-bottom:0.2em}p.lead{color:#4a5568;margin-top:0}
table{border-collapse:collapse;margin-top:1em;font-size:13px}th,td{border:1px solid #cbd5e0;padding:3px 8px;text-align:left}
td.num{text-align:right}.verdict-pass{color:#2f855a}.verdict-fail,.verdict-aborted{color:#c53030}.verdict-inconclusive{color:#b7791f}
svg.chart{display:block;margin:0.5em 0 1.5em}figure{margin:0}figcaption{font-weight:bold}`;

export interface ChartSpec {
  /** data-chart attribute and anchor. */
  readonly key: 'rto' | 'failed-requests' | 'lost-writes';
  readonly title: string;
  readonly unit: string;
  readonly value: (r: DrillRecord) => number | null;
}

export const CHARTS: readonly ChartSpec[] = [
  { key: 'rto', title: 'Recovery time (RTO, cloud seconds)', unit: 's', value: (r) => r.rto.cloudSeconds },
  {
    key: 'failed-requests',
    title: 'Failed requests during the drill',
    unit: '',
    value: (r) => r.failedRequests,
  },
  { key: 'lost-writes', title: 'Lost acknowledged writes', unit: '', value: (r) => r.lostWrites },
];

const WIDTH = 900;
const HEIGHT = 240;
const LEFT = 60;
const RIGHT = 20;
const TOP = 16;
const BOTTOM = 40;

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

export function chartSvg(
  spec: ChartSpec,
  records: readonly DrillRecord[],
  drills: readonly string[],
): string {
  const plotted = records.filter((r) => spec.value(r) !== null);
  const times = records.map((r) => Date.parse(r.startedAt));
  const minT = Math.min(...times);
  const maxT = Math.max(...times);
  const spanT = Math.max(1, maxT - minT);
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (t: number) =>
    maxT === minT ? LEFT + plotW / 2 : LEFT + 20 + ((t - minT) / spanT) * (plotW - 40);
  const predictedMax =
    spec.key === 'rto' ? Math.max(0, ...records.map((r) => r.rto.predictedCloudSeconds ?? 0)) : 0;
  const yMax = niceMax(Math.max(predictedMax, ...plotted.map((r) => spec.value(r)!)) * 1.1);
  const y = (v: number) => TOP + plotH - (v / yMax) * plotH;
  const colour = (drill: string) => PALETTE[drills.indexOf(drill) % PALETTE.length]!;

  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const v = yMax * f;
      return `<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e2e8f0"/><text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}${spec.unit}</text>`;
    })
    .join('');
  const ticks = [...new Set(records.map((r) => r.startedAt.slice(0, 10)))]
    .filter((_, i, all) => all.length <= 6 || i % Math.ceil(all.length / 6) === 0 || i === all.length - 1)
    .map(
      (day) =>
        `<text x="${x(Math.max(minT, Date.parse(`${day}T00:00:00Z`))).toFixed(1)}" y="${HEIGHT - 18}" text-anchor="middle">${day}</text>`,
    )
    .join('');
  const predicted =
    spec.key === 'rto'
      ? records
          .filter((r) => r.rto.predictedCloudSeconds !== null)
          .map((r) => {
            const px = x(Date.parse(r.startedAt));
            const py = y(r.rto.predictedCloudSeconds!);
            return `<line class="predicted" x1="${(px - 9).toFixed(1)}" x2="${(px + 9).toFixed(1)}" y1="${py.toFixed(1)}" y2="${py.toFixed(1)}" stroke="#718096" stroke-width="2" stroke-dasharray="3 2"><title>predicted ${fmt(r.rto.predictedCloudSeconds!)} s</title></line>`;
          })
          .join('')
      : '';
  const series = drills
    .map((drill) => {
      const points = plotted.filter((r) => r.drill === drill);
      if (points.length < 2) return '';
      const path = points
        .map((r) => `${x(Date.parse(r.startedAt)).toFixed(1)},${y(spec.value(r)!).toFixed(1)}`)
        .join(' ');
      return `<polyline points="${path}" fill="none" stroke="${colour(drill)}" stroke-width="1.5" stroke-opacity="0.6"/>`;
    })
    .join('');
  const points = plotted
    .map((r) => {
      const v = spec.value(r)!;
      const c = colour(r.drill);
      const label = `${r.id} (${r.environment}${r.simulated ? ', SIMULATED' : ''}): ${fmt(v)}${spec.unit}${
        spec.key === 'rto' && r.rto.predictedCloudSeconds !== null
          ? `, predicted ${fmt(r.rto.predictedCloudSeconds)} s`
          : ''
      }, ${r.verdict}`;
      return `<circle class="point" data-chart="${spec.key}" data-id="${escapeHtml(r.id)}" cx="${x(Date.parse(r.startedAt)).toFixed(1)}" cy="${y(v).toFixed(1)}" r="5" fill="${r.simulated ? '#ffffff' : c}" stroke="${c}" stroke-width="2"><title>${escapeHtml(label)}</title></circle>`;
    })
    .join('');
  return `<svg class="chart" data-chart="${spec.key}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(spec.title)}" font-family="sans-serif" font-size="11">
<line x1="${LEFT}" y1="${TOP + plotH}" x2="${LEFT + plotW}" y2="${TOP + plotH}" stroke="#718096"/>${grid}${ticks}${predicted}${series}${points}
</svg>`;
}

function legend(drills: readonly string[]): string {
  const items = drills.map(
    (drill, i) =>
      `<circle cx="${10 + i * 190}" cy="10" r="5" fill="${PALETTE[i % PALETTE.length]}"/><text x="${20 + i * 190}" y="14">${escapeHtml(drill)}</text>`,
  );
  const offset = 10 + drills.length * 190;
  items.push(
    `<circle cx="${offset}" cy="10" r="5" fill="#ffffff" stroke="#4a5568" stroke-width="2"/><text x="${offset + 10}" y="14">hollow: local run (SIMULATED)</text>`,
    `<line x1="${offset + 200}" x2="${offset + 218}" y1="10" y2="10" stroke="#718096" stroke-width="2" stroke-dasharray="3 2"/><text x="${offset + 224}" y="14">predicted RTO</text>`,
  );
  return `<svg class="legend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} 22" width="${WIDTH}" height="22" font-family="sans-serif" font-size="12">${items.join('')}</svg>`;
}

/** The CSP hash of the page's only style block. */
export function styleHash(): string {
  return `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;
}

export function renderHistoryPage(records: readonly DrillRecord[], generatedAt = new Date()): string {
  const drills = [...new Set(records.map((r) => r.drill))].sort();
  const cell = (v: number | null, unit = '') => (v === null ? '&mdash;' : `${fmt(v)}${unit}`);
  const rows = [...records]
    .reverse()
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.startedAt.slice(0, 16).replace('T', ' '))}</td><td>${escapeHtml(r.drill)}</td><td>${r.environment}${r.simulated ? ' (SIMULATED)' : ''}</td><td class="verdict-${r.verdict}">${r.verdict.toUpperCase()}</td><td class="num">${cell(r.rto.cloudSeconds, ' s')}</td><td class="num">${cell(r.rto.predictedCloudSeconds, ' s')}</td><td class="num">${cell(r.failedRequests)}</td><td class="num">${cell(r.lostWrites)}</td><td>${r.rollback}</td><td><a href="${escapeHtml(r.report)}">${escapeHtml(r.id)}</a></td></tr>`,
    )
    .join('\n');
  const charts =
    records.length === 0
      ? '<p>No drill records yet: run a drill (npm run drill -- run region-failover --local --short).</p>'
      : CHARTS.map(
          (spec) =>
            `<figure id="${spec.key}"><figcaption>${escapeHtml(spec.title)}</figcaption>${chartSvg(spec, records, drills)}</figure>`,
        ).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src '${styleHash()}'; img-src 'none'; base-uri 'none'; form-action 'none'">
<title>Drill history</title>
<style>${STYLE}</style>
</head><body>
<h1>Drill history</h1>
<p class="lead">${records.length} drill(s) from drills/*/record.json, generated ${escapeHtml(generatedAt.toISOString())}. RTO in cloud seconds (local runs scaled back from their time scale).</p>
${records.length > 0 ? legend(drills) : ''}
${charts}
<table><tr><th>Started (UTC)</th><th>Drill</th><th>Environment</th><th>Verdict</th><th>RTO</th><th>Predicted</th><th>Failed requests</th><th>Lost writes</th><th>Rollback</th><th>Report</th></tr>
${rows}
</table>
</body></html>
`;
}
