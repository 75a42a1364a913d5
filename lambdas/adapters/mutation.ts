import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditFacts, type ChainHead, nextRecord, sealEntry } from '../core/audit-chain';
import { sha256Hex } from '../core/canonical-json';
import { ProblemError } from '../core/errors';
import { defaultFactKey, type EventEnvelope, newEvent } from '../core/events/envelope';
import { outboxItem } from './outbox-repository';
import { keys, type TableContext, type TransactWrite } from './table';
import {
  isConditionFailure,
  MAX_TRANSACTION_ATTEMPTS,
  TransactionCancelled,
  transactWrite,
  withRetries,
} from './transaction';

/**
 * The write path (docs/architecture.md, "The write path"): the business items,
 * the outbox event(s), the hash-chained audit entry and the idempotency
 * record's completion in ONE TransactWriteItems. Appends to the audit chain
 * are serialised by a conditional write on the chain-head item in the same
 * transaction; losing that race retries with a fresh head, so concurrent
 * writers never fork the chain. Transient failures are retried by
 * transaction.ts (same items, same ClientRequestToken).
 */

export interface EventSpec {
  readonly eventType: string;
  readonly aggregate: EventEnvelope['aggregate'];
  readonly data: Record<string, unknown>;
  /** What makes the fact unique when aggregate + version + type do not (see core/events/envelope.ts). */
  readonly factKey?: string;
}

export interface Mutation {
  readonly correlationId: string;
  readonly causationId?: string | null;
  readonly writes: readonly TransactWrite[];
  readonly events: readonly EventSpec[];
  readonly audit: Omit<AuditFacts, 'correlationId'>;
  /** The idempotency record's completion (from the idempotency middleware), when the request has one. */
  readonly completion?: TransactWrite;
  /** Maps a failed condition on `writes[index]` to the client's error. */
  readonly onConditionFailed?: (index: number) => Error;
  /**
   * The fact this mutation records, kept in the audit entry (`context.factId`): a request run twice (in
   * both cells of a zone, across a failover) leaves two entries, one per regional chain, with one factId.
   * @default the first event's fact key, else action + resource + correlation id
   */
  readonly factKey?: string;
}

export interface CommitResult {
  readonly events: readonly EventEnvelope[];
  readonly auditSeq: number;
}

/**
 * Chains per cell. Each region has its own chains (the two cells of a zone
 * never fork each other's), and a resource always lands in the same one of
 * AUDIT_CHAIN_SHARDS chains, so its history stays in order while unrelated
 * writes do not all queue behind one chain head. 16, not 4: with 4, fifty
 * concurrent writers (a flash sale) put about twelve on each head, and on a
 * loaded host the losers' retries took longer than a client waits; verifying
 * reads one more head item per chain, nothing else grows.
 */
export const AUDIT_CHAIN_SHARDS = 16;

export function auditChainsOf(region: string): string[] {
  return Array.from({ length: AUDIT_CHAIN_SHARDS }, (_, shard) => `${region}-s${shard}`);
}

export function auditChainOf(region: string, resourceId: string): string {
  const shard = Number.parseInt(sha256Hex(resourceId).slice(0, 8), 16) % AUDIT_CHAIN_SHARDS;
  return `${region}-s${shard}`;
}

export async function readChainHead(context: TableContext, chain: string): Promise<ChainHead | undefined> {
  const { Item } = await context.documentClient.send(
    new GetCommand({ TableName: context.tableName, Key: keys.auditHead(chain), ConsistentRead: true }),
  );
  return Item ? { seq: Item.seq as number, hash: Item.hash as string } : undefined;
}

