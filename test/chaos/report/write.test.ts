import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drillId, type DrillReport, escapeHtml, readIndex, writeReport } from '../../../chaos/report';
import { PRIMARY, SECONDARY, timeline } from '../synthetic';

function report(overrides: Partial<DrillReport> = {}): DrillReport {
  return {
    schemaVersion: 1,
    id: drillId('region-failover', new Date('2026-11-21T05:30:00.000Z')),
    drill: 'region-failover',
    title: 'Primary cell down',
    hypothesis: 'When the <primary> cell stops, traffic moves to the secondary within the predicted RTO.',
    environment: 'local',
    timeScale: 0.1,
    startedAt: '2026-11-21T05:30:00.000Z',
    finishedAt: '2026-11-21T05:31:00.000Z',
    faults: [{ mechanism: 'local', fault: 'cell stopped', target: PRIMARY, simulated: true }],
    faultWindow: { startMs: 5000, endMs: 15_000 },
    figures: {
      rtoSeconds: 8,
      predictedRtoSeconds: 9,
      lostAcknowledgedWrites: 0,
      replicationLagAtFaultMs: null,
    },
    criteria: [{ name: 'RTO within predicted + 2 s', ok: true, detail: '8 s <= 11 s' }],
    verdict: 'pass',
    rollback: [{ fault: 'cell stopped', outcome: 'ok' }],
    timeline: timeline(20, (s) =>
      s < 5 ? [10, 10, PRIMARY] : s < 13 ? [10, 3, PRIMARY] : [10, 10, SECONDARY],
    ),
    events: [{ atMs: 5000, label: 'fault injected' }],
    notes: [],
    ...overrides,
  };
}

describe('drill report writers', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'drills-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes JSON, a Markdown summary and a self-contained HTML page into drills/<timestamp>-<drill>/', () => {
    // Act
    const out = writeReport(report(), dir);
    // Assess
    expect(out).toBe(join(dir, '2026-11-21T05-30-00Z-region-failover'));
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(report());
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain('# Drill region-failover: PASS');
    expect(md).toContain('## Hypothesis');
    expect(md).toContain('| RTO measured (s) | 8 |');
    expect(md).toContain('| Replication lag at the fault (ms) | n/a |');
    expect(md).toContain('SIMULATED');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('fault window');
    expect(html).toContain(SECONDARY);
    expect(html).toContain('&lt;primary&gt;');
    // Self-contained: nothing fetched from elsewhere
    expect(html).not.toMatch(/<(script|link|img)\b/);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('puts every section, list item and table cell of summary.md into report.html', () => {
    // Prepare: a report with everything a summary can carry (notes, rollback outcomes, an abort, the host)
    const full = report({
      verdict: 'inconclusive',
      criteria: [
        { name: 'RTO within predicted + 2 s', ok: true, detail: '8 s <= 11 s' },
        {
          name: '0 lost acknowledged writes',
          ok: false,
          inconclusive: true,
          detail: 'replication did not quiesce within 60 s | pending 3',
        },
      ],
      rollback: [
        { fault: 'cell stopped on global/us-east-1', outcome: 'ok' },
        { fault: 'replication paused on global', outcome: 'FAILED: control API answered 500' },
      ],
      notes: ['SIMULATED: stopping a local cell closes its API listener', 'lost order o-1: <absent>'],
      abortReason: 'wall-clock limit reached',
      host: { cpuCount: 2, loadAverageAtStart: [1.5, 1, 0.5], loadAverageAtEnd: [3.25, 2, 1] },
    });
    // Act
    const out = writeReport(full, dir);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    // Assess: every heading, list item and table cell of the summary is on the page
    const headings = [...md.matchAll(/^#{2} (.+)$/gm)].map((m) => m[1]!);
    const items = [...md.matchAll(/^- (.+)$/gm)].map((m) => m[1]!);
    const cells = md
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
      .flatMap((line) =>
        line
          .slice(2, -2)
          .split(/ (?<!\\)\| /)
          .map((c) => c.replace(/\\\|/g, '|')),
      );
    expect(headings).toEqual(
      expect.arrayContaining([
        'Hypothesis',
        'Fault',
        'Figures',
        'Verdict',
        'Rollback',
        'Timeline',
        'Host',
        'Notes',
      ]),
    );
    for (const heading of headings) expect(html).toContain(`<h2>${escapeHtml(heading)}</h2>`);
    for (const text of [...items, ...cells]) expect(html).toContain(escapeHtml(text));
    expect(md).toContain('# Drill region-failover: INCONCLUSIVE');
    expect(html).toContain('INCONCLUSIVE');
    expect(html).toContain('3.25');
  });

  it('keeps an index of past drills, newest first', () => {
    writeReport(report(), dir);
    writeReport(
      report({
        id: drillId('replication-pause', new Date('2026-11-22T00:00:00Z')),
        drill: 'replication-pause',
        verdict: 'fail',
      }),
      dir,
    );
    expect(readIndex(dir).map((e) => [e.drill, e.verdict])).toEqual([
      ['replication-pause', 'fail'],
      ['region-failover', 'pass'],
    ]);
    const index = readFileSync(join(dir, 'index.md'), 'utf8');
    expect(index).toContain(
      '[2026-11-21T05-30-00Z-region-failover](2026-11-21T05-30-00Z-region-failover/summary.md)',
    );
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('replication-pause');
  });
});
