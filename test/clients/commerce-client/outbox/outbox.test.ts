import 'fake-indexeddb/auto';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Intent } from '../../../../clients/commerce-client/outbox/intent';
import { Outbox } from '../../../../clients/commerce-client/outbox/outbox';
import { FileStore } from '../../../../clients/commerce-client/storage/file-store';
import { IndexedDbStore } from '../../../../clients/commerce-client/storage/indexeddb-store';
import { waitUntil } from '../../../support/wait';
import { testClient } from '../support/clients';
import { FakeZone } from '../support/fake-zone';

const directories: string[] = [];
async function freshDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'commerce-outbox-'));
  directories.push(directory);
  return directory;
}
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

/** Intents as a FileStore directory holds them on disk (what a restarted process would read). */
function intentsOnDisk(directory: string): Intent[] {
  return readdirSync(directory)
    .filter((name) => name.startsWith('outbox%2F') && name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(directory, name), 'utf8')) as Intent);
}

const order = (productId = 'mug', quantity = 1, paymentMethod?: string) => ({
  lines: [{ productId, quantity }],
  currency: 'EUR',
  ...(paymentMethod ? { paymentMethod } : {}),
});

/** The API's answer from a cell that has not seen the cart (never replicated to it, or not yet). */
const cartUnknownHere = {
  status: 404,
  body: {
    type: 'about:blank',
    title: 'not_found',
    status: 404,
    detail: 'no cart 01ABC in this cell',
    code: 'not_found',
    correlationId: 'fake',
  },
};

