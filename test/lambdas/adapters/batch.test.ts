import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../../../lambdas/adapters/batch';
import type { TableContext } from '../../../lambdas/adapters/table';
import { freshCommerceTable, tableContextFor } from '../../support/dynamodb';

describe('batch writes', () => {
  let table: Awaited<ReturnType<typeof freshCommerceTable>>;
  let context: TableContext;
  beforeAll(async () => {
    table = await freshCommerceTable();
    context = tableContextFor(table);
  });
  afterAll(() => table.drop());

  it('writes every request in chunks of 25 and sends again what DynamoDB left unprocessed', async () => {
    // DynamoDB may leave part of a BatchWrite unprocessed under load; this client holds back 5 of the first call.
    const sent: number[] = [];
    const documentClient = new Proxy(context.documentClient, {
      get: (target, property, receiver) =>
        property === 'send'
          ? async (command: unknown) => {
              if (!(command instanceof BatchWriteCommand)) return target.send(command as never);
              const requests = command.input.RequestItems![context.tableName]!;
              sent.push(requests.length);
              if (sent.length > 1) return target.send(command);
              await target.send(
                new BatchWriteCommand({ RequestItems: { [context.tableName]: requests.slice(5) } }),
              );
              return { UnprocessedItems: { [context.tableName]: requests.slice(0, 5) } };
            }
          : Reflect.get(target, property, receiver),
    });
    const requests = Array.from({ length: 30 }, (_, i) => ({
      PutRequest: { Item: { pk: `THING#${i}`, sk: 'THING' } },
    }));

    await batchWriteAll({ ...context, documentClient }, requests);

    expect(sent).toEqual([25, 10]);
    const { Items = [] } = await context.documentClient.send(
      new ScanCommand({ TableName: context.tableName }),
    );
    expect(Items.map((i) => i.pk).sort()).toEqual(requests.map((r) => r.PutRequest.Item.pk).sort());
  });
});
