import { createTwoCells, type Region, type TwoCells } from './two-cells';

/**
 * The promises of "Failover without losing or duplicating anything", from the operator's and the
 * client's side: two cells of one zone, replication held back so the first cell's writes have not
 * reached the second when the client retries there (an unplanned failover) or when both take writes
 * (a split), then released, converged and reconciled. Every call's status is checked before its effect.
 */
/** Bounded waits on replication inside; generous per-test bounds so a loaded machine is slow, not red. */
jest.setTimeout(300_000);

describe('failover across the two cells of a zone', () => {
  let cells: TwoCells;
  let admin: string;
  beforeAll(async () => {
    cells = await createTwoCells();
    admin = await cells.adminToken();
  }, 120_000);
  afterAll(() => cells.close());
  afterEach(() => cells.replicator.resume());

  const stockOf = async (region: Region, productId: string) => {
    const response = await cells.call(region, 'GET', `/v1/products/${productId}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { stock: number }).stock;
  };

  async function cartWith(region: Region, token: string, productId: string, quantity: number, tag: string) {
    const created = await cells.call(region, 'POST', '/v1/carts', { token, key: `${tag}-cart`, body: {} });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const added = await cells.call(region, 'POST', `/v1/carts/${id}/items`, {
      token,
      key: `${tag}-add`,
      body: { productId, quantity },
    });
    expect(added.status).toBe(200);
    return id;
  }

  async function reconcile(region: Region, tag: string) {
    const response = await cells.call(region, 'POST', '/v1/admin/reconciliation', { token: admin, key: tag });
    expect(response.status).toBe(200);
    return (await response.json()) as {
      stockCorrected: { productId: string; before: number; after: number }[];
      supersededSales: unknown[];
      unsoldAuthorizations: {
        checkoutId: string;
        attempt: number;
        authorizationId: string;
        voided: boolean;
      }[];
      reErased: string[];
      needsAPerson: unknown[];
    };
  }

  it('a checkout retried in the other cell before its first run replicated places one order, one authorization, one event, one decrement', async () => {
    // Prepare: the cart is everywhere; then replication stops, as when the primary region is lost.
    const token = await cells.token('shopper-retry');
    const stockBefore = await stockOf('us-east-1', 'sku-0001');
    const cartId = await cartWith('us-east-1', token, 'sku-0001', 2, 'retry');
    await cells.converged();
    cells.replicator.pause();
    // Act: the first run commits in us-east-1; the client never hears back and retries in us-west-2.
    const first = await cells.call('us-east-1', 'POST', '/v1/checkout', {
      token,
      key: 'checkout-retry',
      body: { cartId },
    });
    expect(first.status).toBe(201);
    const retried = await cells.call('us-west-2', 'POST', '/v1/checkout', {
      token,
      key: 'checkout-retry',
      body: { cartId },
    });
    expect(retried.status).toBe(201);
    cells.replicator.resume();
    await cells.converged();
    const report = await reconcile('us-west-2', 'reconcile-retry');
    await cells.converged();
    // Assess: the same order; one live authorization; one order.v1.placed fact; stock taken once.
    const order = (await first.json()) as { id: string; authorizationId: string };
    const again = (await retried.json()) as { id: string; authorizationId: string };
    expect(again.id).toBe(order.id);
    expect(again.authorizationId).toBe(order.authorizationId);
    const items = await cells.scan('us-west-2');
    expect(items.filter((i) => i.entity === 'order' && i.id === order.id)).toHaveLength(1);
    const placedEvents = items
      .filter((i) => i.entity === 'outbox')
      .map((i) => i.envelope as { eventId: string; eventType: string; data: { orderId?: string } })
      .filter((e) => e.eventType === 'order.v1.placed' && e.data.orderId === order.id);
    expect(placedEvents).toHaveLength(1);
    const checkoutId = order.id.slice('ord_'.length);
    const authorizations = cells.payments.authorizations.filter((a) =>
      a.request.idempotencyKey.startsWith(checkoutId),
    );
    expect(authorizations.filter((a) => !a.voided)).toHaveLength(1);
    expect(report.needsAPerson).toEqual([]);
    for (const region of ['us-east-1', 'us-west-2'] as const)
      expect(await stockOf(region, 'sku-0001')).toBe(stockBefore - 2);
  });

  it('a retry on a replica holding part of the checkout (its saga completed, not its order) answers the same order and takes nothing twice', async () => {
    // Prepare: the cart is everywhere; the first run commits in us-east-1 with replication held.
    const token = await cells.token('shopper-torn');
    const stockBefore = await stockOf('us-east-1', 'sku-0003');
    const cartId = await cartWith('us-east-1', token, 'sku-0003', 1, 'torn');
    await cells.converged();
    cells.replicator.pause();
    const first = await cells.call('us-east-1', 'POST', '/v1/checkout', {
      token,
      key: 'checkout-torn',
      body: { cartId },
    });
    expect(first.status).toBe(201);
    const order = (await first.json()) as { id: string; authorizationId: string };
    const checkoutId = order.id.slice('ord_'.length);
    // Only the saga item of its final transaction reached us-west-2: a torn transaction on the replica.
    const copied = await cells.copy(
      'us-east-1',
      'us-west-2',
      (item) => item.entity === 'checkout' && item.checkoutId === checkoutId,
    );
    expect(copied).toBe(1);
    const sagaWhileTorn = (await cells.scan('us-west-2')).find(
      (item) => item.entity === 'checkout' && item.checkoutId === checkoutId,
    );
    // Act: the client never heard back and retries in us-west-2 while the replica is torn.
    const torn = await cells.call('us-west-2', 'POST', '/v1/checkout', {
      token,
      key: 'checkout-torn',
      body: { cartId },
    });
    expect(torn.status).toBe(201);
    const answered = (await torn.json()) as { id: string; authorizationId: string };
    cells.replicator.resume();
    await cells.converged();
    const report = await reconcile('us-east-1', 'reconcile-torn');
    await cells.converged();
    // Assess: the replica was torn; the retry converged on the same order and authorization, nothing was
    // voided or compensated, and after the merge there is one order, one placed event, one decrement.
    expect(sagaWhileTorn?.state).toBe('completed');
    expect(answered.id).toBe(order.id);
    expect(answered.authorizationId).toBe(order.authorizationId);
    const authorizations = cells.payments.authorizations.filter((a) =>
      a.request.idempotencyKey.startsWith(checkoutId),
    );
    expect(authorizations.map((a) => [a.authorizationId, a.voided])).toEqual([
      [order.authorizationId, false],
    ]);
    const items = await cells.scan('us-west-2');
    expect(items.filter((i) => i.entity === 'order' && i.id === order.id)).toHaveLength(1);
    const placedEvents = items
      .filter((i) => i.entity === 'outbox')
      .map((i) => i.envelope as { eventType: string; data: { orderId?: string } })
      .filter((e) => e.eventType === 'order.v1.placed' && e.data.orderId === order.id);
    expect(placedEvents).toHaveLength(1);
    expect(report.needsAPerson).toEqual([]);
    for (const region of ['us-east-1', 'us-west-2'] as const)
      expect(await stockOf(region, 'sku-0003')).toBe(stockBefore - 1);
  });

  it('a checkout whose first attempt failed, retried in both cells during a split, asks the provider under one key: one authorization held', async () => {
    // Prepare: the first attempt fails at the provider (outcome known) and its compensation replicates.
    const token = await cells.token('shopper-second-attempt');
    const stockBefore = await stockOf('us-east-1', 'sku-0004');
    const cartId = await cartWith('us-east-1', token, 'sku-0004', 1, 'second-attempt');
    await cells.converged();
    cells.payments.setMode('fail');
    const failed = await cells
      .call('us-east-1', 'POST', '/v1/checkout', {
        token,
        key: 'checkout-second-attempt',
        body: { cartId },
      })
      .finally(() => cells.payments.setMode(undefined));
    const failedStatus = failed.status;
    await failed.arrayBuffer();
    await cells.converged();
    cells.replicator.pause();
    // Act: the client retries in each cell while neither sees the other's second attempt (a split).
    const east = await cells.call('us-east-1', 'POST', '/v1/checkout', {
      token,
      key: 'checkout-second-attempt',
      body: { cartId },
    });
    const west = await cells.call('us-west-2', 'POST', '/v1/checkout', {
      token,
      key: 'checkout-second-attempt',
      body: { cartId },
    });
    expect([failedStatus, east.status, west.status]).toEqual([503, 201, 201]);
    const eastOrder = (await east.json()) as { id: string; authorizationId: string };
    const westOrder = (await west.json()) as { id: string; authorizationId: string };
    cells.replicator.resume();
    await cells.converged();
    const report = await reconcile('us-east-1', 'reconcile-second-attempt');
    await cells.converged();
    // Assess: both runs numbered the attempt 2 from the same replicated history, so the shared provider
    // saw one key and held one authorization, which the one order names; stock was taken once.
    const checkoutId = eastOrder.id.slice('ord_'.length);
    expect(westOrder).toMatchObject({ id: eastOrder.id, authorizationId: eastOrder.authorizationId });
    const held = cells.payments.activeAuthorizations.filter((a) =>
      a.request.idempotencyKey.startsWith(checkoutId),
    );
    expect(held.map((a) => [a.request.idempotencyKey, a.authorizationId])).toEqual([
      [`${checkoutId}-2`, eastOrder.authorizationId],
    ]);
    const orders = (await cells.scan('us-west-2')).filter(
      (i) => i.entity === 'order' && i.id === eastOrder.id,
    );
    expect(orders.map((o) => o.authorizationId)).toEqual([eastOrder.authorizationId]);
    expect(report.needsAPerson).toEqual([]);
    for (const region of ['us-east-1', 'us-west-2'] as const)
      expect(await stockOf(region, 'sku-0004')).toBe(stockBefore - 1);
  });

  it('a checkout sold in both cells under two attempts during a split is sold once after reconciliation: one decrement, one authorization held', async () => {
    // Prepare: the cart is everywhere; then a split.
    const token = await cells.token('shopper-divergent');
    const stockBefore = await stockOf('us-east-1', 'sku-0006');
    const cartId = await cartWith('us-east-1', token, 'sku-0006', 1, 'divergent');
    await cells.converged();
    cells.replicator.pause();
    // Act: us-east-1's first attempt fails at the provider (compensated); us-west-2, seeing nothing of it,
    // runs attempt 1 to an order; the client then retries in us-east-1, which runs attempt 2 to an order.
    const call = (region: Region) =>
      cells.call(region, 'POST', '/v1/checkout', { token, key: 'checkout-divergent', body: { cartId } });
    cells.payments.setMode('fail');
    const eastFailed = await call('us-east-1').finally(() => cells.payments.setMode(undefined));
    const westPlaced = await call('us-west-2');
    const eastPlaced = await call('us-east-1');
    expect([eastFailed.status, westPlaced.status, eastPlaced.status]).toEqual([503, 201, 201]);
    await eastFailed.arrayBuffer();
    const west = (await westPlaced.json()) as { id: string; authorizationId: string };
    const east = (await eastPlaced.json()) as { id: string; authorizationId: string };
    cells.replicator.resume();
    await cells.converged();
    const report = await reconcile('us-east-1', 'reconcile-divergent');
    await cells.converged();
    const again = await reconcile('us-east-1', 'reconcile-divergent-again');
    // Assess: one order (its id derives from the checkout) naming one authorization; the other attempt's
    // authorization voided and its unit back in stock, in both regions; a second run changes nothing.
    expect(west.id).toBe(east.id);
    expect(west.authorizationId).not.toBe(east.authorizationId);
    const checkoutId = east.id.slice('ord_'.length);
    const orders = (await cells.scan('us-west-2')).filter((i) => i.entity === 'order' && i.id === east.id);
    expect(orders).toHaveLength(1);
    const named = orders[0]!.authorizationId as string;
    const held = cells.payments.activeAuthorizations.filter((a) =>
      a.request.idempotencyKey.startsWith(checkoutId),
    );
    expect(held.map((a) => a.authorizationId)).toEqual([named]);
    const supersededAttempt = named === west.authorizationId ? 2 : 1;
    expect(report.supersededSales).toEqual([
      {
        checkoutId,
        attempt: supersededAttempt,
        productIds: ['sku-0006'],
        authorizationId: named === west.authorizationId ? east.authorizationId : west.authorizationId,
        voided: true,
      },
    ]);
    expect(report.needsAPerson).toEqual([]);
    for (const region of ['us-east-1', 'us-west-2'] as const)
      expect(await stockOf(region, 'sku-0006')).toBe(stockBefore - 1);
    expect(again.stockCorrected).toEqual([]);
    expect(again.needsAPerson).toEqual([]);
  });

  it('an attempt that authorized and never sold has its authorization voided by reconciliation; a retry in the cell that has not seen that sells on a new one, never on the voided one', async () => {
    // Prepare: the provider authorizes attempt 1 but its answer never arrives (as when the cell is lost
    // between authorizing and placing): the saga is compensated, outcome unknown, and the money is held.
    const token = await cells.token('shopper-unsold');
    const stockBefore = await stockOf('us-east-1', 'sku-0007');
    const cartId = await cartWith('us-east-1', token, 'sku-0007', 1, 'unsold');
    await cells.converged();
    const call = (region: Region) =>
      cells.call(region, 'POST', '/v1/checkout', { token, key: 'checkout-unsold', body: { cartId } });
    cells.payments.setMode('late');
    const lost = await call('us-east-1').finally(() => cells.payments.setMode(undefined));
    const lostStatus = lost.status;
    await lost.arrayBuffer();
    await cells.converged();
    const heldBefore = cells.payments.activeAuthorizations
      .filter((a) => a.request.customerId === 'shopper-unsold')
      .map((a) => a.request.idempotencyKey);
    // Act: reconciliation in us-east-1 while us-west-2 cannot see its result; the client retries there.
    cells.replicator.pause();
    const report = await reconcile('us-east-1', 'reconcile-unsold');
    const retried = await call('us-west-2');
    const retriedStatus = retried.status;
    const order = (await retried.json()) as { id: string; authorizationId: string };
    cells.replicator.resume();
    await cells.converged();
    const again = await call('us-east-1');
    const againStatus = again.status;
    const sameOrder = (await again.json()) as { id: string; authorizationId: string };
    const second = await reconcile('us-east-1', 'reconcile-unsold-again');
    await cells.converged();
    // Assess: attempt 1's authorization voided once; the retry (whose replica still said "ask again under
    // attempt 1's key") got `voided` back and sold under attempt 2; one authorization held, the order's.
    expect([lostStatus, retriedStatus, againStatus]).toEqual([503, 201, 201]);
    const checkoutId = order.id.slice('ord_'.length);
    expect(heldBefore).toEqual([`${checkoutId}-1`]);
    const voidedFirst = cells.payments.authorizations.find(
      (a) => a.request.idempotencyKey === `${checkoutId}-1`,
    );
    expect(report.unsoldAuthorizations).toEqual([
      { checkoutId, attempt: 1, authorizationId: voidedFirst!.authorizationId, voided: true },
    ]);
    expect(voidedFirst!.voided).toBe(true);
    expect(order.authorizationId).not.toBe(voidedFirst!.authorizationId);
    expect(sameOrder).toMatchObject({ id: order.id, authorizationId: order.authorizationId });
    const held = cells.payments.activeAuthorizations.filter((a) =>
      a.request.idempotencyKey.startsWith(checkoutId),
    );
    expect(held.map((a) => [a.request.idempotencyKey, a.authorizationId])).toEqual([
      [`${checkoutId}-2`, order.authorizationId],
    ]);
    expect(second.unsoldAuthorizations).toEqual([]);
    expect([report.needsAPerson, second.needsAPerson]).toEqual([[], []]);
    for (const region of ['us-east-1', 'us-west-2'] as const)
      expect(await stockOf(region, 'sku-0007')).toBe(stockBefore - 1);
  });

  it('stock decrements acknowledged on both sides of a split all count after reconciliation', async () => {
    // Prepare
    const east = await cells.token('shopper-east');
    const west = await cells.token('shopper-west');
    const stockBefore = await stockOf('us-east-1', 'sku-0002');
    const eastCart = await cartWith('us-east-1', east, 'sku-0002', 2, 'split-east');
    const westCart = await cartWith('us-east-1', west, 'sku-0002', 3, 'split-west');
    await cells.converged();
    cells.replicator.pause();
    // Act: both cells take a checkout of the same product while they cannot see each other.
    const inEast = await cells.call('us-east-1', 'POST', '/v1/checkout', {
      token: east,
      key: 'split-east-checkout',
      body: { cartId: eastCart },
    });
    expect(inEast.status).toBe(201);
    const inWest = await cells.call('us-west-2', 'POST', '/v1/checkout', {
      token: west,
      key: 'split-west-checkout',
      body: { cartId: westCart },
    });
    expect(inWest.status).toBe(201);
    cells.replicator.resume();
    await cells.converged();
    // Last writer wins kept one region's counter: one of the two decrements is not in it.
    const afterMerge = await stockOf('us-east-1', 'sku-0002');
    const report = await reconcile('us-east-1', 'reconcile-split');
    await cells.converged();
    // Assess
    expect(afterMerge).not.toBe(stockBefore - 5);
    expect(report.stockCorrected).toContainEqual({
      productId: 'sku-0002',
      before: afterMerge,
      after: stockBefore - 5,
    });
    for (const region of ['us-east-1', 'us-west-2'] as const)
      expect(await stockOf(region, 'sku-0002')).toBe(stockBefore - 5);
  });

  it('an erasure acknowledged on one side is not undone by a profile update on the other', async () => {
    // Prepare
    const token = await cells.token('person-1');
    const created = await cells.call('us-east-1', 'POST', '/v1/customers', {
      token,
      key: 'person-create',
      body: { email: 'person-1@example.com', name: 'Person One', country: 'US' },
    });
    expect(created.status).toBe(201);
    await cells.converged();
    cells.replicator.pause();
    // Act: erased in us-east-1; updated later in us-west-2, which has not seen the erasure.
    const erased = await cells.call('us-east-1', 'DELETE', '/v1/customers/person-1', {
      token,
      key: 'person-erase',
    });
    expect(erased.status).toBe(200);
    // The update below is the later write for last writer wins only once the erasure has been read.
    await cells.streamed();
    const updated = await cells.call('us-west-2', 'PATCH', '/v1/customers/person-1', {
      token,
      key: 'person-update',
      body: { name: 'Person Renamed' },
    });
    expect(updated.status).toBe(200);
    cells.replicator.resume();
    await cells.converged();
    const whileMerged = await cells.call('us-west-2', 'GET', '/v1/customers/person-1', { token });
    const report = await reconcile('us-east-1', 'reconcile-erasure');
    await cells.converged();
    // Assess: never served after the merge; no personal data left in either region after reconciliation.
    expect(whileMerged.status).toBe(404);
    expect(report.reErased).toEqual(['person-1']);
    for (const region of ['us-east-1', 'us-west-2'] as const) {
      const text = JSON.stringify(await cells.scan(region));
      expect(text).not.toContain('person-1@example.com');
      expect(text).not.toContain('Person Renamed');
    }
  });
  it('an erasure that wins the merge leaves no personal data in a response the other side stored during the split', async () => {
    // Prepare
    const token = await cells.token('person-2');
    const created = await cells.call('us-east-1', 'POST', '/v1/customers', {
      token,
      key: 'person-2-create',
      body: { email: 'person-2@example.com', name: 'Person Two', country: 'US' },
    });
    expect(created.status).toBe(201);
    await cells.converged();
    cells.replicator.pause();
    // Act: renamed in us-west-2 first (its answer, with the new name, stored under the key), then erased
    // in us-east-1 once the rename was read: the erasure is the later write and wins the profile.
    const renamed = await cells.call('us-west-2', 'PATCH', '/v1/customers/person-2', {
      token,
      key: 'person-2-rename',
      body: { name: 'Person Two Renamed' },
    });
    expect(renamed.status).toBe(200);
    await cells.streamed();
    const erased = await cells.call('us-east-1', 'DELETE', '/v1/customers/person-2', {
      token,
      key: 'person-2-erase',
    });
    expect(erased.status).toBe(200);
    cells.replicator.resume();
    await cells.converged();
    const report = await reconcile('us-east-1', 'reconcile-erasure-wins');
    await cells.converged();
    // Assess: no profile came back, yet the stored rename response is gone too.
    expect(report.reErased).toEqual([]);
    for (const region of ['us-east-1', 'us-west-2'] as const) {
      const text = JSON.stringify(await cells.scan(region));
      expect(text).not.toContain('person-2@example.com');
      expect(text).not.toContain('Person Two Renamed');
    }
  });
});
