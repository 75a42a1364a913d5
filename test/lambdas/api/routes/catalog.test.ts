import { CatalogRepository } from '../../../../lambdas/adapters/catalog-repository';
import { CATALOG_CACHE_CONTROL } from '../../../../lambdas/api/routes/catalog';
import { createHarness, type Harness } from '../harness';

/** Conditional catalog reads: a strong ETag from the content, Cache-Control, If-None-Match -> 304. */
describe('catalog ETag and If-None-Match', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.drop());

  const paths = ['/v1/products?limit=5', '/v1/products/sku-0001'];

  it.each(paths)(
    '%s answers a strong ETag and Cache-Control, the same ETag for the same content',
    async (path) => {
      // Act
      const first = await harness.call('GET', path);
      const second = await harness.call('GET', path);
      // Assess
      expect([first.status, second.status]).toEqual([200, 200]);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/); // strong (no W/), quoted base64url SHA-256
      expect(second.headers.get('etag')).toBe(etag);
      expect(first.headers.get('cache-control')).toBe(CATALOG_CACHE_CONTROL);
    },
  );

  it.each(paths)(
    '%s answers 304 with no body, the ETag and Cache-Control to a matching If-None-Match',
    async (path) => {
      // Prepare
      const first = await harness.call('GET', path);
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag')!;
      // Act
      const conditional = await harness.call('GET', path, { headers: { 'if-none-match': etag } });
      const listed = await harness.call('GET', path, { headers: { 'if-none-match': `"other", W/${etag}` } });
      const stale = await harness.call('GET', path, { headers: { 'if-none-match': '"not-current"' } });
      // Assess
      expect(conditional.status).toBe(304);
      expect(await conditional.text()).toBe('');
      expect(conditional.headers.get('etag')).toBe(etag);
      expect(conditional.headers.get('cache-control')).toBe(CATALOG_CACHE_CONTROL);
      expect(listed.status).toBe(304); // If-None-Match compares weakly and takes a list
      expect(stale.status).toBe(200);
      expect(await stale.json()).toEqual(await first.json());
    },
  );

  it('changes the ETag when the content changes, so the old one gets the new body', async () => {
    // Prepare
    const before = await harness.call('GET', '/v1/products/sku-0001');
    expect(before.status).toBe(200);
    const product = await before.json();
    const oldEtag = before.headers.get('etag')!;
    await new CatalogRepository(harness.table).putAll([{ ...product, name: `${product.name} (new)` }]);
    // Act
    const after = await harness.call('GET', '/v1/products/sku-0001', {
      headers: { 'if-none-match': oldEtag },
    });
    // Assess
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(oldEtag);
    expect((await after.json()).name).toBe(`${product.name} (new)`);
  });

  it('answers a missing product 404 with no ETag', async () => {
    const missing = await harness.call('GET', '/v1/products/no-such-product', {
      headers: { 'if-none-match': '*' },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('etag')).toBeNull();
  });
});
