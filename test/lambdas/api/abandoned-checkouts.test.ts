import type { TableContext } from '../../../lambdas/adapters/table';
import type { CheckoutStep } from '../../../lambdas/api/dependencies';
import { isScheduledTask, SCHEDULED_TASKS } from '../../../lambdas/api/scheduled-tasks';
import {
  ABANDONED_AFTER_MS,
  sweepAbandonedCheckouts,
} from '../../../lambdas/api/services/abandoned-checkouts';
import { IDEMPOTENCY_LOCK_MS } from '../../../lambdas/core/idempotency';
import { cartWith, createHarness, type Harness } from './harness';

describe('sweeping abandoned checkouts', () => {
  let h: Harness;
  let table: TableContext;
  beforeAll(async () => {
    h = await createHarness();
    table = h.table;
  });
  afterAll(() => h.drop());

  const stockOf = async (id: string) =>
    ((await (await h.call('GET', `/v1/products/${id}`)).json()) as { stock: number }).stock;
  const sagaOf = async (cartId: string) =>
    (await h.scanAll()).find((i) => i.entity === 'checkout' && i.cartId === cartId);

  /** Starts a checkout whose process dies after `step` and is never retried. */
  async function abandon(customer: string, productId: string, step: CheckoutStep) {
    const token = await h.token(customer);
    const cartId = await cartWith(h, token, productId, 2, `abandon-${customer}`);
    const died = h.dieAt(step);
    void h.call('POST', '/v1/checkout', { token, key: `abandon-${customer}`, body: { cartId } });
    await died;
    h.rebuild();
    return { token, cartId };
  }

  it('gives back the stock of a checkout abandoned after authorizing; a late retry gets the same authorization', async () => {
    const before = await stockOf('sku-0005');
    const { token, cartId } = await abandon('cust-gone', 'sku-0005', 'authorized');
    expect(await stockOf('sku-0005')).toBe(before - 2);

    expect(await sweepAbandonedCheckouts(table)).toEqual({ compensated: [], alreadySettled: 0 });
    h.clock.now += ABANDONED_AFTER_MS + 1000;
    const swept = await sweepAbandonedCheckouts(table);
    expect(swept.compensated).toHaveLength(1);
    expect(await stockOf('sku-0005')).toBe(before);
    expect(await sagaOf(cartId)).toMatchObject({ state: 'compensated', providerOutcomeUnknown: true });
    expect(await sweepAbandonedCheckouts(table)).toEqual({ compensated: [], alreadySettled: 0 });

    const audit = await h.call(
      'GET',
      `/v1/admin/audit?resourceType=checkout&resourceId=${swept.compensated[0]}`,
      {
        token: await h.adminToken(),
      },
    );
    expect(((await audit.json()) as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ actor: 'system:checkout-sweeper', action: 'checkout.compensate' }),
    ]);

    // The customer comes back with the same key: one order, one authorization, stock taken once.
    const held = h.payments.activeAuthorizations.filter((a) => a.request.customerId === 'cust-gone');
    expect(held).toHaveLength(1);
    h.clock.now += IDEMPOTENCY_LOCK_MS;
    const retried = await h.call('POST', '/v1/checkout', {
      token,
      key: 'abandon-cust-gone',
      body: { cartId },
    });
    expect(retried.status).toBe(201);
    expect(((await retried.json()) as { authorizationId: string }).authorizationId).toBe(
      held[0]!.authorizationId,
    );
    expect(h.payments.activeAuthorizations.filter((a) => a.request.customerId === 'cust-gone')).toHaveLength(
      1,
    );
    expect(await stockOf('sku-0005')).toBe(before - 2);
    expect(await sagaOf(cartId)).toMatchObject({ state: 'completed' });
  });

  it('leaves young and finished checkouts alone', async () => {
    const { cartId: young } = await abandon('cust-slow', 'sku-0006', 'reserved');
    const token = await h.token('cust-done');
    const done = await cartWith(h, token, 'sku-0007', 1, 'done');
    expect(
      (await h.call('POST', '/v1/checkout', { token, key: 'done-1', body: { cartId: done } })).status,
    ).toBe(201);

    h.clock.now += ABANDONED_AFTER_MS - 60_000;
    expect(await sweepAbandonedCheckouts(table)).toEqual({ compensated: [], alreadySettled: 0 });
    expect(await sagaOf(young)).toMatchObject({ state: 'reserved' });
    h.clock.now += 120_000;
    expect((await sweepAbandonedCheckouts(table)).compensated).toHaveLength(1);
    expect(await sagaOf(done)).toMatchObject({ state: 'completed' });
  });

  it('recognises the scheduled task event and nothing else', () => {
    expect(isScheduledTask({ commerceTask: SCHEDULED_TASKS.sweepAbandonedCheckouts })).toBe(true);
    expect(isScheduledTask({ commerceTask: 'drop-tables' })).toBe(false);
    expect(isScheduledTask({ httpMethod: 'GET', path: '/v1/health' })).toBe(false);
    expect(isScheduledTask(null)).toBe(false);
  });
});
