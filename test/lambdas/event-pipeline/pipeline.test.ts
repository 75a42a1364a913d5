import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type EventEnvelope, newEvent } from '../../../lambdas/core/events/envelope';
import { outboxItem } from '../../../lambdas/adapters/outbox-repository';
import { InMemoryPublisher } from '../../../local/in-memory-publisher';
import { createEventPipeline } from '../../../lambdas/event-pipeline/pipeline';
import { localNetwork } from '../../../lambdas/webhooks/ssrf';
import { InProcessQueue } from '../../../local/in-process-queue';
import { startWebhookSink } from '../../../local/webhook-sink';
import { dynamoEndpoint, freshCommerceTable } from '../../support/dynamodb';
import { readWholeStream } from '../outbox/support/stream';
import { PutCommand } from '@aws-sdk/lib-dynamodb';

describe('event pipeline on loopback: table stream -> relay -> queue -> signed POST -> sink', () => {
  it('delivers every committed event exactly once in effect, even when the stream is replayed and the sink flaps', async () => {
    const table = await freshCommerceTable();
    const clock = { now: Date.parse('2030-06-01T09:00:00Z') };
    const now = () => clock.now;
    const sink = await startWebhookSink({ now });
    const queue = new InProcessQueue({ now });
    const publisher = new InMemoryPublisher();
    try {
      const documentClient = DynamoDBDocumentClient.from(table.client, {
        marshallOptions: { removeUndefinedValues: true },
      });
      const pipeline = createEventPipeline({
        documentClient,
        tableName: table.tableName,
        cellRegion: 'us-east-1',
        mode: localNetwork([sink.port]),
        queue,
        publisher,
        now,
        random: () => 0.5,
      });
      queue.setHandler((message, count) => pipeline.dispatcher.dispatch(message, count));
      const { secret } = await pipeline.endpoints.create({
        url: `${sink.url}/orders`,
        eventTypes: ['order.*'],
      });
      sink.setSecret(secret);
      sink.setFault({ mode: 'fail', count: 4, status: 503 });
      const events: EventEnvelope[] = [];
      for (let i = 0; i < 6; i++) {
        const event = newEvent({
          eventType: i % 2 ? 'order.v1.placed' : 'cart.v1.created',
          correlationId: `c${i}`,
          producer: { region: 'us-east-1', zone: 'global' },
          aggregate: { type: 'x', id: String(i), version: 1 },
          data: { n: i },
          now: clock.now,
        });
        events.push(event);
        await documentClient.send(new PutCommand({ TableName: table.tableName, Item: outboxItem(event) }));
      }
      const records = await readWholeStream(table.client, dynamoEndpoint(), table.tableName);

      expect(await pipeline.relayHandler({ Records: records })).toEqual({ batchItemFailures: [] });
      expect(await pipeline.relayHandler({ Records: records })).toEqual({ batchItemFailures: [] }); // replay
      for (let step = 0; step < 20 && queue.size > 0; step++) {
        await queue.runDue();
        clock.now = Math.max(clock.now, queue.nextVisibleAt() ?? clock.now);
      }

      const orders = events.filter((e) => e.eventType.startsWith('order.')).map((e) => e.eventId);
      expect(new Set(publisher.events.map((e) => e.eventId)).size).toBe(6);
      expect([...sink.effects().keys()].sort()).toEqual(orders.sort());
      expect(sink.summary()).toMatchObject({ unique: 3, duplicates: 0 });
      expect(sink.deliveries().filter((d) => d.status === 503)).toHaveLength(4);
      expect(sink.deliveries().every((d) => d.verified)).toBe(true);
    } finally {
      await sink.stop();
      await table.drop();
    }
  });
});
