import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { IdempotencyStore } from '../../../lambdas/adapters/idempotency-store';
import { IDEMPOTENCY_LOCK_MS, IDEMPOTENCY_RETENTION_SECONDS } from '../../../lambdas/core/idempotency';
import { freshCommerceTable, tableContextFor } from '../../support/dynamodb';
import { testClockStart } from '../../support/clock';

describe('IdempotencyStore on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshCommerceTable>>;
  let store: IdempotencyStore;
  let documentClient: DynamoDBDocumentClient;
  const clock = { now: testClockStart() };
  const response = { status: 201, body: '{"id":"x"}', headers: { 'content-type': 'application/json' } };
  beforeAll(async () => {
    table = await freshCommerceTable();
    const context = tableContextFor(table, () => clock.now);
    documentClient = context.documentClient;
    store = new IdempotencyStore(context);
  });
  afterAll(() => table.drop());

  it('lets exactly one of many concurrent requests take a key', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => store.begin('s', 'race', 'fp')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'idempotency_key_in_use' });
    }
  });

  it('replays after the completion committed, and refuses another fingerprint', async () => {
    const begun = await store.begin('s', 'done', 'fp');
    if (begun.kind !== 'acquired') throw new Error('expected to acquire');
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [store.completion('s', 'done', begun.lockToken, 'fp', response)],
      }),
    );
    expect(await store.begin('s', 'done', 'fp')).toEqual({ kind: 'replay', response });
    await expect(store.begin('s', 'done', 'other')).rejects.toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('lets a retry take over a crashed request’s key once the lock lapses, and fences the old owner out', async () => {
    const first = await store.begin('s', 'crash', 'fp');
    if (first.kind !== 'acquired') throw new Error('expected to acquire');
    clock.now += IDEMPOTENCY_LOCK_MS + 1;
    const second = await store.begin('s', 'crash', 'fp');
    expect(second.kind).toBe('acquired');
    await expect(
      documentClient.send(
        new TransactWriteCommand({
          TransactItems: [store.completion('s', 'crash', first.lockToken, 'fp', response)],
        }),
      ),
    ).rejects.toMatchObject({ name: 'TransactionCanceledException' });
  });

  it('treats a record past its TTL as free even before DynamoDB deletes it', async () => {
    const begun = await store.begin('s', 'old', 'fp');
    if (begun.kind !== 'acquired') throw new Error('expected to acquire');
    await store.complete('s', 'old', begun.lockToken, 'fp', response);
    clock.now += (IDEMPOTENCY_RETENTION_SECONDS + 1) * 1000;
    expect((await store.begin('s', 'old', 'another-request')).kind).toBe('acquired');
  });

  it('releases a key so the next attempt can run', async () => {
    const begun = await store.begin('s', 'release', 'fp');
    if (begun.kind !== 'acquired') throw new Error('expected to acquire');
    await store.release('s', 'release', begun.lockToken);
    expect((await store.begin('s', 'release', 'fp')).kind).toBe('acquired');
  });
});
