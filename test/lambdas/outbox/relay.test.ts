import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { EventEnvelope } from '../../../lambdas/core/events/envelope';
import { outboxItem } from '../../../lambdas/adapters/outbox-repository';
import { EventBridgePublisher } from '../../../lambdas/outbox/event-bus';
import { InMemoryPublisher } from '../../../local/in-memory-publisher';
import { relayStreamBatch } from '../../../lambdas/outbox/relay';
import { deliveryIdOf } from '../../../lambdas/core/webhooks/delivery';
import { dynamoEndpoint } from '../../support/dynamodb';
import { webhookHarness } from '../webhooks/support/harness';
import { readWholeStream } from './support/stream';

let sequence = 1000;
function streamRecord(
  item: Record<string, unknown>,
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT',
): DynamoDBRecord {
  sequence += 1;
  const image = marshall(item, { removeUndefinedValues: true }) as never;
  return {
    eventID: `e${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      ...(eventName === 'REMOVE' ? { OldImage: image } : { NewImage: image }),
      SequenceNumber: String(sequence),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
const batch = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

describe('outbox relay', () => {
  let h: Awaited<ReturnType<typeof webhookHarness>>;
  beforeEach(async () => {
    h = await webhookHarness();
  });
  afterEach(() => h.drop());

  const relayDeps = (publisher = new InMemoryPublisher()) => ({
    cellRegion: 'us-east-1',
    publisher,
    fanout: h.fanout,
  });

  it('publishes outbox INSERTs of this region only; ignores other items, updates, TTL deletes and replicas', async () => {
    const mine = h.event();
    const replicated: EventEnvelope = { ...h.event(), producer: { region: 'us-west-2', zone: 'global' } };
    const publisher = new InMemoryPublisher();

    const result = await relayStreamBatch(
      batch(
        streamRecord(outboxItem(mine)),
        streamRecord(outboxItem(replicated)),
        streamRecord({ pk: 'CART#1', sk: 'CART', entity: 'cart' }),
        streamRecord(outboxItem(h.event()), 'REMOVE'),
        streamRecord(outboxItem(h.event()), 'MODIFY'),
      ),
      relayDeps(publisher),
    );

    expect(publisher.events).toEqual([mine]);
    expect(result).toMatchObject({ batchItemFailures: [], published: 1, skipped: 1 });
  });

  it('skips (and logs) an outbox item whose envelope is invalid instead of blocking the shard', async () => {
    const errors: unknown[] = [];
    const broken = { ...outboxItem(h.event()), envelope: { eventId: 'nope' } };
    const good = h.event();
    const publisher = new InMemoryPublisher();

    const result = await relayStreamBatch(batch(streamRecord(broken), streamRecord(outboxItem(good))), {
      ...relayDeps(publisher),
      logger: { warn: () => undefined, error: (message, fields) => errors.push({ message, fields }) },
    });

    expect(publisher.events).toEqual([good]);
    expect(result.batchItemFailures).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/invalid envelope/) })]);
  });

  it('publishes to EventBridge in batches of at most 10 and reports per-entry failures per record', async () => {
    const eventBridge = mockClient(EventBridgeClient);
    const events = Array.from({ length: 23 }, () => h.event());
    const rejected = events[12]!;
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: { Detail: string }[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((entry) =>
        JSON.parse(entry.Detail).eventId === rejected.eventId
          ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }
          : { EventId: 'ok' },
      ),
    }));
    const records = events.map((event) => streamRecord(outboxItem(event)));
    const publisher = new EventBridgePublisher(
      new EventBridgeClient({ region: 'us-east-1' }),
      'commerce-bus',
    );

    const { batchItemFailures } = await relayStreamBatch(batch(...records), relayDeps(publisher as never));
    const result = { batchItemFailures };

    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls[0]!.args[0].input.Entries?.[0]).toMatchObject({
      EventBusName: 'commerce-bus',
      Source: 'commerce.global',
      DetailType: 'order.v1.placed',
    });
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: records[12]!.dynamodb!.SequenceNumber }],
    });
    eventBridge.restore();
  });

  it('fans out one delivery per matching endpoint; duplicate stream records and replays create no second one', async () => {
    const { endpoint: a } = await h.endpoints.create({
      url: 'https://hooks.example.com/a',
      eventTypes: ['order.*'],
    });
    const { endpoint: b } = await h.endpoints.create({
      url: 'https://hooks.example.com/b',
      eventTypes: ['*'],
    });
    await h.endpoints.create({ url: 'https://hooks.example.com/c', eventTypes: ['customer.v1.created'] });
    const event = h.event();
    const record = streamRecord(outboxItem(event));

    await relayStreamBatch(batch(record, record), relayDeps()); // duplicate inside one batch
    await h.runUntilIdle();
    await relayStreamBatch(batch(record), relayDeps()); // the stream redelivers the batch later
    await h.runUntilIdle();

    expect(h.receiver.requests.map((r) => r.request.url).sort()).toEqual([
      'https://hooks.example.com/a',
      'https://hooks.example.com/b',
    ]);
    for (const endpoint of [a, b]) {
      expect(await h.deliveries.get(deliveryIdOf(event.eventId, endpoint.id))).toMatchObject({
        status: 'succeeded',
      });
    }
  });

  it('reports the records whose deliveries could not be enqueued, and enqueues them on the retry', async () => {
    await h.endpoints.create({ url: 'https://hooks.example.com/a' });
    const event = h.event();
    const record = streamRecord(outboxItem(event));
    const realEnqueue = h.queue.enqueue.bind(h.queue);
    h.queue.enqueue = async (messages) => ({ failed: messages.map((m) => m.deliveryId) });

    const first = await relayStreamBatch(batch(record), relayDeps());
    h.queue.enqueue = realEnqueue;
    const retry = await relayStreamBatch(batch(record), relayDeps());
    await h.runUntilIdle();

    expect(first.batchItemFailures).toEqual([{ itemIdentifier: record.dynamodb!.SequenceNumber }]);
    expect(retry.batchItemFailures).toEqual([]);
    expect(h.receiver.requests).toHaveLength(1);
  });

  it('relays what the API wrote, read from the real DynamoDB Local stream; a replayed stream delivers nothing twice', async () => {
    await h.endpoints.create({ url: 'https://hooks.example.com/a' });
    const events = Array.from({ length: 30 }, (_, i) => h.event('order.v1.placed', { orderId: `o-${i}` }));
    for (let i = 0; i < events.length; i += 25) {
      await h.documentClient.send(
        new BatchWriteCommand({
          RequestItems: {
            [h.table.tableName]: events
              .slice(i, i + 25)
              .map((e) => ({ PutRequest: { Item: outboxItem(e) } })),
          },
        }),
      );
    }
    await h.documentClient.send(
      new PutCommand({ TableName: h.table.tableName, Item: { pk: 'CART#x', sk: 'CART' } }),
    );
    const records = await readWholeStream(h.table.client, dynamoEndpoint(), h.table.tableName);
    const publisher = new InMemoryPublisher();

    await relayStreamBatch(batch(...records), relayDeps(publisher));
    await relayStreamBatch(batch(...records), relayDeps(publisher)); // at-least-once: the whole batch again
    await h.runUntilIdle();

    expect(new Set(publisher.events.map((e) => e.eventId)).size).toBe(30);
    expect(h.receiver.requests).toHaveLength(30);
    expect(new Set(h.receiver.requests.map((r) => r.request.headers['webhook-id']))).toEqual(
      new Set(events.map((e) => e.eventId)),
    );
  });
});