describe('durable outbox', () => {
  let zone: FakeZone;
  beforeEach(async () => {
    zone = await new FakeZone('global', ['r1']).start();
  });
  afterEach(() => zone.stop());

  async function openOutbox(
    directory: string,
    extra: { retryIntervalMs?: number; breakerHalfOpenAfterMs?: number; attemptTimeoutMs?: number } = {},
  ) {
    const { retryIntervalMs, breakerHalfOpenAfterMs, attemptTimeoutMs } = extra;
    const { client } = testClient({
      baseUrl: zone.primary.url,
      resilience: {
        maxRetries: 1,
        ...(breakerHalfOpenAfterMs ? { breakerHalfOpenAfterMs } : {}),
        ...(attemptTimeoutMs ? { attemptTimeoutMs } : {}),
      },
    });
    return Outbox.open({
      client,
      store: new FileStore(directory),
      ...(retryIntervalMs ? { retryIntervalMs } : {}),
    });
  }

  it('writes each intent, with its key, to disk before the first request of it leaves', async () => {
    const directory = await freshDirectory();
    const onDiskAtFirstRequest: Array<Intent | undefined> = [];
    zone.primary.intercept = (request) => {
      const key = request.headers['idempotency-key'];
      if (key?.endsWith(':cart')) {
        onDiskAtFirstRequest.push(intentsOnDisk(directory).find((intent) => `${intent.key}:cart` === key));
      }
      return undefined;
    };
    const outbox = await openOutbox(directory);
    const placed = await outbox.placeOrder(order());
    expect(zone.log.filter((r) => r.headers['idempotency-key'])).toHaveLength(0);
    expect(intentsOnDisk(directory)).toEqual([
      expect.objectContaining({ id: placed.id, key: placed.key, status: 'queued' }),
    ]);

    await outbox.flush();
    expect(onDiskAtFirstRequest).toEqual([expect.objectContaining({ key: placed.key, status: 'sending' })]);
    expect(outbox.get(placed.id)).toMatchObject({ status: 'accepted', result: { orderId: 'order-1' } });
  });

  it('queues orders while offline and sends them in order, once each, when the API is back', async () => {
    const outbox = await openOutbox(await freshDirectory());
    await zone.stop();
    const placed: Intent[] = [];
    for (const productId of ['mug', 'tee', 'mug']) placed.push(await outbox.placeOrder(order(productId)));
    const offline = await outbox.flush();
    expect(offline.stoppedAt?.id).toBe(placed[0]!.id);
    expect(outbox.list().map((i) => i.status)).toEqual(['queued', 'queued', 'queued']);
    expect(outbox.get(placed[0]!.id)?.lastError).toMatch(/no answer from the commerce API/);

    await zone.start();
    expect(await outbox.flush()).toEqual({ settled: 3 });
    expect(outbox.list().map((i) => i.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(zone.orders.map((o) => o.key)).toEqual(placed.map((i) => `${i.key}:checkout`));
    expect(zone.carts.size).toBe(3);
  });

  it('survives a crash mid-queue: the intent caught sending is resent with the same keys and placed once', async () => {
    const directory = await freshDirectory();
    const crashImage = await freshDirectory();
    const outbox = await openOutbox(directory);
    const placed: Intent[] = [];
    for (const productId of ['mug', 'tee', 'mug']) placed.push(await outbox.placeOrder(order(productId, 2)));

    // the API takes the second checkout, then the device dies before the answer arrives:
    // the disk as it is at that moment is what the restarted process finds
    let crashed = false;
    zone.primary.intercept = (request) => {
      if (request.headers['idempotency-key'] !== `${placed[1]!.key}:checkout` || crashed) return undefined;
      zone.handle(request, zone.primary);
      cpSync(directory, crashImage, { recursive: true });
      crashed = true;
      return 'hang';
    };
    const running = outbox.flush();
    await waitUntil(() => crashed);
    await outbox.stop();
    await running;
    zone.primary.intercept = undefined;

    expect(intentsOnDisk(crashImage).map((i) => i.status)).toEqual(['accepted', 'sending', 'queued']);
    const restarted = await openOutbox(crashImage);
    expect(restarted.list().map((i) => i.status)).toEqual(['accepted', 'queued', 'queued']);
    expect(await restarted.flush()).toEqual({ settled: 2 });

    expect(restarted.list().map((i) => i.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(zone.orders.map((o) => o.key)).toEqual(placed.map((i) => `${i.key}:checkout`));
    expect(restarted.get(placed[1]!.id)).toMatchObject({ result: { orderId: zone.orders[1]!.id } });
    // the resent checkout carried the same key (and was replayed); the cart was not created again
    expect(zone.keysFor('/v1/checkout').filter((k) => k.startsWith(placed[1]!.key))).toEqual([
      `${placed[1]!.key}:checkout`,
      `${placed[1]!.key}:checkout`,
    ]);
    expect(zone.keysFor('/v1/carts').filter((k) => k.startsWith(placed[1]!.key))).toHaveLength(1);
  });

  it('builds the cart again, once, when it was lost before any checkout of it was sent', async () => {
    // Arrange: the first cart's line meets a cell that never saw the cart (created in a cell lost before it
    // replicated); no checkout was sent, so no order can exist for it
    const outbox = await openOutbox(await freshDirectory(), { retryIntervalMs: 50 });
    let lineRefused = false;
    zone.primary.intercept = (request) => {
      if (lineRefused || !/^\/v1\/carts\/[^/]+\/items$/.test(request.path)) return undefined;
      lineRefused = true;
      return cartUnknownHere;
    };
    const intent = await outbox.placeOrder(order());

    // Act
    outbox.start();
    await waitUntil(() => outbox.get(intent.id)?.status === 'accepted', 10_000);
    await outbox.stop();

    // Assert: a second cart under new step keys, one order, for the second cart
    expect(zone.carts.size).toBe(2);
    expect(zone.orders).toHaveLength(1);
    expect(outbox.get(intent.id)).toMatchObject({
      progress: { cartRebuilds: 1, cartId: zone.orders[0]!.cartId },
      result: { orderId: zone.orders[0]!.id },
    });
    expect(zone.keysFor('/v1/checkout')).toEqual([`${intent.key}:checkout#1`]);
  });

  it('never builds a second cart once its checkout was sent: a 404 then waits for the original answer', async () => {
    // Arrange: the first checkout commits and its answer is lost (the attempt times out); the retry reaches a
    // cell that has not seen the cart yet (replication lag) and answers 404 until the cart is visible there.
    const outbox = await openOutbox(await freshDirectory(), { retryIntervalMs: 50, attemptTimeoutMs: 200 });
    let checkouts = 0;
    let cartVisible = false;
    zone.primary.intercept = (request) => {
      if (request.method !== 'POST' || request.path !== '/v1/checkout') return undefined;
      checkouts += 1;
      if (checkouts === 1) {
        zone.handle(request, zone.primary);
        return 'hang';
      }
      if (cartVisible) return undefined;
      return cartUnknownHere;
    };
    const intent = await outbox.placeOrder(order());

    // Act: several 404s, then the cart (and its order) becomes visible
    outbox.start();
    await waitUntil(() => checkouts >= 4, 10_000);
    const whileUnseen = { status: outbox.get(intent.id)?.status, carts: zone.carts.size };
    cartVisible = true;
    await waitUntil(() => outbox.get(intent.id)?.status === 'accepted', 10_000);
    await outbox.stop();

    // Assert: no second cart, no second order; the intent settled on the order its first checkout placed
    expect(whileUnseen.carts).toBe(1);
    expect(['queued', 'sending']).toContain(whileUnseen.status); // still waiting, not refused
    expect(zone.carts.size).toBe(1);
    expect(zone.orders).toHaveLength(1);
    expect(outbox.get(intent.id)).toMatchObject({ result: { orderId: zone.orders[0]!.id } });
    expect(new Set(zone.keysFor('/v1/checkout'))).toEqual(new Set([`${intent.key}:checkout`]));
  });

  it('keeps the order: while the oldest intent cannot be sent, no later one is sent', async () => {
    const outbox = await openOutbox(await freshDirectory());
    const first = await outbox.placeOrder(order('mug'));
    const second = await outbox.placeOrder(order('tee'));
    zone.primary.intercept = (r) =>
      r.headers['idempotency-key'] === `${first.key}:cart`
        ? { status: 503, body: { status: 503, code: 'internal_error' } }
        : undefined;
    const report = await outbox.flush();
    expect(report.stoppedAt).toEqual({ id: first.id, reason: '503 internal_error' });
    expect(zone.log.some((r) => r.headers['idempotency-key']?.startsWith(second.key))).toBe(false);

    zone.primary.intercept = undefined;
    await outbox.flush();
    expect(zone.orders.map((o) => o.key)).toEqual([`${first.key}:checkout`, `${second.key}:checkout`]);
  });

  it('marks a final refusal "needs attention" with the problem, and goes on with the next intent', async () => {
    const outbox = await openOutbox(await freshDirectory());
    const declined = await outbox.placeOrder(order('mug', 1, 'pm_card_declined'));
    const fine = await outbox.placeOrder(order('tee'));
    expect(await outbox.flush()).toEqual({ settled: 2 });
    expect(outbox.get(declined.id)).toMatchObject({
      status: 'needs_attention',
      problem: { status: 402, code: 'payment_declined' },
    });
    expect(outbox.get(fine.id)?.status).toBe('accepted');
    expect(zone.keysFor('/v1/checkout').filter((k) => k.startsWith(declined.key))).toHaveLength(1);
  });

  it('reports each status change: queued, sending, accepted', async () => {
    const outbox = await openOutbox(await freshDirectory());
    const seen: string[] = [];
    outbox.subscribe((_all, changed) => seen.push(changed.status));
    await outbox.placeOrder(order());
    await outbox.flush();
    expect(seen[0]).toBe('queued');
    expect(seen[1]).toBe('sending');
    expect(seen.at(-1)).toBe('accepted');
    expect(new Set(seen)).toEqual(new Set(['queued', 'sending', 'accepted']));
  });

  it('sends other intents as one call with the intent key', async () => {
    const outbox = await openOutbox(await freshDirectory());
    const cancel = await outbox.send({ method: 'POST', path: '/v1/orders/order-9/cancel', body: {} });
    await outbox.flush();
    expect(outbox.get(cancel.id)).toMatchObject({ status: 'accepted', result: { status: 200 } });
    expect(zone.keysFor('/v1/orders/order-9/cancel')).toEqual([cancel.key]);
  });

  it('once started, sends by itself when the API comes back', async () => {
    // while offline the cell's circuit opens; it lets a trial call through every 50 ms here (10 s by default)
    const outbox = await openOutbox(await freshDirectory(), {
      retryIntervalMs: 20,
      breakerHalfOpenAfterMs: 50,
    });
    await zone.stop();
    outbox.start();
    await outbox.placeOrder(order('mug'));
    await outbox.placeOrder(order('tee'));
    await waitUntil(() => outbox.get(outbox.list()[0]!.id)?.lastError !== undefined);
    await zone.start();
    await waitUntil(() => outbox.list().every((i) => i.status === 'accepted'), 30_000);
    await outbox.stop();
    expect(zone.orders).toHaveLength(2);
  });

  it('refuses an invalid order before storing anything', async () => {
    const directory = await freshDirectory();
    const outbox = await openOutbox(directory);
    await expect(outbox.placeOrder({ lines: [] })).rejects.toThrow(/lines: an order needs at least one line/);
    expect(intentsOnDisk(directory)).toEqual([]);
  });
});

describe('durable outbox over IndexedDB (fake-indexeddb)', () => {
  it('keeps queued orders across a page reload and sends them once', async () => {
    const zone = await new FakeZone('global', ['r1']).start();
    try {
      const { client } = testClient({ baseUrl: zone.primary.url, resilience: { maxRetries: 0 } });
      await zone.stop();
      const tab = new IndexedDbStore('kiosk-reload');
      const before = await Outbox.open({ client, store: tab });
      for (const productId of ['mug', 'tee', 'mug']) await before.placeOrder(order(productId));
      await before.flush();
      await tab.close();

      await zone.start();
      const reloaded = await Outbox.open({ client, store: new IndexedDbStore('kiosk-reload') });
      expect(reloaded.list().map((i) => i.key)).toEqual(before.list().map((i) => i.key));
      await reloaded.flush();
      expect(reloaded.list().map((i) => i.status)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(zone.orders.map((o) => o.key)).toEqual(before.list().map((i) => `${i.key}:checkout`));
    } finally {
      await zone.stop();
    }
  });
});
