import { CatalogCache } from '../../../clients/commerce-client/catalog-cache';
import { ProblemError } from '../../../clients/commerce-client/problem';
import { MemoryStore } from '../../../clients/commerce-client/storage/durable-store';
import { manualClock, testClient } from './support/clients';
import { FakeZone } from './support/fake-zone';

describe('catalog cache with conditional requests', () => {
  let zone: FakeZone;
  beforeEach(async () => {
    zone = await new FakeZone('global', ['r1']).start();
  });
  afterEach(() => zone.stop());

  const productRequests = () => zone.primary.requests({ path: /^\/v1\/products/ });

  it('serves a fresh copy locally, revalidates a stale one with If-None-Match (304), and takes a changed one (200)', async () => {
    const clock = manualClock();
    const { client } = testClient({ baseUrl: zone.primary.url, resilience: { maxRetries: 0 } });
    const cache = new CatalogCache({ client, now: clock.now });

    const first = await cache.listProducts();
    expect(first.source).toBe('network');
    expect(first.data.items.map((p) => p.id)).toEqual(['mug', 'tee']);
    expect(productRequests()).toHaveLength(1);

    clock.advance(59_999); // max-age=60
    expect((await cache.listProducts()).source).toBe('cache');
    expect(productRequests()).toHaveLength(1);

    clock.advance(1);
    const revalidated = await cache.listProducts();
    expect(revalidated.source).toBe('revalidated');
    expect(revalidated.data).toEqual(first.data);
    expect(productRequests().at(-1)!.headers['if-none-match']).toBe('"catalog-v1"');
    expect((await cache.listProducts()).source).toBe('cache'); // the 304 made it fresh again

    clock.advance(60_000);
    zone.catalogVersion = 2;
    zone.products[0]!.priceMinor = 999;
    const changed = await cache.listProducts();
    expect(changed.source).toBe('network');
    expect(changed.data.items[0]!.priceMinor).toBe(999);
    clock.advance(60_000);
    await cache.listProducts();
    expect(productRequests().at(-1)!.headers['if-none-match']).toBe('"catalog-v2"');
  });

  it('keeps one entry per URL (query and product)', async () => {
    const { client } = testClient({ baseUrl: zone.primary.url });
    const cache = new CatalogCache({ client });
    await cache.listProducts({ limit: 1 });
    await cache.listProducts({ limit: 2 });
    const mug = await cache.getProduct('mug');
    expect(mug.data.name).toBe('Mug');
    expect((await cache.getProduct('mug')).source).toBe('cache');
    expect((await cache.listProducts({ limit: 1 })).source).toBe('cache');
    expect(productRequests().map((r) => r.path)).toEqual([
      '/v1/products?limit=1',
      '/v1/products?limit=2',
      '/v1/products/mug',
    ]);
  });

  it('serves the stale copy when the API cannot be reached, after a restart too (durable store)', async () => {
    const clock = manualClock();
    const store = new MemoryStore();
    const { client } = testClient({ baseUrl: zone.primary.url, resilience: { maxRetries: 0 } });
    await new CatalogCache({ client, store, now: clock.now }).listProducts();
    await zone.stop();
    clock.advance(120_000);

    const restarted = new CatalogCache({ client, store, now: clock.now });
    const offline = await restarted.listProducts();
    expect(offline.source).toBe('stale');
    expect(offline.data.items).toHaveLength(2);
  });

  it('throws the problem when nothing is cached and the API refuses', async () => {
    const { client } = testClient({ baseUrl: zone.primary.url });
    const failure = await new CatalogCache({ client }).getProduct('nope').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProblemError);
    expect(failure).toMatchObject({ status: 404, problem: { code: 'not_found' } });
  });
});
