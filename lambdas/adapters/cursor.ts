import * as z from 'zod';
import { ProblemError } from '../core/errors';

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
