import { REPLAYED_HEADER } from '../../../lambdas/core/idempotency';
import { cartWith, createHarness, type Harness } from './harness';

describe('Idempotency-Key semantics', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await createHarness();
    token = await h.token('cust-idem');
  });
  afterAll(() => h.drop());

  const carts = async () => (await h.scanAll()).filter((i) => i.entity === 'cart');

  it('requires the header on mutating routes (400 idempotency_key_missing, nothing written)', async () => {
    const before = await h.scanAll();
    const response = await h.call('POST', '/v1/carts', { token, body: {} });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'idempotency_key_missing' });
    expect(await h.scanAll()).toEqual(before);
  });

  it('rejects a key longer than 255 characters', async () => {
    const response = await h.call('POST', '/v1/carts', { token, body: {}, key: 'k'.repeat(256) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'idempotency_key_invalid' });
  });

  it('replays the first status and body verbatim with Idempotent-Replayed: true', async () => {
    const countBefore = (await carts()).length;
    const first = await h.call('POST', '/v1/carts', { token, key: 'same-1', body: { currency: 'USD' } });
    const firstBody = await first.text();
    h.clock.now += 60_000;
    const second = await h.call('POST', '/v1/carts', { token, key: 'same-1', body: { currency: 'USD' } });
    expect(second.status).toBe(first.status);
    expect(await second.text()).toBe(firstBody);
    expect(second.headers.get(REPLAYED_HEADER)).toBe('true');
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(first.headers.get(REPLAYED_HEADER)).toBeNull();
    expect((await carts()).length).toBe(countBefore + 1);
  });

  it('answers 422 idempotency_key_reused for the same key with another body', async () => {
    await h.call('POST', '/v1/carts', { token, key: 'reuse-1', body: { currency: 'USD' } });
    const response = await h.call('POST', '/v1/carts', { token, key: 'reuse-1', body: { currency: 'EUR' } });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('scopes keys to the caller: another customer may use the same key', async () => {
    await h.call('POST', '/v1/carts', { token, key: 'shared-key', body: {} });
    const other = await h.call('POST', '/v1/carts', {
      token: await h.token('cust-idem-2'),
      key: 'shared-key',
      body: {},
    });
    expect(other.status).toBe(201);
    expect(other.headers.get(REPLAYED_HEADER)).toBeNull();
  });

  it('answers 409 idempotency_key_in_use while the first request still runs', async () => {
    const cartId = await cartWith(h, token, 'sku-0004', 1, 'inuse');
    const hanging = h.dieAt('reserved');
    void h.call('POST', '/v1/checkout', { token, key: 'in-use-1', body: { cartId } });
    await hanging;
    const second = await h.call('POST', '/v1/checkout', { token, key: 'in-use-1', body: { cartId } });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ code: 'idempotency_key_in_use' });
    h.rebuild();
  });

  it('does not store a refusal that depends on data (404 cart): a retry decides again once the data is there', async () => {
    // A cart created in the other cell may not have replicated yet: storing this 404 as the key's final
    // answer would refuse the checkout for 24 h after the cart arrived.
    const missing = await h.call('POST', '/v1/checkout', {
      token,
      key: 'final-404',
      body: { cartId: '01JNOSUCHCART0000000000000' },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const before = await h.scanAll();
    const again = await h.call('POST', '/v1/checkout', {
      token,
      key: 'final-404',
      body: { cartId: '01JNOSUCHCART0000000000000' },
    });
    expect(again.status).toBe(404);
    expect(again.headers.get(REPLAYED_HEADER)).toBeNull();
    expect(await h.scanAll()).toEqual(before);
  });

  it('stores a payment decline and replays it verbatim; nothing changes in between', async () => {
    const cartId = await cartWith(h, token, 'sku-0006', 1, 'declined');
    const first = await h.call('POST', '/v1/checkout', {
      token,
      key: 'final-declined',
      body: { cartId, paymentMethod: 'pm_card_declined' },
    });
    expect(first.status).toBe(402);
    const body = await first.text();
    const before = await h.scanAll();
    const again = await h.call('POST', '/v1/checkout', {
      token,
      key: 'final-declined',
      body: { cartId, paymentMethod: 'pm_card_declined' },
    });
    expect(again.status).toBe(402);
    expect(again.headers.get(REPLAYED_HEADER)).toBe('true');
    expect(await again.text()).toBe(body);
    expect(await h.scanAll()).toEqual(before);
  });

  it('releases the key after a transient failure so a retry succeeds', async () => {
    const cartId = await cartWith(h, token, 'sku-0005', 2, 'transient');
    h.payments.setMode('fail');
    const failed = await h.call('POST', '/v1/checkout', { token, key: 'transient-1', body: { cartId } });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).not.toBeNull();
    expect(((await (await h.call('GET', '/v1/products/sku-0005')).json()) as { stock: number }).stock).toBe(
      100,
    );
    h.payments.setMode(undefined);
    const retried = await h.call('POST', '/v1/checkout', { token, key: 'transient-1', body: { cartId } });
    expect(retried.status).toBe(201);
    expect(retried.headers.get(REPLAYED_HEADER)).toBeNull();
    expect(((await (await h.call('GET', '/v1/products/sku-0005')).json()) as { stock: number }).stock).toBe(
      98,
    );
  });

  it('keeps records 24 h through the expiresAt TTL attribute', async () => {
    await h.call('POST', '/v1/carts', { token, key: 'ttl-1', body: {} });
    const record = (await h.scanAll()).find((i) => i.pk === 'IDEMPOTENCY#cust-idem#ttl-1');
    expect(record).toMatchObject({ state: 'completed', expiresAt: Math.floor(h.clock.now / 1000) + 86_400 });
  });
});
