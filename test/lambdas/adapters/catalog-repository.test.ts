import { CatalogRepository } from '../../../lambdas/adapters/catalog-repository';
import type { Product } from '../../../lambdas/core/catalog';
import { freshCommerceTable, tableContextFor } from '../../support/dynamodb';

/** 30 products in name order; every third one is a "Tent". */
const products: Product[] = Array.from({ length: 30 }, (_, i) => ({
  id: `p-${String(i).padStart(2, '0')}`,
  name: `${String(i).padStart(2, '0')} ${i % 3 === 0 ? 'Tent' : 'Stove'}`,
  description: 'camping gear',
  priceMinor: 1000 + i,
  currency: 'EUR',
  stock: 5,
}));

describe('catalog listing and search', () => {
  let table: Awaited<ReturnType<typeof freshCommerceTable>>;
  let catalog: CatalogRepository;
  beforeAll(async () => {
    table = await freshCommerceTable();
    catalog = new CatalogRepository(tableContextFor(table));
    await catalog.putAll(products);
  });
  afterAll(() => table.drop());

  async function allPages(options: { limit: number; query?: string }) {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await catalog.list({ ...options, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    return pages;
  }

  it('fills every search page up to the limit, although most items do not match', async () => {
    const pages = await allPages({ limit: 4, query: 'tent' });
    expect(pages).toEqual([
      ['p-00', 'p-03', 'p-06', 'p-09'],
      ['p-12', 'p-15', 'p-18', 'p-21'],
      ['p-24', 'p-27'],
    ]);
  });

  it('ends a search exactly at the last match without an empty extra page', async () => {
    expect(await allPages({ limit: 5, query: 'tent' })).toEqual([
      ['p-00', 'p-03', 'p-06', 'p-09', 'p-12'],
      ['p-15', 'p-18', 'p-21', 'p-24', 'p-27'],
    ]);
  });

  it('lists everything once in name order across pages', async () => {
    const pages = await allPages({ limit: 7 });
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 2]);
    expect(pages.flat()).toEqual(products.map((p) => p.id));
  });
});
