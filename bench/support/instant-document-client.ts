import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * BENCH ONLY, never in tests: a document client that answers from memory at
 * once (reads from `items`, writes accepted and dropped), so the time a
 * request takes is the API's own work: routing, auth, validation, hashing,
 * serialisation. Keys: `${pk}|${sk}`.
 */
export function instantDocumentClient(items: Map<string, Record<string, unknown>>): DynamoDBDocumentClient {
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const { name } = command.constructor;
    if (name === 'GetCommand') {
      const key = command.input.Key as { pk: string; sk: string };
      const item = items.get(`${key.pk}|${key.sk}`);
      return item ? { Item: structuredClone(item) } : {};
    }
    if (name === 'QueryCommand') return { Items: [] };
    return {};
  };
  return { send } as unknown as DynamoDBDocumentClient;
}
