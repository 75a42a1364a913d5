import type { Product } from '../core/catalog';
import { CatalogRepository } from './catalog-repository';
import type { TableContext } from './table';

/** A small demo catalog for the local topology, load tests and drills. */
const DEMO_NAMES = [
  ['Alpine hiking boots', 'Waterproof leather boots for long trails'],
  ['Merino base layer', 'Breathable merino wool long-sleeve top'],
  ['Trail running shoes', 'Lightweight shoes with a grippy outsole'],
  ['Down jacket', 'Packable 800-fill down jacket'],
  ['Rain shell', 'Three-layer waterproof, breathable shell'],
  ['Trekking poles', 'Carbon poles with cork grips'],
  ['Daypack 24 l', 'Ventilated back panel and rain cover'],
  ['Headlamp', 'Rechargeable 400-lumen headlamp'],
  ['Water filter', 'Squeeze filter, 0.1 micron'],
  ['Insulated bottle', 'Keeps drinks hot for 12 hours'],
  ['Camp stove', 'Compact canister stove'],
  ['Sleeping bag', 'Three-season synthetic sleeping bag'],
] as const;

export function demoProducts(stock = 1000): Product[] {
  return DEMO_NAMES.map(([name, description], index) => ({
    id: `sku-${String(index + 1).padStart(4, '0')}`,
    name,
    description,
    priceMinor: 1500 + index * 750,
    currency: 'EUR',
    stock,
  }));
}

/** Writes the demo catalog (overwriting stock); safe to call on every start. */
export async function seedDemoCatalog(
  context: Pick<TableContext, 'documentClient' | 'tableName'>,
  products: readonly Product[] = demoProducts(),
): Promise<readonly Product[]> {
  await new CatalogRepository({ ...context, zone: '', region: '', now: Date.now }).putAll(products);
  return products;
}
