import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { LocalControlClient } from '../../../chaos/injectors/local';
import { listCustomerOrders } from '../../../chaos/local/customer-orders';
import type { LocalTopology } from '../../../local/topology';
import { CHROMIUM_FLAGS, ensureChromium } from '../../support/chromium';
import { bootTestTopology } from '../../support/local-topology';
import { waitUntil } from '../../support/wait';

/**
 * The kiosk page served by the local topology's edge, in Debian's Chromium (headless): offline, three
 * orders queued in the IndexedDB outbox; online again, all three placed exactly once (read back
 * through the API and the SIMULATED payment provider, not through the page).
 */
jest.setTimeout(180_000);

const browser = ensureChromium();
const inBrowser = 'path' in browser ? it : it.skip;
if ('skip' in browser) console.warn(`kiosk page browser test skipped: ${browser.skip}`);

describe('kiosk page in a headless browser', () => {
  let topology: LocalTopology;
  beforeAll(async () => {
    if ('path' in browser) topology = await bootTestTopology();
  });
  afterAll(() => topology?.stop());

  inBrowser('offline: three orders queued; online: all three placed once', async () => {
    // Prepare
    const token = await new LocalControlClient(topology.endpoints.control).token('kiosk-browser', 'global');
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-browser-'));
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: (browser as { path: string }).path,
      headless: true,
      args: [...CHROMIUM_FLAGS],
    });
    try {
      const page = await context.newPage();
      const browserLog: string[] = [];
      page.on('console', (message) => browserLog.push(`${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => browserLog.push(`pageerror: ${error.message}`));
      page.on('requestfailed', (request) =>
        browserLog.push(`failed: ${request.url()} ${request.failure()?.errorText}`),
      );
      const script = await fetch(`${topology.endpoints.edge}/kiosk/dist/kiosk.js`);
      expect(`${script.status} ${(await script.text()).slice(0, 300)}`).toMatch(/^200 /);
      const url = `${topology.endpoints.edge}/kiosk/?token=${encodeURIComponent(token)}&failover=dns`;
      const response = await page.goto(url);
      expect(response?.status()).toBe(200);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 }).catch((error: Error) => {
        throw new Error(`${error.message}\nbrowser log:\n${browserLog.join('\n')}`);
      });
      await page.waitForSelector('#catalog button[data-product]');
      // Act: offline, three orders
      await context.setOffline(true);
      for (let i = 0; i < 3; i++) {
        await page.locator('#catalog button[data-product]').first().click();
        await page.locator('#place-order').click();
        await page.waitForFunction((n) => document.querySelectorAll('#orders li').length === n, i + 1);
      }
      // Offline, each is queued (or being tried: the outbox keeps trying and puts it back)
      const statuses = await page
        .locator('#orders li')
        .evaluateAll((items) => items.map((item) => item.getAttribute('data-status')));
      expect(statuses).toHaveLength(3);
      for (const status of statuses) expect(['queued', 'sending']).toContain(status);
      expect(await page.locator('#connectivity').getAttribute('data-state')).toBe('offline');
      await context.setOffline(false);
      // Assess: the page shows all three accepted, within a bound
      await page.waitForFunction(
        () => document.querySelectorAll('#orders li[data-status="accepted"]').length === 3,
        undefined,
        { timeout: 60_000 },
      );
      const orders = await listCustomerOrders({ baseUrl: topology.endpoints.edge }, `Bearer ${token}`);
      expect(orders).toHaveLength(3);
      expect(new Set(orders!.map((o) => o.cartId)).size).toBe(3);
      const shown = await page.locator('#orders li').allTextContents();
      for (const order of orders!) expect(shown.join('\n')).toContain(order.id);
      await waitUntil(
        () =>
          topology.paymentAuthorizations().filter((a) => a.customerId === orders![0]!.customerId && !a.voided)
            .length === 3,
        5000,
      );
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
