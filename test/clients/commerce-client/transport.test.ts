import { createCommerceClient } from '../../../clients/commerce-client/client';
import { CommerceUnavailableError } from '../../../clients/commerce-client/transport';
import { FakeZone } from './support/fake-zone';
import { testClient } from './support/clients';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('resilient transport against a one-cell zone', () => {
  let zone: FakeZone;
  beforeEach(async () => {
    zone = await new FakeZone('global', ['r1']).start();
  });
  afterEach(() => zone.stop());

  it('sends traceparent and x-correlation-id on every attempt: one trace and id per call, a new span per attempt', async () => {
    let failures = 2;
    zone.primary.intercept = (r) =>
      r.path.startsWith('/v1/products') && failures-- > 0
        ? { status: 503, body: { code: 'internal_error', status: 503 } }
        : undefined;
    const { client } = testClient({ baseUrl: zone.primary.url });
    const { response } = await client.api.GET('/v1/products');
    expect(response.status).toBe(200);

    const sent = zone.primary.requests({ path: '/v1/products' });
    expect(sent).toHaveLength(3);
    const parsed = sent.map((r) => TRACEPARENT.exec(r.headers.traceparent ?? ''));
    expect(parsed.every(Boolean)).toBe(true);
    expect(new Set(parsed.map((m) => m![1])).size).toBe(1);
    expect(new Set(parsed.map((m) => m![2])).size).toBe(3);
    expect(new Set(sent.map((r) => r.headers['x-correlation-id'])).size).toBe(1);
    expect(sent[0]!.headers['x-correlation-id']).toBe(parsed[0]![1]);
  });

  it("keeps the caller's x-correlation-id and joins the caller's trace", async () => {
    const { client } = testClient({ baseUrl: zone.primary.url });
    const traceId = 'a'.repeat(32);
    await client.api.GET('/v1/products', {
      headers: { 'x-correlation-id': 'order-flow-7', traceparent: `00-${traceId}-${'b'.repeat(16)}-01` },
    });
    const [sent] = zone.primary.requests({ path: '/v1/products' });
    expect(sent!.headers['x-correlation-id']).toBe('order-flow-7');
    expect(TRACEPARENT.exec(sent!.headers.traceparent!)![1]).toBe(traceId);
  });

  it('retries a write that carries its Idempotency-Key, with the same key', async () => {
    let failures = 2;
    zone.primary.intercept = (r) =>
      r.path === '/v1/carts' && failures-- > 0
        ? { status: 502, body: { code: 'bad_gateway', status: 502 } }
        : undefined;
    const { client } = testClient({ baseUrl: zone.primary.url });
    const { data, response } = await client.api.POST('/v1/carts', {
      params: { header: { 'Idempotency-Key': 'key-1' } },
      body: {},
    });
    expect(response.status).toBe(201);
    expect(data?.id).toBe('cart-1');
    expect(zone.keysFor('/v1/carts')).toEqual(['key-1', 'key-1', 'key-1']);
    expect(zone.carts.size).toBe(1);
  });

  it('sends a write without an Idempotency-Key exactly once, whatever happens', async () => {
    zone.primary.intercept = (r) =>
      r.path === '/v1/carts' ? { status: 503, body: { code: 'internal_error', status: 503 } } : undefined;
    const { client } = testClient({ baseUrl: zone.primary.url });
    const response = await client.transport.fetch(
      new Request(`${zone.primary.url}/v1/carts`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(response.status).toBe(503);
    expect(zone.primary.requests({ path: '/v1/carts' })).toHaveLength(1);
  });

  it.each([
    [422, 'idempotency_key_reused'],
    [402, 'payment_declined'],
    [404, 'not_found'],
    [409, 'insufficient_stock'],
    [400, 'validation_failed'],
  ])('never retries a final %i %s', async (status, code) => {
    zone.primary.intercept = (r) =>
      r.path === '/v1/checkout' ? { status, body: { status, code, detail: 'final' } } : undefined;
    const { client } = testClient({ baseUrl: zone.primary.url });
    const { error, response } = await client.api.POST('/v1/checkout', {
      params: { header: { 'Idempotency-Key': 'key-final' } },
      body: { cartId: 'cart-x' },
    });
    expect(response.status).toBe(status);
    expect(error).toMatchObject({ code });
    expect(zone.primary.requests({ path: '/v1/checkout' })).toHaveLength(1);
  });

  it('retries 409 idempotency_key_in_use later with the same key until the first request is done', async () => {
    zone.holdKey('POST', 'key-busy');
    let seen = 0;
    zone.primary.intercept = (r) => {
      if (r.path === '/v1/carts' && ++seen === 3) zone.releaseKey('POST', 'key-busy');
      return undefined;
    };
    // the fake answers Retry-After: 1; this test is about the key, the delay is asserted with fake timers below
    const { client } = testClient({ baseUrl: zone.primary.url, resilience: { maxRetries: 4 } });
    const { response } = await client.api.POST('/v1/carts', {
      params: { header: { 'Idempotency-Key': 'key-busy' } },
      body: {},
    });
    expect(response.status).toBe(201);
    expect(zone.keysFor('/v1/carts')).toEqual(['key-busy', 'key-busy', 'key-busy']);
  });

  it('throws CommerceUnavailableError after maxRetries+1 attempts when nothing answers, and reports offline', async () => {
    const { client } = testClient({ baseUrl: zone.primary.url, resilience: { maxRetries: 2 } });
    await client.api.GET('/v1/products');
    expect(client.transport.connectivity).toBe('online');
    await zone.stop();
    const failure = await client.api.GET('/v1/products').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CommerceUnavailableError);
    expect((failure as CommerceUnavailableError).attempts).toBe(3);
    expect(client.transport.connectivity).toBe('offline');
  });
});

/**
 * Keys of the attempts our client made for a path (one per traceparent). Node's fetch (undici) itself
 * resends a request once on a new connection when it gets a 421 (RFC 9110 §15.5.20 allows it), so
 * raw request counts would include that resend; it is harmless (a 421 writes nothing).
 */
function attemptKeys(zone: FakeZone, path: string): string[] {
  const byAttempt = new Map<string, string>();
  for (const r of zone.log)
    if (r.path === path) byAttempt.set(r.headers.traceparent ?? '', r.headers['idempotency-key'] ?? '');
  return [...byAttempt.values()];
}

describe('residency: a 421 is followed once to the zone it names, and remembered', () => {
  let global: FakeZone;
  let eu: FakeZone;
  beforeEach(async () => {
    global = await new FakeZone('global', ['r1']).start();
    eu = await new FakeZone('eu', ['eu-r1']).start();
    global.misdirectTo = { zone: 'eu', endpoint: eu.primary.url };
  });
  afterEach(async () => {
    await global.stop();
    await eu.stop();
  });

  it('resends the refused request to the named endpoint with the same key, then stays in that zone', async () => {
    const { client } = testClient({ baseUrl: global.primary.url });
    const { response } = await client.api.POST('/v1/carts', {
      params: { header: { 'Idempotency-Key': 'key-eu' } },
      body: {},
    });
    expect(response.status).toBe(201);
    expect(attemptKeys(global, '/v1/carts')).toEqual(['key-eu']);
    expect(attemptKeys(eu, '/v1/carts')).toEqual(['key-eu']);
    expect(client.router.zone).toBe('eu');

    await client.api.POST('/v1/carts', { params: { header: { 'Idempotency-Key': 'key-eu-2' } }, body: {} });
    expect(attemptKeys(global, '/v1/carts')).toEqual(['key-eu']);
    expect(attemptKeys(eu, '/v1/carts')).toEqual(['key-eu', 'key-eu-2']);
  });

  it('follows only once: a second 421 is returned to the caller', async () => {
    eu.misdirectTo = { zone: 'global', endpoint: global.primary.url };
    const { client } = testClient({ baseUrl: global.primary.url });
    const { error, response } = await client.api.POST('/v1/carts', {
      params: { header: { 'Idempotency-Key': 'key-loop' } },
      body: {},
    });
    expect(response.status).toBe(421);
    expect(error).toMatchObject({ code: 'misdirected_request' });
    expect(attemptKeys(global, '/v1/carts')).toEqual(['key-loop']);
    expect(attemptKeys(eu, '/v1/carts')).toEqual(['key-loop']);
  });

  it('returns a 421 that names no endpoint as it is', async () => {
    global.misdirectTo = { zone: 'eu' };
    const { client } = testClient({ baseUrl: global.primary.url });
    const { response } = await client.api.POST('/v1/carts', {
      params: { header: { 'Idempotency-Key': 'k' } },
      body: {},
    });
    expect(response.status).toBe(421);
    expect(eu.log).toHaveLength(0);
  });
});

describe('Retry-After on the wire (fake timers, in-memory fetch)', () => {
  afterEach(() => jest.useRealTimers());

  it('does not resend a 409 in use before its Retry-After, and resends it right after', async () => {
    jest.useFakeTimers();
    const calls: string[] = [];
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      if (url.endsWith('/v1/discovery')) return new Response(null, { status: 404 });
      calls.push(new Headers(init?.headers).get('idempotency-key') ?? '');
      return calls.length === 1
        ? Response.json(
            { status: 409, code: 'idempotency_key_in_use' },
            { status: 409, headers: { 'retry-after': '2', 'content-type': 'application/problem+json' } },
          )
        : Response.json({ id: 'cart-1' }, { status: 201 });
    };
    const client = createCommerceClient({
      baseUrl: 'http://api.test',
      fetch,
      resilience: { initialDelayMs: 1 },
    });
    const call = client.api.POST('/v1/carts', {
      params: { header: { 'Idempotency-Key': 'k-wait' } },
      body: {},
    });
    await jest.advanceTimersByTimeAsync(1999);
    expect(calls).toEqual(['k-wait']);
    await jest.advanceTimersByTimeAsync(1);
    expect((await call).response.status).toBe(201);
    expect(calls).toEqual(['k-wait', 'k-wait']);
  });
});
