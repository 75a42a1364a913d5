import { BatchWriteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Product } from '../core/catalog';
import { decodeCursor, encodeCursor } from './cursor';
import { keys, type TableContext, type TransactWrite } from './table';

/** Products: one item each, listed in name order through gsi1 (`CATALOG`). */

function toItem(product: Product) {
  return {
    ...keys.product(product.id),
    entity: 'product',
    gsi1pk: keys.catalogIndex,
    gsi1sk: `${product.name.toLowerCase()}#${product.id}`,
    searchText: `${product.name} ${product.description}`.toLowerCase(),
    ...product,
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

  async list(options: { limit: number; cursor?: string; query?: string }): Promise<ProductPage> {
    const query = options.query?.trim().toLowerCase();
    const { Items = [], LastEvaluatedKey } = await this.context.documentClient.send(
      new QueryCommand({
        TableName: this.context.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :catalog',
        ExpressionAttributeValues: { ':catalog': keys.catalogIndex, ...(query ? { ':q': query } : {}) },
        ...(query ? { FilterExpression: 'contains(searchText, :q)' } : {}),
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.cursor, keys.catalogIndex),
      }),
    );
    const nextCursor = encodeCursor(LastEvaluatedKey);
    return { items: Items.map(fromItem), ...(nextCursor ? { nextCursor } : {}) };
  }

  async putAll(products: readonly Product[]): Promise<void> {
    for (let i = 0; i < products.length; i += 25) {
      let requests: Record<string, unknown>[] | undefined = products
        .slice(i, i + 25)
        .map((p) => ({ PutRequest: { Item: toItem(p) } }));
      while (requests?.length) {
        const { UnprocessedItems } = await this.context.documentClient.send(
          new BatchWriteCommand({ RequestItems: { [this.context.tableName]: requests } }),
        );
        requests = UnprocessedItems?.[this.context.tableName] as Record<string, unknown>[] | undefined;
      }
    }
  }

  /** Takes `quantity` units; the condition keeps stock from ever going negative (fails for unknown products too). */
  reserveStock(productId: string, quantity: number): TransactWrite {
    return {
      Update: {
        TableName: this.context.tableName,
        Key: keys.product(productId),
        UpdateExpression: 'SET stock = stock - :q',
        ConditionExpression: 'stock >= :q',
        ExpressionAttributeValues: { ':q': quantity },
      },
    };
  }

  releaseStock(productId: string, quantity: number): TransactWrite {
    return {
      Update: {
        TableName: this.context.tableName,
        Key: keys.product(productId),
        UpdateExpression: 'SET stock = stock + :q',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':q': quantity },
      },
    };
  }
}
