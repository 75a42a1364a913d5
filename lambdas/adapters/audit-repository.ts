import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditRecord, type StoredEntry, type VerifyResult, verifyChain } from '../core/audit-chain';
import { auditChainsOf, readChainHead } from './mutation';
import { batchGetAll } from './batch';
import { queryIndexPage } from './cursor';
import { keys, type TableContext } from './table';

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
    const page = await queryIndexPage(this.context, keys.auditByResource(type, id), options);
    return { ...page, items: page.items.map(toView) };
  }

  async byCorrelationId(correlationId: string, limit = 100): Promise<AuditEntryView[]> {
    const { Items: refs = [] } = await this.context.documentClient.send(
      new QueryCommand({
        TableName: this.context.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.auditCorrelation(correlationId) },
        Limit: limit,
      }),
    );
    const items = await batchGetAll(
      this.context,
      refs.map((ref) => ref.entryKey as Record<string, unknown>),
    );
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
