import { type AttributeValue, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { keys } from '../../lambdas/adapters/table';
import { commerceTableName } from '../../lambdas/adapters/table-definitions';
import { localDynamoClient } from '../../local/dynamodb-local';
import type { LocalDrillContext } from './context';

/**
 * The drills' own items in a zone's tables (one per region), written and read
 * straight through DynamoDB Local, as a probe beside the API: canaries
 * (`DRILL#canary#<run>`), replication barriers (`DRILL#barrier#<run>`), and
 * presence of an API item for the notes on a lost write. The only module of
 * the drills that talks to the tables.
 */

type Key = { readonly pk: { S: string }; readonly sk: { S: string } };

export class DrillItems {
  private readonly tableName: string;

  constructor(private readonly context: LocalDrillContext) {
    this.tableName = commerceTableName(context.model.appName, context.zone.name);
  }

  private key(kind: 'canary' | 'barrier', id: string): Key {
    return { pk: { S: `DRILL#${kind}#${this.context.runId}` }, sk: { S: id } };
  }

  private async withClient<T>(region: string, use: (send: ReturnType<typeof sender>) => Promise<T>) {
    const client = localDynamoClient(this.context.topology.endpoints.dynamodb, region);
    try {
      return await use(sender(client));
    } finally {
      client.destroy();
    }
  }

  /** True when the write was acknowledged. */
  async put(kind: 'canary' | 'barrier', region: string, id: string): Promise<boolean> {
    return this.withClient(region, async (send) => {
      try {
        await send.put({
          TableName: this.tableName,
          Item: { ...this.key(kind, id), note: { S: `drill ${kind}` } },
        });
        return true;
      } catch {
        return false;
      }
    });
  }

  /** The ids (of `kind`) that `region` holds, read consistently, 8 at a time. */
  async presentIn(kind: 'canary' | 'barrier', region: string, ids: readonly string[]): Promise<Set<string>> {
    return this.withClient(region, async (send) => {
      const found = await mapLimited(ids, 8, async (id) =>
        (await send.get({ TableName: this.tableName, Key: this.key(kind, id), ConsistentRead: true }))
          ? id
          : undefined,
      );
      return new Set(found.filter((id): id is string => id !== undefined));
    });
  }

  /** Where an order's item is, per region of the zone: `us-east-1: present, us-west-2: absent`. */
  async orderPresence(orderId: string): Promise<string> {
    const key = keys.order(orderId);
    const where = await Promise.all(
      this.context.zone.cells.map((cell) =>
        this.withClient(cell.region, async (send) => {
          const item = await send.get({
            TableName: this.tableName,
            Key: { pk: { S: key.pk }, sk: { S: key.sk } },
            ConsistentRead: true,
          });
          return `${cell.region}: ${item ? 'present' : 'absent'}`;
        }),
      ),
    );
    return where.join(', ');
  }

  /**
   * Whether any item of `region`'s table contains one of `texts` (a full scan: local table sizes only).
   * What an erasure check reads: personal data must be gone from the table, not only from the API.
   */
  async tableContains(region: string, texts: readonly string[]): Promise<boolean> {
    return this.withClient(region, async (send) => {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await send.scan({
          TableName: this.tableName,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        });
        for (const item of page.Items ?? []) {
          const text = JSON.stringify(item);
          if (texts.some((t) => text.includes(t))) return true;
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return false;
    });
  }
}

function sender(client: ReturnType<typeof localDynamoClient>) {
  return {
    put: async (input: ConstructorParameters<typeof PutItemCommand>[0]) => {
      await client.send(new PutItemCommand(input));
    },
    get: async (input: ConstructorParameters<typeof GetItemCommand>[0]) =>
      (await client.send(new GetItemCommand(input))).Item,
    scan: (input: ConstructorParameters<typeof ScanCommand>[0]) => client.send(new ScanCommand(input)),
  };
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]!);
      }
    }),
  );
  return results;
}
