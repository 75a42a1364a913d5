import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from './batch';
import type { Product } from '../core/catalog';
import { decodeCursor, encodeCursor } from './cursor';
import { keys, type TableContext } from './table';

/** Products: one item each, listed in name order through gsi1 (`CATALOG`). */

function toItem(product: Product) {
  return {
    ...keys.product(product.id),
    entity: 'product',
    gsi1pk: keys.catalogIndex,
    gsi1sk: `${product.name.toLowerCase()}#${product.id}`,
    searchText: `${product.name} ${product.description}`.toLowerCase(),
    ...product,
    // Units put on sale; stock = received minus active holds (stock-ledger.ts recomputes it after a split).
    received: product.stock,
  };
}

function fromItem(item: Record<string, unknown>): Product {
  return {
    id: item.id as string,
    name: item.name as string,
    description: item.description as string,
    priceMinor: item.priceMinor as number,
    currency: item.currency as string,
    stock: item.stock as number,
  };
}

/** Reads of the index one search may make, and the items each evaluates (before the filter). */
const SEARCH_PAGES = 10;
const SEARCH_READ_SIZE = 100;

/** The gsi1 key of a catalog item: where a page that ends at it resumes. */
function indexKeyOf(item: Record<string, unknown>): Record<string, unknown> {
  return { pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk };
}

function pageOf(
  items: Record<string, unknown>[],
  resumeAt: Record<string, unknown> | undefined,
): ProductPage {
  const nextCursor = encodeCursor(resumeAt);
  return { items: items.map(fromItem), ...(nextCursor ? { nextCursor } : {}) };
}

export interface ProductPage {
  readonly items: Product[];
  readonly nextCursor?: string;
}

export class CatalogRepository {
  constructor(private readonly context: TableContext) {}

  async get(id: string, consistent = false): Promise<Product | undefined> {
    const { Item } = await this.context.documentClient.send(
      new GetCommand({
        TableName: this.context.tableName,
        Key: keys.product(id),
        ConsistentRead: consistent,
      }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  /**
   * A page of products in name order. A search filters after DynamoDB reads, so it reads on until it has
   * `limit` matches, within a budget of SEARCH_PAGES reads: a page holds fewer items only at the end of the
   * catalog or when the budget ran out (then `nextCursor` continues the search).
   */
  async list(options: { limit: number; cursor?: string; query?: string }): Promise<ProductPage> {
    const query = options.query?.trim().toLowerCase();
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined = decodeCursor(options.cursor, keys.catalogIndex);
    for (let read = 0; read < (query ? SEARCH_PAGES : 1); read += 1) {
      const { Items = [], LastEvaluatedKey } = await this.context.documentClient.send(
        new QueryCommand({
          TableName: this.context.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :catalog',
          ExpressionAttributeValues: { ':catalog': keys.catalogIndex, ...(query ? { ':q': query } : {}) },
          ...(query ? { FilterExpression: 'contains(searchText, :q)' } : {}),
          Limit: query ? Math.max(options.limit, SEARCH_READ_SIZE) : options.limit,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const [index, item] of Items.entries()) {
        items.push(item);
        if (items.length === options.limit) {
          // Mid-page, the next page starts after this item; at the end of the read, where the read stopped.
          const resumeAt = index < Items.length - 1 ? indexKeyOf(item) : LastEvaluatedKey;
          return pageOf(items, resumeAt);
        }
      }
      startKey = LastEvaluatedKey;
      if (!startKey) break;
    }
    return pageOf(items, startKey);
  }

  async putAll(products: readonly Product[]): Promise<void> {
    await batchWriteAll(
      this.context,
      products.map((p) => ({ PutRequest: { Item: toItem(p) } })),
    );
  }
}
