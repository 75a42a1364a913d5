import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EventEnvelope } from '../../../lambdas/core/events/envelope';
import { outboxItem } from '../../../lambdas/adapters/outbox-repository';
import { InMemoryPublisher } from '../../../local/in-memory-publisher';
import { relayReplicatedEvents } from '../../../lambdas/outbox/takeover';
import { deliveryIdOf } from '../../../lambdas/core/webhooks/delivery';
import { webhookHarness } from '../webhooks/support/harness';

describe('failover takeover: relaying replicated events the failed primary never relayed', () => {
  it('relays other regions’ events of the window once; deliveries the old primary made are not repeated', async () => {
    const h = await webhookHarness();
    try {
      const { endpoint } = await h.endpoints.create({ url: 'https://hooks.example.com/in' });
      const fromWest = (orderId: string): EventEnvelope => ({
        ...h.event('order.v1.placed', { orderId }),
        producer: { region: 'us-west-2', zone: 'global' },
      });
      const windowStart = h.now();
      const delivered = fromWest('already-delivered'); // the old primary relayed this one before it failed
      const orphan = fromWest('orphan'); // committed and replicated, never relayed
      const own = h.event('order.v1.placed', { orderId: 'own' }); // ours: our own relay handles it
      h.state.now += 60_000;
      const later = fromWest('after-window');
      for (const event of [delivered, orphan, own, later]) {
        await h.documentClient.send(
          new PutCommand({ TableName: h.table.tableName, Item: outboxItem(event) }),
        );
      }
      // The old primary's delivery record for it, replicated with the table (created and enqueued there).
      await h.deliveries.createIfAbsent(delivered, endpoint.id);
      await h.deliveries.markEnqueued(deliveryIdOf(delivered.eventId, endpoint.id), 0);
      const publisher = new InMemoryPublisher();

      const result = await relayReplicatedEvents({
        documentClient: h.documentClient,
        tableName: h.table.tableName,
        zone: 'global',
        cellRegion: 'us-east-1',
        publisher,
        fanout: h.fanout,
        since: windowStart,
        until: windowStart + 30_000,
      });
      await h.runUntilIdle();

      expect(result).toEqual({ examined: 3, relayed: 2, deliveriesEnqueued: 1, failedEventIds: [] });
      expect(publisher.events.map((e) => e.eventId).sort()).toEqual(
        [delivered.eventId, orphan.eventId].sort(),
      );
      expect(h.receiver.requests.map((r) => r.request.headers['webhook-id'])).toEqual([orphan.eventId]);
      expect(await h.deliveries.get(deliveryIdOf(own.eventId, endpoint.id))).toBeUndefined();
    } finally {
      await h.drop();
    }
  });
});
