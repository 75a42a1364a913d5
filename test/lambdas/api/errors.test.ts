import { Logger } from '@aws-lambda-powertools/logger';
import { cartWith, createHarness, type Harness } from './harness';

const PROBLEM = 'application/problem+json';

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe(PROBLEM);
  return (await response.json()) as Record<string, unknown>;
}

describe('errors are RFC 9457 problems with a stable code and the correlation id', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await createHarness();
    token = await h.token('cust-errors');
  });
  afterAll(() => h.drop());

  it.each([
    ['malformed JSON', { body: '{"currency":', headers: {} }, 400, 'malformed_json'],
    [
      'wrong content type',
      { body: 'currency=EUR', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
    ['schema violation', { body: { currency: 'XXX' }, headers: {} }, 400, 'validation_failed'],
    ['unknown field', { body: { currency: 'EUR', admin: true }, headers: {} }, 400, 'validation_failed'],
    [
      'oversized body',
      { body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), headers: {} },
      413,
      'payload_too_large',
    ],
  ])('%s is a 4xx problem and writes nothing', async (_name, request, status, code) => {
    const before = await h.scanAll();
    const response = await h.call('POST', '/v1/carts', { token, key: `err-${code}`, ...request });
    expect(response.status).toBe(status);
    expect(await problemOf(response)).toMatchObject({ status, code, correlationId: expect.any(String) });
    expect(await h.scanAll()).toEqual(before);
  });

  it('answers an unknown route with 404 route_not_found', async () => {
    const response = await h.call('GET', '/v1/nope');
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({ code: 'route_not_found' });
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const response = await h.call('DELETE', '/v1/products');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain('GET');
    expect(await problemOf(response)).toMatchObject({ code: 'method_not_allowed' });
  });

  it('answers an unexpected failure with 500 and no stack trace', async () => {
    h.rebuild({
      paymentProvider: {
        authorize: async () => {
          throw new TypeError('provider bug at secret.ts:42');
        },
        void: async () => undefined,
        findByKey: async () => undefined,
      },
    });
    try {
      const cartId = (await (
        await h.call('POST', '/v1/carts', { token, key: 'e500-cart', body: {} })
      ).json()) as {
        id: string;
      };
      await h.call('POST', `/v1/carts/${cartId.id}/items`, {
        token,
        key: 'e500-add',
        body: { productId: 'sku-0002', quantity: 1 },
      });
      const response = await h.call('POST', '/v1/checkout', {
        token,
        key: 'e500',
        body: { cartId: cartId.id },
      });
      expect(response.status).toBe(500);
      const body = await problemOf(response);
      expect(body).toMatchObject({ code: 'internal_error' });
      expect(JSON.stringify(body)).not.toMatch(/secret\.ts|TypeError|at /);
      // The failure released the reserved stock.
      expect(((await (await h.call('GET', '/v1/products/sku-0002')).json()) as { stock: number }).stock).toBe(
        100,
      );
    } finally {
      h.rebuild();
    }
  });
});

describe('correlation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.drop());

  it('echoes x-correlation-id and writes it into logs, events and the audit entry', async () => {
    const logger = new Logger({ logLevel: 'SILENT' });
    const info = jest.spyOn(logger, 'info');
    h.rebuild({ logger });
    const token = await h.token('cust-corr');
    const response = await h.call('POST', '/v1/carts', {
      token,
      key: 'corr-1',
      body: {},
      headers: { 'x-correlation-id': 'corr-abc-123' },
    });
    expect(response.headers.get('x-correlation-id')).toBe('corr-abc-123');
    expect(info).toHaveBeenCalledWith('request', expect.objectContaining({ correlationId: 'corr-abc-123' }));
    const items = await h.scanAll();
    const outbox = items.filter((i) => i.entity === 'outbox');
    expect(outbox.map((i) => (i.envelope as { correlationId: string }).correlationId)).toEqual([
      'corr-abc-123',
    ]);
    const audit = await h.call('GET', '/v1/admin/audit?correlationId=corr-abc-123', {
      token: await h.adminToken(),
    });
    const entries = ((await audit.json()) as { items: { action: string; correlationId: string }[] }).items;
    expect(entries).toEqual([
      expect.objectContaining({ action: 'cart.create', correlationId: 'corr-abc-123' }),
    ]);
  });

  it('takes the trace id of a W3C traceparent when no correlation id is given, else generates one', async () => {
    const traced = await h.call('GET', '/v1/products/sku-0001', {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(traced.headers.get('x-correlation-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const fresh = await h.call('GET', '/v1/products/sku-0001');
    expect(fresh.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('a deployment without a payment provider', () => {
  it('refuses checkout with 503 and releases the stock instead of approving through a simulator', async () => {
    // Prepare: the production default (no paymentProvider injected).
    const h = await createHarness({ paymentProvider: undefined });
    try {
      const token = await h.token('buyer-unconfigured');
      const cartId = await cartWith(h, token, 'sku-0003', 2, 'unconfigured');
      // Act
      const response = await h.call('POST', '/v1/checkout', {
        token,
        key: 'unconfigured-checkout',
        body: { cartId },
      });
      // Assess
      expect(response.status).toBe(503);
      expect(((await response.json()) as { code: string }).code).toBe('payment_unavailable');
      const product = (await (await h.call('GET', '/v1/products/sku-0003')).json()) as { stock: number };
      expect(product.stock).toBe(100);
    } finally {
      await h.drop();
    }
  });
});
