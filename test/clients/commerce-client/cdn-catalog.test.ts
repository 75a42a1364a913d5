import { CatalogCache } from '../../../clients/commerce-client/catalog-cache';
import { type CdnAttempt, createCdnCatalogClient } from '../../../clients/commerce-client/cdn-catalog';
import { MemoryStore } from '../../../clients/commerce-client/storage/durable-store';
import { manualClock } from './support/clients';
import { FakeZone } from './support/fake-zone';

/**
 * Catalog reads across the CDNs' names (clients/commerce-client/cdn-catalog.ts). Three fake
 * servers stand for the steered catalog name and the two CDNs' own names; each can answer 5xx,
 * refuse connections (stopped) or hang.
 */
describe('CDN catalog client: fallback across the CDNs’ names', () => {
  let names: FakeZone;
  beforeEach(async () => {
    names = await new FakeZone('global', ['steered', 'cloudfront', 'cloudflare']).start();
  });
  afterEach(() => names.stop());

  const [steered, cloudfront, cloudflare] = [0, 1, 2].map((i) => () => names.cells[i]!);
  const origins = () => names.cells.map((cell) => cell.url);
  const recordAttempts = (client: ReturnType<typeof createCdnCatalogClient>) => {
    const seen: CdnAttempt[] = [];
    client.attempts.add((attempt) => seen.push(attempt));
    return seen;
  };

  it('reads through the steered name while it answers, and does not fall back on a final 4xx', async () => {
    const client = createCdnCatalogClient({ origins: origins() });
    const seen = recordAttempts(client);

    const list = await client.api.GET('/v1/products', { params: { query: { limit: 10 } } });
    const missing = await client.api.GET('/v1/products/{productId}', {
      params: { path: { productId: 'nope' } },
    });

    expect(list.response.status).toBe(200);
    expect(list.data?.items.map((p) => p.id)).toEqual(['mug', 'tee']);
    expect(missing.response.status).toBe(404);
    expect(seen.map((a) => [a.origin, a.status])).toEqual([
      [steered().url, 200],
      [steered().url, 404],
    ]);
    expect(cloudfront().requests()).toHaveLength(0);
  });

  it('falls back past a 5xx and a refused connection within one read, then starts at the name that answered until stickyMs passes', async () => {
    const clock = manualClock();
    const client = createCdnCatalogClient({ origins: origins(), stickyMs: 30_000, now: clock.now });
    const seen = recordAttempts(client);
    steered().fault = 'unhealthy'; // the steered name still resolves to the dead CDN: 503
    await cloudfront().stop(); // that CDN's own name: connection refused

    const read = await client.api.GET('/v1/products', { params: { query: { limit: 10 } } });

    expect(read.response.status).toBe(200);
    expect(read.data?.items).toHaveLength(2);
    expect(seen.map((a) => a.origin)).toEqual([steered().url, cloudfront().url, cloudflare().url]);
    expect(seen[0]!.status).toBe(503);
    expect(seen[1]!.failure).toMatch(/could not be reached/);
    expect(client.preferredOrigin()).toBe(cloudflare().url);

    // Sticky: the next reads go straight to the name that answered.
    seen.length = 0;
    const again = await client.api.GET('/v1/products', { params: { query: { limit: 5 } } });
    expect(again.response.status).toBe(200);
    expect(seen.map((a) => a.origin)).toEqual([cloudflare().url]);

    // Then DNS has steered: the steered name is tried first again.
    steered().fault = 'none';
    clock.advance(30_000);
    seen.length = 0;
    expect(client.preferredOrigin()).toBe(steered().url);
    const steeredAgain = await client.api.GET('/v1/products', { params: { query: { limit: 5 } } });
    expect(steeredAgain.response.status).toBe(200);
    expect(seen.map((a) => a.origin)).toEqual([steered().url]);
  });

  it('moves on from a name that hangs after attemptTimeoutMs', async () => {
    const client = createCdnCatalogClient({ origins: origins(), attemptTimeoutMs: 200 });
    const seen = recordAttempts(client);
    steered().fault = 'hang';

    const read = await client.api.GET('/v1/products', {});

    expect(read.response.status).toBe(200);
    expect(seen.map((a) => a.origin)).toEqual([steered().url, cloudfront().url]);
    expect(seen[0]!.failure).toMatch(/no complete answer within 200 ms/);
  });

  it('with every name down, a catalog cache serves its stale copy; without one the read fails as unavailable', async () => {
    const clock = manualClock();
    const client = createCdnCatalogClient({ origins: origins() });
    const cache = new CatalogCache({ client, store: new MemoryStore(), now: clock.now });
    const warm = await cache.listProducts({ limit: 10 });
    expect(warm.source).toBe('network');
    await names.stop();
    clock.advance(120_000); // past max-age=60

    const offline = await cache.listProducts({ limit: 10 });
    const neverCached = await cache.getProduct('mug').catch((error: unknown) => error);

    expect(offline.source).toBe('stale');
    expect(offline.data.items).toHaveLength(2);
    expect(neverCached).toMatchObject({ name: 'CommerceUnavailableError', attempts: 3 });
  });

  it('refuses writes and bad options with what to do', async () => {
    const client = createCdnCatalogClient({ origins: origins() });
    await expect(
      client.api.POST('/v1/carts', { params: { header: { 'Idempotency-Key': 'k-1' } }, body: {} } as never),
    ).rejects.toThrow(/only reads \(GET, HEAD\); send writes with createCommerceClient/);
    expect(names.log).toHaveLength(0);
    expect(() => createCdnCatalogClient({ origins: [] })).toThrow(
      /origins: give at least the steered catalog name/,
    );
    expect(() => createCdnCatalogClient({ origins: ['ftp://catalog.example.com'] })).toThrow(
      /origins\.0: must be an http\(s\) URL/,
    );
  });
});
