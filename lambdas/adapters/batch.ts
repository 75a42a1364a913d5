import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from './table';
import { backoff } from './transaction-errors';

/**
 * Batch reads and writes that finish what they start: DynamoDB takes at most
 * 100 keys per BatchGet and 25 requests per BatchWrite, and may hand back
 * some as unprocessed under load. These send in chunks and ask again for the
 * unprocessed part with backoff, giving up after MAX_RETRIES retries in a row.
 */

const MAX_RETRIES = 10;

type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

export async function batchGetAll(
  context: Pick<TableContext, 'documentClient' | 'tableName'>,
  keys: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const { documentClient, tableName } = context;
  const items: Record<string, unknown>[] = [];
  let pending = [...keys];
  for (let retries = 0; pending.length > 0; ) {
    const { Responses, UnprocessedKeys } = await documentClient.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending.slice(0, 100) } } }),
    );
    items.push(...(Responses?.[tableName] ?? []));
    const unprocessed = UnprocessedKeys?.[tableName]?.Keys ?? [];
    pending = [...unprocessed, ...pending.slice(100)];
    if (unprocessed.length === 0) {
      retries = 0;
      continue;
    }
    retries += 1;
    if (retries > MAX_RETRIES)
      throw new Error(`${pending.length} keys stayed unprocessed after ${MAX_RETRIES} BatchGet retries`);
    await backoff(retries - 1);
  }
  return items;
}

export async function batchWriteAll(
  context: Pick<TableContext, 'documentClient' | 'tableName'>,
  requests: readonly WriteRequest[],
): Promise<void> {
  const { documentClient, tableName } = context;
  let pending = [...requests];
  for (let retries = 0; pending.length > 0; ) {
    const { UnprocessedItems } = await documentClient.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: pending.slice(0, 25) } }),
    );
    const unprocessed = (UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    pending = [...unprocessed, ...pending.slice(25)];
    if (unprocessed.length === 0) {
      retries = 0;
      continue;
    }
    retries += 1;
    if (retries > MAX_RETRIES)
      throw new Error(`${pending.length} writes stayed unprocessed after ${MAX_RETRIES} BatchWrite retries`);
    await backoff(retries - 1);
  }
}
