import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type StreamRecordHandler, StreamPoller } from '../../local/stream-poller';
import { cloudStreamArn } from '../../local/stream-records';
import { dynamoEndpoint, freshCommerceTable } from '../support/dynamodb';
import { waitUntil } from '../support/wait';

describe('local/stream-poller StreamPoller', () => {
  const region = 'eu-west-1';
  let table: Awaited<ReturnType<typeof freshCommerceTable>>;
  let streamArn: string;
  let poller: StreamPoller | undefined;

  beforeEach(async () => {
    table = await freshCommerceTable(region);
    const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    streamArn = Table!.LatestStreamArn!;
  });

  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    await table.drop();
  });

  const startPoller = (handler: StreamRecordHandler) => {
    poller = new StreamPoller({
      name: 'test',
      endpoint: dynamoEndpoint(),
      region,
      streamArn,
      source: { region, eventSourceArn: cloudStreamArn(streamArn, 'aws', region, '111111111111') },
      handler,
      pollIntervalMs: 20,
    });
    poller.start();
  };

  const put = (pk: string, extra: Record<string, { S: string } | { B: Uint8Array }> = {}) =>
    table.client.send(
      new PutItemCommand({ TableName: table.tableName, Item: { pk: { S: pk }, sk: { S: 'A' }, ...extra } }),
    );

  it('delivers records in the shape Lambda receives, in order', async () => {
    // Prepare
    const received: DynamoDBRecord[] = [];
    startPoller(async (event: DynamoDBStreamEvent) => {
      received.push(...event.Records);
    });
    // Act
    await put('one', { blob: { B: new Uint8Array([1, 2, 3]) } });
    await put('one', { note: { S: 'changed' } });
    await waitUntil(() => received.length >= 2);
    // Assess
    const [insert, modify] = received;
    expect(insert).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      awsRegion: region,
      eventSourceARN: expect.stringMatching(
        /^arn:aws:dynamodb:eu-west-1:111111111111:table\/test-.*\/stream\//,
      ),
      dynamodb: {
        Keys: { pk: { S: 'one' }, sk: { S: 'A' } },
        NewImage: {
          pk: { S: 'one' },
          sk: { S: 'A' },
          blob: { B: Buffer.from([1, 2, 3]).toString('base64') },
        },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(typeof insert?.eventID).toBe('string');
    expect(typeof insert?.dynamodb?.ApproximateCreationDateTime).toBe('number');
    expect(modify?.eventName).toBe('MODIFY');
    expect(modify?.dynamodb?.OldImage?.blob).toBeDefined();
    expect(modify?.dynamodb?.NewImage?.note).toEqual({ S: 'changed' });
  });

  it('holds records while paused and reads on from its checkpoint after resume, none lost or repeated', async () => {
    // Prepare
    const received: string[] = [];
    startPoller(async (event: DynamoDBStreamEvent) => {
      received.push(...event.Records.map((r) => r.dynamodb?.Keys?.pk?.S ?? '?'));
    });
    await put('before');
    await waitUntil(() => received.length >= 1);
    // Act
    await poller!.pause();
    await put('during-1');
    await put('during-2');
    const whilePaused = Date.now();
    await waitUntil(() => Date.now() - whilePaused >= 300);
    const readWhilePaused = [...received];
    const pausedStats = poller!.stats;
    poller!.resume();
    await waitUntil(() => received.length >= 3);
    // Assess
    expect(pausedStats.paused).toBe(true);
    expect(readWhilePaused).toEqual(['before']);
    expect(received).toEqual(['before', 'during-1', 'during-2']);
    expect(poller!.stats.paused).toBe(false);
  });

  it('redelivers a batch whose handler failed (at-least-once)', async () => {
    // Prepare
    let calls = 0;
    const delivered: string[] = [];
    startPoller(async (event) => {
      calls += 1;
      if (calls === 1) throw new Error('transient failure');
      delivered.push(...event.Records.map((r) => r.dynamodb?.Keys?.pk?.S ?? ''));
    });
    // Act
    await put('first');
    await waitUntil(() => delivered.includes('first'));
    // Assess
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(poller?.stats.failedBatches).toBe(1);
  });

  it('resumes at the first failed record when the handler reports batch item failures', async () => {
    // Prepare
    const seen: string[] = [];
    let failedOnce = false;
    startPoller(async (event) => {
      const keys = event.Records.map((r) => r.dynamodb?.Keys?.pk?.S ?? '');
      seen.push(...keys);
      const failing = event.Records.find((r) => r.dynamodb?.Keys?.pk?.S === 'b');
      if (failing && !failedOnce) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: failing.dynamodb!.SequenceNumber! }] };
      }
      return undefined;
    });
    // Act
    await put('a');
    await put('b');
    await put('c');
    await waitUntil(() => failedOnce && seen.filter((k) => k === 'b').length >= 2 && seen.at(-1) === 'c');
    // Assess: `a` is not delivered again, `b` is.
    expect(seen.filter((k) => k === 'a')).toHaveLength(1);
    expect(seen.filter((k) => k === 'b').length).toBeGreaterThanOrEqual(2);
  });
});
