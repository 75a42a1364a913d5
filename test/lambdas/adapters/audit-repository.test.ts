import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { AuditRepository } from '../../../lambdas/adapters/audit-repository';
import { commitMutation } from '../../../lambdas/adapters/mutation';
import type { TableContext } from '../../../lambdas/adapters/table';
import { freshCommerceTable, tableContextFor } from '../../support/dynamodb';

describe('audit queries', () => {
  let table: Awaited<ReturnType<typeof freshCommerceTable>>;
  let context: TableContext;
  beforeAll(async () => {
    table = await freshCommerceTable();
    context = tableContextFor(table);
    // One request (one correlation id) that wrote to 6 resources: entries spread over the chain shards.
    for (let i = 0; i < 6; i += 1) {
      await commitMutation(context, {
        correlationId: 'corr-many',
        writes: [],
        events: [],
        audit: {
          actor: 'ops',
          action: 'thing.touch',
          resource: { type: 'thing', id: `t${i}` },
          outcome: 'success',
        },
      });
    }
  });
  afterAll(() => table.drop());

  it('asks again for the entries a BatchGet left unprocessed', async () => {
    // DynamoDB may process part of a BatchGet under load; this client holds back half the keys of the first call.
    let calls = 0;
    const documentClient = new Proxy(context.documentClient, {
      get: (target, property, receiver) =>
        property === 'send'
          ? async (command: unknown) => {
              if (!(command instanceof BatchGetCommand)) return target.send(command as never);
              calls += 1;
              const request = command.input.RequestItems![context.tableName]!;
              if (calls > 1) return target.send(command);
              const keys = request.Keys!;
              const half = Math.ceil(keys.length / 2);
              const answered = await target.send(
                new BatchGetCommand({ RequestItems: { [context.tableName]: { Keys: keys.slice(0, half) } } }),
              );
              return { ...answered, UnprocessedKeys: { [context.tableName]: { Keys: keys.slice(half) } } };
            }
          : Reflect.get(target, property, receiver),
    });

    const entries = await new AuditRepository({ ...context, documentClient }).byCorrelationId('corr-many');
    expect(calls).toBe(2);
    expect(entries.map((e) => e.resource.id).sort()).toEqual(['t0', 't1', 't2', 't3', 't4', 't5']);
  });
});
