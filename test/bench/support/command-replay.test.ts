import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CommandRecorder, compareTwins, TwinReplayer } from '../../../bench/support/command-replay';
import { freshCommerceTable } from '../../support/dynamodb';

/** The bench's raw baseline must be the API's own operations: replayed faithfully, and caught when it is not. */
describe('command recording and twin replay', () => {
  let api: Awaited<ReturnType<typeof freshCommerceTable>>;
  let twinTable: Awaited<ReturnType<typeof freshCommerceTable>>;
  let documentClient: DynamoDBDocumentClient;

  beforeEach(async () => {
    api = await freshCommerceTable();
    twinTable = await freshCommerceTable();
    documentClient = DynamoDBDocumentClient.from(api.client);
  });
  afterEach(async () => {
    await api.drop();
    await twinTable.drop();
  });

  /** Two requests: a conditional create (second time it fails) and a transaction, as an API would send them. */
  async function recordTwoRequests(recorder: CommandRecorder, tableName: string) {
    const client = recorder.wrap(documentClient);
    const create = new PutCommand({
      TableName: tableName,
      Item: { pk: 'ORDER#1', sk: 'ORDER', amount: 10 },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    recorder.nextRequest('create');
    await client.send(create);
    await expect(client.send(create)).rejects.toThrow('conditional request failed');
    recorder.nextRequest('place');
    await client.send(new GetCommand({ TableName: tableName, Key: { pk: 'ORDER#1', sk: 'ORDER' } }));
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: { pk: 'OUTBOX#1', sk: 'EVENT' } } },
          {
            Update: {
              TableName: tableName,
              Key: { pk: 'ORDER#1', sk: 'ORDER' },
              UpdateExpression: 'SET amount = amount + :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
  }

  it('replays every command on the twin with the same outcomes, and the tables end identical', async () => {
    const recorder = new CommandRecorder();
    await recordTwoRequests(recorder, api.tableName);
    expect(recorder.operationsOf('place')).toEqual(['Get', 'TransactWrite(2 items)']);

    const twin = new TwinReplayer(recorder, documentClient, api.tableName, twinTable.tableName);
    const replayPlace = await twin.prepare('place');
    // prepare replayed the earlier request (untimed); the returned function replays only "place".
    await expect(
      documentClient.send(
        new GetCommand({ TableName: twinTable.tableName, Key: { pk: 'ORDER#1', sk: 'ORDER' } }),
      ),
    ).resolves.toMatchObject({ Item: { amount: 10 } });
    await replayPlace();
    await twin.finish();

    expect(twin.fidelity()).toEqual({ replayed: 4, mismatches: [] });
    await expect(compareTwins(documentClient, api.tableName, twinTable.tableName)).resolves.toEqual({
      identical: true,
      items: 2,
    });
  });

  it('reports a replayed outcome that differs and tables that differ', async () => {
    const recorder = new CommandRecorder();
    await recordTwoRequests(recorder, api.tableName);
    // The twin did not start in the API table's state: the first conditional create now fails.
    await documentClient.send(
      new PutCommand({ TableName: twinTable.tableName, Item: { pk: 'ORDER#1', sk: 'ORDER', amount: 99 } }),
    );
    const twin = new TwinReplayer(recorder, documentClient, api.tableName, twinTable.tableName);
    await twin.finish();

    const { mismatches } = twin.fidelity();
    expect(mismatches[0]).toMatch(
      /^PutCommand \(create\): API got \{"result":\{\}\}, replay got \{"error":"ConditionalCheckFailedException"\}/,
    );
    const tables = await compareTwins(documentClient, api.tableName, twinTable.tableName);
    expect(tables.identical).toBe(false);
    expect(tables.firstDifference).toContain('"amount":11');
  });

  it('marks commands sent while another of the request is in flight, and replays them together', async () => {
    const recorder = new CommandRecorder();
    const client = recorder.wrap(documentClient);
    recorder.nextRequest('read');
    await Promise.all(
      ['A', 'B'].map((id) =>
        client.send(new GetCommand({ TableName: api.tableName, Key: { pk: id, sk: 'X' } })),
      ),
    );
    expect(recorder.operationsOf('read')).toEqual(['Get', '|| Get']);
    const twin = new TwinReplayer(recorder, documentClient, api.tableName, twinTable.tableName);
    await (await twin.prepare('read'))();
    expect(twin.fidelity()).toEqual({ replayed: 2, mismatches: [] });
  });

  it('repeats a read-only request on the twin, and refuses to repeat one that writes', async () => {
    const recorder = new CommandRecorder();
    await recordTwoRequests(recorder, api.tableName);
    const twin = new TwinReplayer(recorder, documentClient, api.tableName, twinTable.tableName);
    expect(() => twin.repeatReads('place')).toThrow(
      '"place" writes (TransactWriteCommand); only reads repeat',
    );

    recorder.nextRequest('read');
    await recorder
      .wrap(documentClient)
      .send(new GetCommand({ TableName: api.tableName, Key: { pk: 'ORDER#1', sk: 'ORDER' } }));
    const sent: string[] = [];
    const spy = new Proxy(documentClient, {
      get: (target, property, receiver) =>
        property === 'send'
          ? (command: GetCommand) => {
              sent.push(command.input.TableName!);
              return target.send(command);
            }
          : Reflect.get(target, property, receiver),
    });
    const repeat = new TwinReplayer(recorder, spy, api.tableName, twinTable.tableName).repeatReads('read');
    await repeat();
    await repeat();
    expect(sent).toEqual([twinTable.tableName, twinTable.tableName]);
  });

  it('refuses to replay a label nothing was recorded under', async () => {
    const twin = new TwinReplayer(new CommandRecorder(), documentClient, api.tableName, twinTable.tableName);
    await expect(twin.prepare('checkout')).rejects.toThrow('nothing recorded under "checkout"');
  });
});
