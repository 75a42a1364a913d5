import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHARTS, renderHistoryPage, styleHash } from '../../../chaos/history/page';
import { CHROMIUM_FLAGS, ensureChromium } from '../../support/chromium';
import { fixtureRecords } from './fixtures';

const DOCS_SCREENSHOT = resolve(__dirname, '..', '..', '..', 'docs', 'drill-history.png');

describe('drill history page', () => {
  it('is self-contained: a CSP that allows only its own style block, no script, no external URL', () => {
    const html = renderHistoryPage(fixtureRecords(), new Date('2026-12-01T00:00:00Z'));
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src '${styleHash()}'; img-src 'none'; base-uri 'none'; form-action 'none'">`,
    );
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('draws one point per record in each chart, hollow for SIMULATED runs, and escapes what it shows', () => {
    const records = fixtureRecords();
    records[0] = { ...records[0]!, drill: 'region<failover>' };
    const html = renderHistoryPage(records);
    for (const spec of CHARTS)
      expect(html.match(new RegExp(`<circle class="point" data-chart="${spec.key}"`, 'g'))).toHaveLength(
        records.filter((r) => spec.value(r) !== null).length,
      );
    // One local record: hollow in the two charts where it has a value (it measured no RTO).
    expect(
      html.match(/fill="#ffffff" stroke="#[0-9a-f]{6}" stroke-width="2"><title>[^<]*SIMULATED/g),
    ).toHaveLength(2);
    expect(html).toContain('region&lt;failover&gt;');
    expect(html).not.toContain('region<failover>');
  });

  it('leaves out a figure a drill did not measure, instead of drawing it as 0', () => {
    const records = fixtureRecords();
    const withRto = records.filter((r) => r.rto.cloudSeconds !== null).length;
    records[1] = { ...records[1]!, rto: { ...records[1]!.rto, cloudSeconds: null } };
    const html = renderHistoryPage(records);
    expect(html.match(/data-chart="rto" data-id/g)).toHaveLength(withRto - 1);
  });

  const browser = ensureChromium();
  const inBrowser = 'path' in browser ? it : it.skip;
  if ('skip' in browser) console.warn(`drill history browser test skipped: ${browser.skip}`);

  inBrowser(
    'renders in a real headless Chromium: every chart drawn, the CSP admits the style, a screenshot taken',
    async () => {
      // Prepare: the page rendered from fixture records, written where a browser can open it.
      const dir = mkdtempSync(join(tmpdir(), 'history-page-'));
      const records = fixtureRecords();
      const page = join(dir, 'history.html');
      writeFileSync(page, renderHistoryPage(records, new Date('2026-12-01T00:00:00Z')));
      const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
        executablePath: (browser as { path: string }).path,
        headless: true,
        args: [...CHROMIUM_FLAGS],
        viewport: { width: 1040, height: 900 },
      });
      try {
        const tab = await context.newPage();
        const violations: string[] = [];
        tab.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
        });
        // Act
        const response = await tab.goto(`file://${page}`);
        // Assess
        expect(response?.ok() ?? true).toBe(true);
        for (const spec of CHARTS) {
          // Every record with the figure is a point: all 9 for failed requests and lost writes, 8 for RTO.
          const expected = records.filter((r) => spec.value(r) !== null).length;
          expect(expected).toBeGreaterThanOrEqual(records.length - 1);
          expect(await tab.locator(`svg.chart[data-chart="${spec.key}"] circle.point`).count()).toBe(
            expected,
          );
          const box = await tab.locator(`svg.chart[data-chart="${spec.key}"]`).boundingBox();
          expect(box!.width).toBeGreaterThan(800);
        }
        // The style block ran under the CSP (a wrong hash would leave the default serif font and margins).
        expect(await tab.evaluate('getComputedStyle(document.body).fontFamily')).toBe('sans-serif');
        expect(violations).toEqual([]);
        const target = process.env.DOCS_SCREENSHOT === '1' ? DOCS_SCREENSHOT : join(dir, 'drill-history.png');
        mkdirSync(resolve(target, '..'), { recursive: true });
        await tab.screenshot({ path: target, fullPage: true });
      } finally {
        await context.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
