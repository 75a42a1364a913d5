import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { commitMutation } from '../../../lambdas/adapters/mutation';
import type { TableContext, TransactWrite } from '../../../lambdas/adapters/table';
import { TransactionCancelled, transactWrite } from '../../../lambdas/adapters/transaction';
import { freshCommerceTable, tableContextFor } from '../../support/dynamodb';

/**
 * A transaction whose answer is lost (the request reached DynamoDB and committed, then the connection
 * broke) must be recognised when it is sent again, not fail its own conditions. This is what made requests
 * answer 409 idempotency_key_in_use under load: the retry rebuilt the transaction without the first
 * attempt's ClientRequestToken, found the key already completed by that attempt, and reported a lost lock.
 */
describe('transactWrite: one retry policy, idempotent resends', () => {
  let table: Awaited<ReturnType<typeof freshCommerceTable>>;
  let context: TableContext;
  beforeAll(async () => {
    table = await freshCommerceTable();
    context = tableContextFor(table);
  });
  afterAll(() => table.drop());

  /** A client whose first TransactWriteItems commits, but whose caller sees a timeout instead of the answer. */
  function losingFirstAnswer(): { client: DynamoDBDocumentClient; tokens: string[] } {
    const real = context.documentClient;
    const tokens: string[] = [];
    let lost = false;
    const client = Object.create(real) as DynamoDBDocumentClient;
    client.send = (async (command: unknown, ...rest: unknown[]) => {
      const answer = await (real.send as (c: unknown, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
      if (command instanceof TransactWriteCommand) {
        tokens.push(command.input.ClientRequestToken ?? '');
        if (!lost) {
          lost = true;
          throw Object.assign(new Error('socket timed out after the request was sent'), {
            name: 'TimeoutError',
          });
        }
      }
      return answer;
    }) as DynamoDBDocumentClient['send'];
    return { client, tokens };
  }

  const counter = (id: string): TransactWrite => ({
    Update: {
      TableName: context.tableName,
      Key: { pk: `COUNTER#${id}`, sk: 'COUNTER' },
      UpdateExpression: 'ADD n :one',
      ExpressionAttributeValues: { ':one': 1 },
    },
  });
  const readCount = async (id: string) =>
    (
      await context.documentClient.send(
        new GetCommand({ TableName: context.tableName, Key: { pk: `COUNTER#${id}`, sk: 'COUNTER' } }),
      )
    ).Item?.n;

  it('resends a transaction whose outcome was lost with the same token, and it applies once', async () => {
    // Prepare
    const { client, tokens } = losingFirstAnswer();
    // Act
    await transactWrite({ documentClient: client }, [
      counter('lost-answer'),
      {
        Put: {
          TableName: context.tableName,
          Item: { pk: 'ONCE#lost-answer', sk: 'ONCE' },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
    // Assess: two sends under one token; the second did not fail the first one's condition; applied once.
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[0]!.length).toBeLessThanOrEqual(36);
    expect(await readCount('lost-answer')).toBe(1);
  });

  it('gives two calls with identical items two tokens: the second is a new transaction, not a replay', async () => {
    // Prepare + Act: the same items twice (as a saga reserved again after its compensation, same clock).
    await transactWrite(context, [counter('twice')]);
    await transactWrite(context, [counter('twice')]);
    // Assess
    expect(await readCount('twice')).toBe(2);
  });

  it('reports a failed condition as TransactionCancelled with the item that failed', async () => {
    const once = (id: string): TransactWrite => ({
      Put: {
        TableName: context.tableName,
        Item: { pk: `ONCE#${id}`, sk: 'ONCE' },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    await transactWrite(context, [once('taken')]);
    const failure = await transactWrite(context, [counter('cancelled'), once('taken')]).catch((e) => e);
    expect(failure).toBeInstanceOf(TransactionCancelled);
    expect((failure as TransactionCancelled).conditionFailedIn()).toBe(1);
    expect(await readCount('cancelled')).toBeUndefined();
  });

  it('answers a committed mutation as committed when the first answer was lost (no lost-lock 409)', async () => {
    // Prepare: an idempotency-style completion guarded by a lock token, as the API commits it.
    const lockKey = { pk: 'LOCK#m1', sk: 'RECORD' };
    await context.documentClient.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: context.tableName, Item: { ...lockKey, lockToken: 'mine' } } }],
      }),
    );
    const { client } = losingFirstAnswer();
    // Act
    const result = await commitMutation(
      { ...context, documentClient: client },
      {
        correlationId: 'corr-lost',
        writes: [counter('mutation-lost-answer')],
        events: [],
        audit: {
          actor: 'tester',
          action: 'thing.count',
          resource: { type: 'thing', id: 'lost-answer' },
          outcome: 'success',
        },
        completion: {
          Put: {
            TableName: context.tableName,
            Item: { ...lockKey, state: 'completed' },
            ConditionExpression: 'lockToken = :mine',
            ExpressionAttributeValues: { ':mine': 'mine' },
          },
        },
      },
    );
    // Assess
    expect(result.auditSeq).toBe(1);
    expect(await readCount('mutation-lost-answer')).toBe(1);
  });
});
