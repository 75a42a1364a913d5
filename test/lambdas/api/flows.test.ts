import { PUBLIC_CATALOG_STALE_IF_ERROR_SECONDS } from '../../../lambdas/core/data-classification';
import { createHarness, type Harness } from './harness';

describe('commerce flows on one cell', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.drop());

  it('lists products with a cursor and serves one product with public caching', async () => {
    const first = await h.call('GET', '/v1/products?limit=5');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toMatch(/^public/);
    const page = (await first.json()) as { items: { id: string }[]; nextCursor?: string };
    expect(page.items).toHaveLength(5);
    const second = (await (await h.call('GET', `/v1/products?limit=5&cursor=${page.nextCursor}`)).json()) as {
      items: { id: string }[];
    };
    expect(second.items.map((p) => p.id)).not.toContain(page.items[0]!.id);

    const one = await h.call('GET', `/v1/products/${page.items[0]!.id}`);
    expect(one.status).toBe(200);
    expect(one.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    // CDNs keep serving the catalog while every cell of the zone fails (RFC 5861).
    for (const response of [first, one]) {
      expect(response.headers.get('cache-control')).toContain(
        `stale-if-error=${PUBLIC_CATALOG_STALE_IF_ERROR_SECONDS}`,
      );
    }
  });

  it('searches products by text', async () => {
    const found = (await (await h.call('GET', '/v1/products?q=merino&limit=100')).json()) as {
      items: { name: string }[];
    };
    expect(found.items.map((p) => p.name)).toEqual(['Merino base layer']);
  });

  it('runs cart -> checkout -> order -> cancel and moves stock both ways', async () => {
    const token = await h.token('cust-flow');
    const cart = await h.call('POST', '/v1/carts', { token, key: 'flow-cart', body: { currency: 'EUR' } });
    expect(cart.status).toBe(201);
    const { id: cartId } = (await cart.json()) as { id: string };
    const added = await h.call('POST', `/v1/carts/${cartId}/items`, {
      token,
      key: 'flow-add',
      body: { productId: 'sku-0001', quantity: 3 },
    });
    expect(((await added.json()) as { lines: unknown[] }).lines).toHaveLength(1);
    const set = await h.call('PUT', `/v1/carts/${cartId}/items/sku-0001`, {
      token,
      key: 'flow-set',
      body: { quantity: 2 },
    });
    expect(((await set.json()) as { totalMinor: number }).totalMinor).toBe(3000);

    const checkout = await h.call('POST', '/v1/checkout', { token, key: 'flow-checkout', body: { cartId } });
    expect(checkout.status).toBe(201);
    const order = (await checkout.json()) as { id: string; status: string };
    expect(order.status).toBe('placed');
    const stockAfterOrder = (await (await h.call('GET', '/v1/products/sku-0001')).json()) as {
      stock: number;
    };
    expect(stockAfterOrder.stock).toBe(98);

    const listed = (await (await h.call('GET', '/v1/orders', { token })).json()) as {
      items: { id: string }[];
    };
    expect(listed.items.map((o) => o.id)).toEqual([order.id]);

    const cancelled = await h.call('POST', `/v1/orders/${order.id}/cancel`, { token, key: 'flow-cancel' });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { status: string }).status).toBe('cancelled');
    const stockAfterCancel = (await (await h.call('GET', '/v1/products/sku-0001')).json()) as {
      stock: number;
    };
    expect(stockAfterCancel.stock).toBe(100);
    expect(h.payments.activeAuthorizations).toHaveLength(0);

    // A second cancel (another key) is refused and moves no stock twice.
    const again = await h.call('POST', `/v1/orders/${order.id}/cancel`, { token, key: 'flow-cancel-2' });
    expect(again.status).toBe(409);
    expect(((await (await h.call('GET', '/v1/products/sku-0001')).json()) as { stock: number }).stock).toBe(
      100,
    );
  });

  it("reads back a cart, removes a line, and pages through a customer's orders", async () => {
    const token = await h.token('cust-pages');
    const { id: cartId } = (await (
      await h.call('POST', '/v1/carts', { token, key: 'pages-cart', body: {} })
    ).json()) as { id: string };
    for (const productId of ['sku-0002', 'sku-0003'])
      await h.call('POST', `/v1/carts/${cartId}/items`, {
        token,
        key: `pages-add-${productId}`,
        body: { productId, quantity: 1 },
      });
    const removed = await h.call('DELETE', `/v1/carts/${cartId}/items/sku-0002`, { token, key: 'pages-rm' });
    expect(removed.status).toBe(200);
    const cart = (await (await h.call('GET', `/v1/carts/${cartId}`, { token })).json()) as {
      lines: { productId: string }[];
      status: string;
    };
    expect(cart).toMatchObject({ status: 'open', lines: [{ productId: 'sku-0003' }] });

    // Three orders, newest first, two per page.
    const placed: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { id } = (await (
        await h.call('POST', '/v1/carts', { token, key: `pages-cart-${i}`, body: {} })
      ).json()) as { id: string };
      await h.call('POST', `/v1/carts/${id}/items`, {
        token,
        key: `pages-item-${i}`,
        body: { productId: 'sku-0004', quantity: 1 },
      });
      h.clock.now += 1000;
      const order = await h.call('POST', '/v1/checkout', {
        token,
        key: `pages-co-${i}`,
        body: { cartId: id },
      });
      placed.push(((await order.json()) as { id: string }).id);
    }
    const first = (await (await h.call('GET', '/v1/orders?limit=2', { token })).json()) as {
      items: { id: string }[];
      nextCursor: string;
    };
    const second = (await (
      await h.call('GET', `/v1/orders?limit=2&cursor=${first.nextCursor}`, { token })
    ).json()) as { items: { id: string }[]; nextCursor?: string };
    expect([...first.items, ...second.items].map((o) => o.id)).toEqual([...placed].reverse());

    const one = await h.call('GET', `/v1/orders/${placed[0]}`, { token });
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ id: placed[0], customerId: 'cust-pages', status: 'placed' });
    expect(
      (await h.call('GET', `/v1/orders/${placed[0]}`, { token: await h.token('cust-nosy') })).status,
    ).toBe(404);
  });

  it('keeps other customers out of a cart', async () => {
    const owner = await h.token('cust-owner');
    const other = await h.token('cust-other');
    const { id } = (await (
      await h.call('POST', '/v1/carts', { token: owner, key: 'own-cart', body: {} })
    ).json()) as {
      id: string;
    };
    expect((await h.call('GET', `/v1/carts/${id}`, { token: other })).status).toBe(404);
  });
});
