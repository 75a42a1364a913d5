import { keys } from '../../../lambdas/adapters/table';
import type { CheckoutStep } from '../../../lambdas/api/dependencies';
import { IDEMPOTENCY_LOCK_MS, REPLAYED_HEADER } from '../../../lambdas/core/idempotency';
import { cartWith, createHarness, type Harness } from './harness';

/**
 * "The process dies between two steps": the hook never returns at that step,
 * so nothing after it runs (no compensation, no key release), exactly like a
 * killed Lambda. A new app (a new process) retries after the key's lock lapses.
 */
describe('checkout survives a crash at every step without duplicate effects', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.drop());

  const stockOf = async (id: string) =>
    ((await (await h.call('GET', `/v1/products/${id}`)).json()) as { stock: number }).stock;

  it.each<[CheckoutStep, string]>([
    ['started', 'sku-0006'],
    ['reserved', 'sku-0007'],
    ['authorized', 'sku-0008'],
    ['placed', 'sku-0009'],
  ])('crash after %s, retry -> one order, one charge, one stock movement', async (crashAt, productId) => {
    const customer = `cust-crash-${crashAt}`;
    const token = await h.token(customer);
    const cartId = await cartWith(h, token, productId, 3, crashAt);
    const stockBefore = await stockOf(productId);

    const crashed = h.dieAt(crashAt);
    void h.call('POST', '/v1/checkout', { token, key: `crash-${crashAt}`, body: { cartId } });
    await crashed;

    h.clock.now += IDEMPOTENCY_LOCK_MS + 1000;
    h.rebuild();
    const retry = await h.call('POST', '/v1/checkout', { token, key: `crash-${crashAt}`, body: { cartId } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get(REPLAYED_HEADER)).toBe(crashAt === 'placed' ? 'true' : null);

    const again = await h.call('POST', '/v1/checkout', { token, key: `crash-${crashAt}`, body: { cartId } });
    expect(again.headers.get(REPLAYED_HEADER)).toBe('true');

    const items = await h.scanAll();
    const orders = items.filter((i) => i.entity === 'order' && i.customerId === customer);
    expect(orders).toHaveLength(1);
    const events = items.filter(
      (i) =>
        i.entity === 'outbox' &&
        (i.envelope as { eventType: string; aggregate: { id: string } }).eventType === 'order.v1.placed' &&
        (i.envelope as { aggregate: { id: string } }).aggregate.id === orders[0]!.id,
    );
    expect(events).toHaveLength(1);
    const audited = items.filter(
      (i) => i.entity === 'audit' && i.gsi1pk === keys.auditByResource('order', String(orders[0]!.id)),
    );
    expect(audited).toHaveLength(1);
    expect(await stockOf(productId)).toBe(stockBefore - 3);
    const charges = h.payments.activeAuthorizations.filter((a) => a.request.customerId === customer);
    expect(charges).toHaveLength(1);
    expect(charges[0]!.authorizationId).toBe(orders[0]!.authorizationId);
    // The saga completed in the order's transaction, with the authorization it was placed with.
    const sagas = items.filter((i) => i.entity === 'checkout' && i.cartId === cartId);
    expect(sagas).toEqual([
      expect.objectContaining({ state: 'completed', authorizationId: orders[0]!.authorizationId }),
    ]);
  });

  it('a second checkout of the same cart that loses the race voids its authorization and releases its stock', async () => {
    const customer = 'cust-race';
    const token = await h.token(customer);
    const cartId = await cartWith(h, token, 'sku-0012', 2, 'race');
    const stockBefore = await stockOf('sku-0012');

    // The first request stops after authorizing; the second checks the same cart out meanwhile.
    let paused!: () => void;
    const reachedAuthorized = new Promise<void>((resolve) => {
      paused = resolve;
    });
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => {
      resume = resolve;
    });
    let first = true;
    h.rebuild({
      checkoutHook: async (step) => {
        if (step === 'authorized' && first) {
          first = false;
          paused();
          await resumed;
        }
      },
    });
    const slow = h.call('POST', '/v1/checkout', { token, key: 'race-slow', body: { cartId } });
    await reachedAuthorized;
    const fast = await h.call('POST', '/v1/checkout', { token, key: 'race-fast', body: { cartId } });
    expect(fast.status).toBe(201);
    resume();
    const lost = await slow;
    h.rebuild();

    expect(lost.status).toBe(409);
    expect(await lost.json()).toMatchObject({ code: 'conflict' });
    const items = await h.scanAll();
    expect(items.filter((i) => i.entity === 'order' && i.customerId === customer)).toHaveLength(1);
    expect(await stockOf('sku-0012')).toBe(stockBefore - 2);
    const authorizations = h.payments.authorizations.filter((a) => a.request.customerId === customer);
    expect(authorizations.map((a) => a.voided).sort()).toEqual([false, true]);
    expect(
      items
        .filter((i) => i.entity === 'checkout' && i.cartId === cartId)
        .map((i) => i.state)
        .sort(),
    ).toEqual(['compensated', 'completed']);
  });

  it('compensates a declined payment (stock released, no order); the decline is final for its key', async () => {
    const token = await h.token('cust-decline');
    const cartId = await cartWith(h, token, 'sku-0010', 2, 'decline');
    const before = await stockOf('sku-0010');
    const checkout = (key: string, paymentMethod: string) =>
      h.call('POST', '/v1/checkout', { token, key, body: { cartId, paymentMethod } });
    const declined = await checkout('decline-1', 'pm_card_declined');
    const declinedBody = await declined.text();
    expect(declined.status).toBe(402);
    expect(JSON.parse(declinedBody)).toMatchObject({ code: 'payment_declined' });
    expect(await stockOf('sku-0010')).toBe(before);
    expect(
      (await h.scanAll()).filter((i) => i.entity === 'order' && i.customerId === 'cust-decline'),
    ).toHaveLength(0);

    // A retry with the same key gets the same decline, without reaching the provider again.
    const callsBefore = h.payments.calls.authorize;
    const replayed = await checkout('decline-1', 'pm_card_declined');
    expect(replayed.status).toBe(402);
    expect(replayed.headers.get(REPLAYED_HEADER)).toBe('true');
    expect(await replayed.text()).toBe(declinedBody);
    expect(h.payments.calls.authorize).toBe(callsBefore);

    // Another card is another request: a new key places the order.
    const placed = await checkout('decline-2', 'pm_card_ok');
    expect(placed.status).toBe(201);
    expect(await stockOf('sku-0010')).toBe(before - 2);
  });

  it('a timed-out authorization that went through late is found by the retry, not charged twice', async () => {
    const customer = 'cust-late';
    const token = await h.token(customer);
    const cartId = await cartWith(h, token, 'sku-0001', 1, 'late');
    const before = await stockOf('sku-0001');
    const checkout = () =>
      h.call('POST', '/v1/checkout', {
        token,
        key: 'late-1',
        body: { cartId, paymentMethod: 'pm_card_late' },
      });

    // The provider authorizes, but its answer never arrives: the checkout times out and compensates.
    const timedOut = await checkout();
    expect(timedOut.status).toBe(503);
    expect(await stockOf('sku-0001')).toBe(before);
    const held = h.payments.activeAuthorizations.filter((a) => a.request.customerId === customer);
    expect(held).toHaveLength(1);

    // The retry asks under the same provider key and gets that authorization back.
    const retried = await checkout();
    expect(retried.status).toBe(201);
    const order = (await retried.json()) as { authorizationId: string };
    expect(order.authorizationId).toBe(held[0]!.authorizationId);
    expect(h.payments.activeAuthorizations.filter((a) => a.request.customerId === customer)).toHaveLength(1);
    expect(await stockOf('sku-0001')).toBe(before - 1);
  });

  it('times out a hanging provider, compensates, and opens the circuit after repeated failures', async () => {
    const token = await h.token('cust-hang');
    const cartId = await cartWith(h, token, 'sku-0011', 1, 'hang');
    const before = await stockOf('sku-0011');
    h.payments.setMode('hang');
    const callsBefore = h.payments.calls.authorize;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await h.call('POST', '/v1/checkout', { token, key: `hang-${i}`, body: { cartId } });
      statuses.push(response.status);
    }
    h.payments.setMode(undefined);
    expect(statuses.every((s) => s === 503)).toBe(true);
    // 5 timed-out calls reached the provider; the 6th failed fast on the open circuit.
    expect(h.payments.calls.authorize - callsBefore).toBe(5);
    expect(await stockOf('sku-0011')).toBe(before);
  });
});
