import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from './table';
import { backoff } from './transaction';

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
  await untilProcessed(keys, { chunkSize: 100, what: 'keys', operation: 'BatchGet' }, async (chunk) => {
    const { Responses, UnprocessedKeys } = await documentClient.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: chunk } } }),
    );
    items.push(...(Responses?.[tableName] ?? []));
    return UnprocessedKeys?.[tableName]?.Keys ?? [];
  });
  return items;
}

export async function batchWriteAll(
  context: Pick<TableContext, 'documentClient' | 'tableName'>,
  requests: readonly WriteRequest[],
): Promise<void> {
  const { documentClient, tableName } = context;
  await untilProcessed(
    requests,
    { chunkSize: 25, what: 'writes', operation: 'BatchWrite' },
    async (chunk) => {
      const { UnprocessedItems } = await documentClient.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: chunk } }),
      );
      return (UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    },
  );
}

/**
 * Sends `items` in chunks; what a call hands back as unprocessed goes first into the next call. Retries in
 * a row (calls that left something unprocessed) back off, and after MAX_RETRIES of them it gives up.
 */
async function untilProcessed<T>(
  items: readonly T[],
  batch: { readonly chunkSize: number; readonly what: string; readonly operation: string },
  send: (chunk: T[]) => Promise<T[]>,
): Promise<void> {
  let pending = [...items];
  for (let retries = 0; pending.length > 0; ) {
    const unprocessed = await send(pending.slice(0, batch.chunkSize));
    pending = [...unprocessed, ...pending.slice(batch.chunkSize)];
    if (unprocessed.length === 0) {
      retries = 0;
      continue;
    }
    retries += 1;
    if (retries > MAX_RETRIES)
      throw new Error(
        `${pending.length} ${batch.what} stayed unprocessed after ${MAX_RETRIES} ${batch.operation} retries`,
      );
    await backoff(retries - 1);
  }
}
