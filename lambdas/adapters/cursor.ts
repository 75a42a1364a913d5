import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ProblemError } from '../core/errors';
import type { TableContext } from './table';

/** Opaque pagination cursors: base64url of the LastEvaluatedKey, validated on the way back in. */
const keySchema = z.record(z.string(), z.string().max(1024)).refine((key) => Object.keys(key).length <= 4);

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

export function decodeCursor(
  cursor: string | undefined,
  expectedIndexPk: string,
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = keySchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (key.gsi1pk !== expectedIndexPk || !key.pk || !key.sk || key.gsi1sk === undefined) throw new Error();
    return key;
  } catch {
    throw new ProblemError('invalid_cursor', 'pass the nextCursor of a previous page unchanged');
  }
}

/** One page of a gsi1 partition, resumable with the returned cursor (which only that partition accepts). */
export async function queryIndexPage(
  context: Pick<TableContext, 'documentClient' | 'tableName'>,
  indexPk: string,
  options: { readonly limit: number; readonly cursor?: string; readonly newestFirst?: boolean },
): Promise<{ items: Record<string, unknown>[]; nextCursor?: string }> {
  const { Items = [], LastEvaluatedKey } = await context.documentClient.send(
    new QueryCommand({
      TableName: context.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': indexPk },
      ...(options.newestFirst ? { ScanIndexForward: false } : {}),
      Limit: options.limit,
      ExclusiveStartKey: decodeCursor(options.cursor, indexPk),
    }),
  );
  const nextCursor = encodeCursor(LastEvaluatedKey);
  return { items: Items, ...(nextCursor ? { nextCursor } : {}) };
}
