import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AuditRepository } from '../../../lambdas/adapters/audit-repository';
import { auditChainOf, commitMutation } from '../../../lambdas/adapters/mutation';
import type { TableContext } from '../../../lambdas/adapters/table';
import { freshCommerceTable, tableContextFor } from '../../support/dynamodb';

describe('commitMutation: business write, outbox event and audit entry in one transaction', () => {
  let table: Awaited<ReturnType<typeof freshCommerceTable>>;
  let context: TableContext;
  beforeAll(async () => {
    table = await freshCommerceTable();
    context = tableContextFor(table);
  });
  afterAll(() => table.drop());

  const mutation = (id: string, condition?: string) => ({
    correlationId: `corr-${id}`,
    writes: [
      {
        Put: {
          TableName: context.tableName,
          Item: { pk: `THING#${id}`, sk: 'THING', value: id },
          ...(condition ? { ConditionExpression: condition } : {}),
        },
      },
    ],
    events: [{ eventType: 'thing.v1.made', aggregate: { type: 'thing', id, version: 1 }, data: { id } }],
    audit: {
      actor: 'tester',
      action: 'thing.make',
      resource: { type: 'thing', id: 'shared-resource' },
      outcome: 'success' as const,
    },
  });

  it('serialises 20 concurrent appends to one chain without forking it', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => commitMutation(context, mutation(`c${i}`))));
    const chain = auditChainOf('us-east-1', 'shared-resource');
    const result = await new AuditRepository(context).verify(chain);
    expect(result).toMatchObject({ valid: true, entries: 20, headSeq: 20 });
  });

  it('writes nothing at all when a business condition fails', async () => {
    const chain = auditChainOf('us-east-1', 'shared-resource');
    const before = await new AuditRepository(context).verify(chain);
    await expect(commitMutation(context, mutation('c0', 'attribute_not_exists(pk)'))).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(await new AuditRepository(context).verify(chain)).toEqual(before);
  });

  it('returns the events it wrote, carrying the correlation id and the cell as producer', async () => {
    const { events } = await commitMutation(context, mutation('e1'));
    expect(events).toEqual([
      expect.objectContaining({
        eventType: 'thing.v1.made',
        correlationId: 'corr-e1',
        producer: { zone: 'global', region: 'us-east-1' },
      }),
    ]);
    const { Item } = await context.documentClient.send(
      new GetCommand({
        TableName: context.tableName,
        Key: { pk: `OUTBOX#${events[0]!.eventId}`, sk: 'EVENT' },
      }),
    );
    expect(Item?.envelope).toEqual(events[0]);
  });
});
