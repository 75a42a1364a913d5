import { MemoryStore } from '../../../clients/commerce-client/storage/durable-store';
import { CommerceUnavailableError } from '../../../clients/commerce-client/transport';
import type { RouterEvent } from '../../../clients/commerce-client/cell-router';
import { FakeZone } from './support/fake-zone';
import { manualClock, testClient } from './support/clients';

describe('cell-aware failover inside a zone', () => {
  let zone: FakeZone;
  beforeEach(async () => {
    zone = await new FakeZone('global').start();
  });
  afterEach(() => zone.stop());

  function client(extra: Partial<Parameters<typeof testClient>[0]> = {}) {
    const made = testClient({ baseUrl: zone.primary.url, ...extra });
    const events: RouterEvent[] = [];
    made.client.router.onEvent((event) => events.push(event));
    return { ...made, events };
  }

  it("learns the zone's cells from the discovery document, primary first", async () => {
    const { client: commerce } = client();
    await commerce.api.GET('/v1/products');
    expect(commerce.router.zone).toBe('global');
    expect(commerce.router.cellsView).toEqual([
      { endpoint: zone.primary.url, region: 'r-primary', role: 'primary', circuit: 'closed', active: true },
      {
        endpoint: zone.secondary.url,
        region: 'r-secondary',
        role: 'secondary',
        circuit: 'closed',
        active: false,
      },
    ]);
    // the discovery route is typed from the contract
    const { data } = await commerce.api.GET('/v1/discovery');
    expect(data?.cells.map((cell) => cell.role)).toEqual(['primary', 'secondary']);
  });

  it('with cellFailover false asks no discovery and stays on baseUrl when it fails (a DNS-only client)', async () => {
    const { client: commerce } = client({ cellFailover: false, resilience: { maxRetries: 1 } });
    const first = await commerce.api.GET('/v1/products');
    expect(first.response.status).toBe(200);
    await zone.primary.stop();
    await expect(commerce.api.GET('/v1/products')).rejects.toBeInstanceOf(CommerceUnavailableError);
    expect(zone.primary.requests({ path: '/v1/discovery' })).toHaveLength(0);
    expect(zone.secondary.requests()).toHaveLength(0);
  });

  it.each([
    ['connection refused', async () => zone.primary.stop()],
    [
      '5xx',
      async () => {
        zone.primary.fault = 'unhealthy';
      },
    ],
    [
      'timeout',
      async () => {
        zone.primary.fault = 'hang';
      },
    ],
  ])(
    'on %s from the primary, serves the same call from the secondary at once',
    async (_name, breakPrimary) => {
      const { client: commerce, attempts, events } = client({ resilience: { attemptTimeoutMs: 300 } });
      await commerce.api.GET('/v1/products');
      await breakPrimary();

      const { response } = await commerce.api.GET('/v1/products');
      expect(response.status).toBe(200);
      const cells = attempts.filter((a) => a.path === '/v1/products').map((a) => a.cell);
      expect(cells).toEqual([zone.primary.url, zone.primary.url, zone.secondary.url]);
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'failover', from: zone.primary.url, to: zone.secondary.url }),
      );

      // and the next call goes straight to the secondary
      await commerce.api.GET('/v1/products');
      expect(attempts.at(-1)!.cell).toBe(zone.secondary.url);
      expect(attempts.filter((a) => a.path === '/v1/products')).toHaveLength(4);
    },
  );

  it('on not_writer from a fenced cell, sends the write to the other cell with the same key', async () => {
    const { client: commerce } = client();
    await commerce.api.GET('/v1/products');
    zone.primary.fault = 'fenced';
    const { response } = await commerce.api.POST('/v1/carts', {
      params: { header: { 'Idempotency-Key': 'key-fenced' } },
      body: {},
    });
    expect(response.status).toBe(201);
    expect(zone.primary.requests({ path: '/v1/carts' }).map((r) => r.headers['idempotency-key'])).toEqual([
      'key-fenced',
    ]);
    expect(zone.secondary.requests({ path: '/v1/carts' }).map((r) => r.headers['idempotency-key'])).toEqual([
      'key-fenced',
    ]);
    expect(zone.carts.size).toBe(1);
  });

  it("a fenced cell's not_writer moves the write on without opening its circuit: promoted, it takes the write at once", async () => {
    // Prepare: the primary is lost and the secondary not promoted yet (it answers not_writer)
    const { client: commerce } = client({ resilience: { maxRetries: 2, breakerThreshold: 1 } });
    await commerce.api.GET('/v1/products');
    await zone.primary.stop();
    zone.secondary.fault = 'fenced';
    const send = () =>
      commerce.api.POST('/v1/carts', {
        params: { header: { 'Idempotency-Key': 'key-promotion' } },
        body: {},
      });
    // Act
    const beforePromotion = await send();
    const circuitWhileFenced = commerce.router.cellsView.find(
      (c) => c.endpoint === zone.secondary.url,
    )?.circuit;
    zone.secondary.fault = 'none';
    const afterPromotion = await send();
    // Assess
    expect(beforePromotion.response.status).toBe(503);
    expect(circuitWhileFenced).toBe('closed');
    expect(afterPromotion.response.status).toBe(201);
    expect(zone.carts.size).toBe(1);
  });

  it('with every circuit open, gives each cell its trial call in turn instead of only the one it was on', async () => {
    // Prepare: both cells fail, so both circuits open
    const { client: commerce } = client({
      resilience: { maxRetries: 3, breakerThreshold: 1, breakerHalfOpenAfterMs: 200 },
    });
    await commerce.api.GET('/v1/products');
    zone.primary.fault = 'unhealthy';
    zone.secondary.fault = 'unhealthy';
    await expect(commerce.api.GET('/v1/products')).rejects.toBeInstanceOf(CommerceUnavailableError);
    expect(commerce.router.cellsView.map((c) => c.circuit)).toEqual(['open', 'open']);
    // Act: the primary recovers, the secondary goes down; the circuits may half-open
    zone.primary.fault = 'none';
    await zone.secondary.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { response } = await commerce.api.GET('/v1/products');
    // Assess
    expect(response.status).toBe(200);
    expect(commerce.router.activeEndpoint).toBe(zone.primary.url);
  });

  it('on busy (contention in a healthy cell), retries the same cell with the same key, not the other cell', async () => {
    const { client: commerce } = client();
    await commerce.api.GET('/v1/products');
    zone.primary.fault = 'busy-once';
    const { response } = await commerce.api.POST('/v1/carts', {
      params: { header: { 'Idempotency-Key': 'key-busy' } },
      body: {},
    });
    expect(response.status).toBe(201);
    expect(zone.primary.requests({ path: '/v1/carts' }).map((r) => r.headers['idempotency-key'])).toEqual([
      'key-busy',
      'key-busy',
    ]);
    expect(zone.secondary.requests({ path: '/v1/carts' })).toEqual([]);
    expect(zone.carts.size).toBe(1);
  });

  it('never leaves the zone: with both cells down the call fails, and no other zone is asked', async () => {
    const eu = await new FakeZone('eu', ['eu-r1']).start();
    zone.otherZones = { eu: eu.primary.url };
    try {
      const { client: commerce } = client({ resilience: { maxRetries: 4 } });
      await commerce.api.GET('/v1/products');
      expect(commerce.router.discovery?.zones).toEqual([
        { zone: 'global', endpoint: zone.primary.url },
        { zone: 'eu', endpoint: eu.primary.url },
      ]);
      await zone.stop();
      await expect(commerce.api.GET('/v1/products')).rejects.toBeInstanceOf(CommerceUnavailableError);
      expect(eu.log).toHaveLength(0);
    } finally {
      await eu.stop();
    }
  });

  it('fails back to the primary once it is healthy again, probing /v1/health at most once per interval', async () => {
    const clock = manualClock();
    const {
      client: commerce,
      attempts,
      events,
    } = client({ now: clock.now, resilience: { failbackProbeIntervalMs: 5000 } });
    await commerce.api.GET('/v1/products');
    zone.primary.fault = 'unhealthy';
    await commerce.api.GET('/v1/products');
    expect(commerce.router.activeEndpoint).toBe(zone.secondary.url);

    zone.primary.fault = 'none';
    for (let i = 0; i < 5; i++) await commerce.api.GET('/v1/products'); // within the interval: no probe
    expect(zone.primary.requests({ path: '/v1/health' })).toHaveLength(0);
    clock.advance(4999);
    await commerce.api.GET('/v1/products');
    expect(zone.primary.requests({ path: '/v1/health' })).toHaveLength(0);

    clock.advance(1);
    await commerce.api.GET('/v1/products'); // starts one probe, in the background
    await commerce.router.pendingProbe;
    for (let i = 0; i < 3; i++) await commerce.api.GET('/v1/products');
    expect(zone.primary.requests({ path: '/v1/health' })).toHaveLength(1);
    expect(events).toContainEqual({ type: 'failback', to: zone.primary.url });
    expect(attempts.slice(-3).map((a) => a.cell)).toEqual(Array(3).fill(zone.primary.url));
  });

  it("stays on the secondary while the primary fails its probe, and stops probing once the primary's circuit opens", async () => {
    const clock = manualClock();
    const { client: commerce } = client({
      now: clock.now,
      resilience: { failbackProbeIntervalMs: 1000, breakerThreshold: 3 },
    });
    await commerce.api.GET('/v1/products');
    zone.primary.fault = 'unhealthy';
    await commerce.api.GET('/v1/products'); // failure 1 of the primary
    for (let round = 0; round < 4; round++) {
      clock.advance(1000);
      await commerce.api.GET('/v1/products');
      await commerce.router.pendingProbe;
    }
    // probes 1 and 2 are failures 2 and 3: the circuit opens, and probes 3 and 4 are refused by it
    // without a request (it may half-open only after breakerHalfOpenAfterMs)
    expect(zone.primary.requests({ path: '/v1/health' })).toHaveLength(2);
    expect(commerce.router.cellsView[0]).toMatchObject({ circuit: 'open', active: false });
    expect(commerce.router.activeEndpoint).toBe(zone.secondary.url);
  });

  it('remembers the cells across a restart, so a kiosk restarted during an outage still reaches the secondary', async () => {
    const store = new MemoryStore();
    const first = client({ store });
    await first.client.api.GET('/v1/products');
    await zone.primary.stop(); // the entry endpoint is the primary: discovery through it now fails

    const restarted = client({ store });
    const { response } = await restarted.client.api.GET('/v1/products');
    expect(response.status).toBe(200);
    expect(restarted.attempts.at(-1)!.cell).toBe(zone.secondary.url);
  });

  it('talks to the entry endpoint (DNS decides) while no discovery document can be had', async () => {
    zone.primary.intercept = (r) =>
      r.path === '/v1/discovery'
        ? { status: 404, body: { status: 404, code: 'route_not_found' } }
        : undefined;
    const { client: commerce, events } = client();
    const { response } = await commerce.api.GET('/v1/products');
    expect(response.status).toBe(200);
    expect(commerce.router.cellsView.map((c) => c.endpoint)).toEqual([zone.primary.url]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'discovery_failed' }));
  });
});
