import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditRecord, type StoredEntry, type VerifyResult, verifyChain } from '../core/audit-chain';
import { auditChainsOf, readChainHead } from './mutation';
import { decodeCursor, encodeCursor } from './cursor';
import { keys, type TableContext } from './table';
import { backoff } from './transaction-errors';

/** Reads of the audit chain: by correlation id, by resource, and full verification. */
export interface AuditEntryView extends AuditRecord {
  readonly hash: string;
}

function toView(item: Record<string, unknown>): AuditEntryView {
  return { ...(JSON.parse(item.recordJson as string) as AuditRecord), hash: item.hash as string };
}

export class AuditRepository {
  constructor(private readonly context: TableContext) {}

  /** A resource's entries, oldest first (a resource always lands in one chain). */
  async byResource(
    type: string,
    id: string,
    options: { limit: number; cursor?: string } = { limit: 100 },
  ): Promise<{ items: AuditEntryView[]; nextCursor?: string }> {
    const indexPk = keys.auditByResource(type, id);
    const { Items = [], LastEvaluatedKey } = await this.context.documentClient.send(
      new QueryCommand({
        TableName: this.context.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': indexPk },
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.cursor, indexPk),
      }),
    );
    const nextCursor = encodeCursor(LastEvaluatedKey);
    return { items: Items.map(toView), ...(nextCursor ? { nextCursor } : {}) };
  }

  async byCorrelationId(correlationId: string, limit = 100): Promise<AuditEntryView[]> {
    const { Items: refs = [] } = await this.context.documentClient.send(
      new QueryCommand({
        TableName: this.context.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `AUDITCORR#${correlationId}` },
        Limit: limit,
      }),
    );
    const { tableName, documentClient } = this.context;
    const items: Record<string, unknown>[] = [];
    // BatchGet takes at most 100 keys and may leave some unprocessed; ask again for those.
    let pending = refs.map((ref) => ref.entryKey as Record<string, unknown>);
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= 10)
        throw new Error(`${pending.length} audit entries stayed unprocessed after 10 BatchGet rounds`);
      if (round > 0) await backoff(round - 1);
      const { Responses, UnprocessedKeys } = await documentClient.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending.slice(0, 100) } } }),
      );
      items.push(...(Responses?.[tableName] ?? []));
      pending = [...(UnprocessedKeys?.[tableName]?.Keys ?? []), ...pending.slice(100)];
    }
    return items.map(toView).sort((a, b) => a.chain.localeCompare(b.chain) || a.seq - b.seq);
  }

  /** Verifies every chain of a region; valid only if all are. */
  async verifyRegion(region: string) {
    const chains = [];
    for (const chain of auditChainsOf(region)) chains.push(await this.verify(chain));
    return { region, valid: chains.every((c) => c.valid), chains };
  }

  /** Reads the whole chain in order and verifies every link. */
  async verify(chain: string): Promise<VerifyResult & { readonly chain: string }> {
    const entries: StoredEntry[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.context.documentClient.send(
        new QueryCommand({
          TableName: this.context.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
          ExpressionAttributeValues: { ':pk': keys.auditHead(chain).pk, ':entry': keys.auditEntryPrefix },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        entries.push({
          seq: item.seq as number,
          recordJson: item.recordJson as string,
          hash: item.hash as string,
        });
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return { chain, ...verifyChain(entries, await readChainHead(this.context, chain)) };
  }
}