export async function commitMutation(context: TableContext, mutation: Mutation): Promise<CommitResult> {
  const chain = auditChainOf(context.region, mutation.audit.resource.id);
  const eventsStart = mutation.writes.length;
  /** Events whose fact another run of the same request already recorded (their outbox item exists). */
  const recorded = new Set<number>();
  const outboxTaken = (error: unknown): number[] =>
    error instanceof TransactionCancelled
      ? error.reasons
          .map((reason, index) => ({ reason, index }))
          .filter(({ index }) => index >= eventsStart && index < eventsStart + pendingEvents().length)
          .filter(({ reason }) => isConditionFailure(reason))
          .map(({ index }) => pendingEvents()[index - eventsStart]!)
      : [];
  const pendingEvents = () => mutation.events.map((_, index) => index).filter((i) => !recorded.has(i));
  const chainStart = () => eventsStart + pendingEvents().length;
  const retryable = (error: unknown) => {
    if (!(error instanceof TransactionCancelled)) return false;
    const taken = outboxTaken(error);
    if (taken.length > 0) {
      for (const index of taken) recorded.add(index);
      return true;
    }
    return error.conditionFailedIn(chainStart(), chainStart() + 3) >= 0;
  };
  try {
    return await withRetries(async () => {
      const { items, result } = await planCommit(context, mutation, chain, recorded);
      await transactWrite(context, items);
      return result;
    }, retryable);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    const failedWrite = error.conditionFailedIn(0, mutation.writes.length);
    if (failedWrite >= 0) {
      throw (
        mutation.onConditionFailed?.(failedWrite) ??
        new ProblemError('conflict', 'the resource changed while this request ran; retry')
      );
    }
    if (mutation.completion && error.conditionFailedIn(error.reasons.length - 1) >= 0) {
      throw new ProblemError(
        'idempotency_key_in_use',
        'another request took over this Idempotency-Key while this one ran',
      );
    }
    const lostToContention =
      error.conditionFailedIn(chainStart(), chainStart() + 3) >= 0 ||
      error.reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError');
    if (!lostToContention) throw error;
    // Every attempt lost the audit chain head (or the transaction) to concurrent writers: nothing was written.
    throw new ProblemError(
      'busy',
      `${MAX_TRANSACTION_ATTEMPTS} attempts lost to concurrent writers; nothing was written`,
      {},
      { 'Retry-After': '1' },
    );
  }
}

/** The fact a mutation records (see Mutation.factKey). */
export function factKeyOf(
  mutation: Pick<Mutation, 'factKey' | 'events' | 'audit' | 'correlationId'>,
): string {
  if (mutation.factKey) return mutation.factKey;
  const first = mutation.events[0];
  if (first) return first.factKey ?? defaultFactKey(first);
  const { action, resource } = mutation.audit;
  return `${action}:${resource.type}:${resource.id}:${mutation.correlationId}`;
}

/** The transaction's items against the chain's current head, and what it commits. */
async function planCommit(
  context: TableContext,
  mutation: Mutation,
  chain: string,
  recorded: ReadonlySet<number>,
): Promise<{ items: TransactWrite[]; result: CommitResult }> {
  const now = context.now();
  const allEvents = mutation.events.map((spec) =>
    newEvent({
      ...spec,
      correlationId: mutation.correlationId,
      causationId: mutation.causationId ?? null,
      producer: { region: context.region, zone: context.zone },
      now,
    }),
  );
  // Facts already recorded by another run of this request are not written again (their outbox put would fail).
  const events = allEvents.filter((_, index) => !recorded.has(index));
  const head = await readChainHead(context, chain);
  const record = nextRecord(
    head,
    {
      ...mutation.audit,
      correlationId: mutation.correlationId,
      context: {
        ...mutation.audit.context,
        factId: factKeyOf(mutation),
        eventIds: allEvents.map((e) => e.eventId),
      },
    },
    chain,
    new Date(now).toISOString(),
    { zone: context.zone, region: context.region },
  );
  const sealed = sealEntry(record);
  const entryKey = keys.auditEntry(chain, record.seq);
  const put = (Item: Record<string, unknown>, ConditionExpression = 'attribute_not_exists(pk)') => ({
    Put: { TableName: context.tableName, Item, ConditionExpression },
  });
  const chainWrites: TransactWrite[] = [
    put({
      ...entryKey,
      entity: 'audit',
      gsi1pk: keys.auditByResource(record.resource.type, record.resource.id),
      gsi1sk: `${chain}#${entryKey.sk}`,
      seq: record.seq,
      recordJson: sealed.recordJson,
      hash: sealed.hash,
    }),
    put({
      ...keys.auditByCorrelation(mutation.correlationId, chain, record.seq),
      entity: 'audit_ref',
      entryKey,
    }),
    {
      Put: {
        TableName: context.tableName,
        Item: { ...keys.auditHead(chain), entity: 'audit_head', seq: record.seq, hash: sealed.hash },
        ...(head
          ? { ConditionExpression: 'seq = :seq', ExpressionAttributeValues: { ':seq': head.seq } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    },
  ];
  const items: TransactWrite[] = [
    ...mutation.writes,
    ...events.map((event) => put(outboxItem(event))),
    ...chainWrites,
    ...(mutation.completion ? [mutation.completion] : []),
  ];
  return { items, result: { events: allEvents, auditSeq: record.seq } };
}
