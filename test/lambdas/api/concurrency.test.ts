import { seedDemoCatalog } from '../../../lambdas/adapters/catalog-seed';
import { cartWith, createHarness, type Harness } from './harness';

// The intent is correctness under contention (no oversell, no 5xx), not speed: on a loaded host fifty writers
// retrying on the same audit chain heads take longer than jest's default minute.
jest.setTimeout(180_000);

describe('concurrent checkouts never oversell', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await seedDemoCatalog({ documentClient: h.documentClient, tableName: h.tableName }, [
      {
        id: 'limited-1',
        name: 'Limited edition',
        description: 'Ten units only',
        priceMinor: 9900,
        currency: 'EUR',
        stock: 10,
      },
    ]);
  });
  afterAll(() => h.drop());

  it('50 parallel checkouts for 10 units -> exactly 10 orders and stock 0', async () => {
    const buyers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const token = await h.token(`buyer-${i}`);
        return { token, cartId: await cartWith(h, token, 'limited-1', 1, `buyer-${i}`) };
      }),
    );

    const responses = await Promise.all(
      buyers.map(({ token, cartId }, i) =>
        h.call('POST', '/v1/checkout', { token, key: `buy-${i}`, body: { cartId } }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 409)).toBe(true);

    const product = (await (await h.call('GET', '/v1/products/limited-1')).json()) as { stock: number };
    expect(product.stock).toBe(0);
    const orders = (await h.scanAll()).filter((i) => i.entity === 'order');
    expect(orders).toHaveLength(10);
    expect(h.payments.activeAuthorizations).toHaveLength(10);

    const verify = await h.call('GET', '/v1/admin/audit/verify', { token: await h.adminToken() });
    expect(await verify.json()).toMatchObject({ valid: true });
  });

  it('two checkouts of the same cart with different keys -> one order, the loser compensated', async () => {
    const token = await h.token('double-buyer');
    const cartId = await cartWith(h, token, 'sku-0012', 2, 'double');
    const stockBefore = ((await (await h.call('GET', '/v1/products/sku-0012')).json()) as { stock: number })
      .stock;
    const [a, b] = await Promise.all([
      h.call('POST', '/v1/checkout', { token, key: 'double-a', body: { cartId } }),
      h.call('POST', '/v1/checkout', { token, key: 'double-b', body: { cartId } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const stockAfter = ((await (await h.call('GET', '/v1/products/sku-0012')).json()) as { stock: number })
      .stock;
    expect(stockAfter).toBe(stockBefore - 2);
    const orders = (await h.scanAll()).filter((i) => i.entity === 'order' && i.customerId === 'double-buyer');
    expect(orders).toHaveLength(1);
    const live = h.payments.activeAuthorizations.filter((x) => x.request.customerId === 'double-buyer');
    expect(live).toHaveLength(1);
  });
});
