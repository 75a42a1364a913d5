import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InProcessQueue } from '../../../../local/in-process-queue';
import { type EventEnvelope, newEvent } from '../../../../lambdas/core/events/envelope';
import { DeliveryStore } from '../../../../lambdas/adapters/webhook-delivery-store';
import { Dispatcher } from '../../../../lambdas/webhooks/dispatcher';
import { EndpointRegistry } from '../../../../lambdas/webhooks/endpoints';
import { DeliveryFanout } from '../../../../lambdas/webhooks/fanout';
import type { HttpRequest, HttpResponse } from '../../../../lambdas/webhooks/http-client';
import { WebhookOperations } from '../../../../lambdas/webhooks/operations';
import { verifyWebhook } from '../../../../lambdas/webhooks/signature';
import { freshCommerceTable } from '../../../support/dynamodb';

export type Reply = HttpResponse | Error;

/**
 * A scripted receiver: answers from `replies` (then `fallback`), records every
 * request with the fake-clock time it arrived, and applies the effect once
 * per `webhook-id` like a well-behaved consumer.
 */
export class FakeReceiver {
  readonly requests: { at: number; request: HttpRequest }[] = [];
  readonly replies: Reply[] = [];
  fallback: Reply = { status: 200, headers: {}, body: 'ok' };
  readonly effects = new Map<string, number>();
  private readonly seen = new Set<string>();

  constructor(private readonly clock: () => number) {}

  post = async (request: HttpRequest): Promise<HttpResponse> => {
    this.requests.push({ at: this.clock(), request });
    const reply = this.replies.shift() ?? this.fallback;
    if (reply instanceof Error) throw reply;
    if (reply.status >= 200 && reply.status < 300) {
      const id = request.headers['webhook-id'] as string;
      if (!this.seen.has(id)) {
        this.seen.add(id);
        this.effects.set(id, (this.effects.get(id) ?? 0) + 1);
      }
    }
    return reply;
  };

  /** Fake-clock gaps between consecutive requests, ms. */
  gaps(): number[] {
    return this.requests.slice(1).map((r, i) => r.at - (this.requests[i]?.at ?? 0));
  }

  verify(index: number, secret: string | string[], now: number) {
    const entry = this.requests[index];
    if (!entry) throw new Error(`no request #${index}`);
    return verifyWebhook({ body: entry.request.body, headers: { ...entry.request.headers }, secret, now });
  }
}

export async function webhookHarness() {
  const table = await freshCommerceTable();
  const documentClient = DynamoDBDocumentClient.from(table.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const state = { now: Date.parse('2030-03-04T08:00:00Z') };
  const now = () => state.now;
  const endpoints = new EndpointRegistry({
    documentClient,
    tableName: table.tableName,
    mode: 'cloud',
    resolve: async () => ['93.184.216.34'],
    now,
  });
  const deliveries = new DeliveryStore({ documentClient, tableName: table.tableName, now });
  const receiver = new FakeReceiver(now);
  const queue = new InProcessQueue({ now });
  const dispatcher = new Dispatcher({ deliveries, endpoints, post: receiver.post, now, random: () => 0.5 });
  queue.setHandler((message, receiveCount) => dispatcher.dispatch(message, receiveCount));
  const fanout = new DeliveryFanout(endpoints, deliveries, queue);
  const operations = new WebhookOperations(endpoints, deliveries, queue);

  /** Runs the queue, jumping the fake clock to each next visible message, until it is empty. */
  async function runUntilIdle(maxSteps = 200): Promise<void> {
    for (let step = 0; step < maxSteps; step++) {
      await queue.runDue();
      const next = queue.nextVisibleAt();
      if (next === undefined) return;
      state.now = Math.max(state.now, next);
    }
    throw new Error('queue did not drain');
  }

  /** A new fact each call (its own order), unless `data.orderId` names one: event ids derive from the fact. */
  let made = 0;
  function event(eventType = 'order.v1.placed', data?: Record<string, unknown>): EventEnvelope {
    made += 1;
    const orderId = String(data?.orderId ?? `o-${made}`);
    return newEvent({
      eventType,
      correlationId: 'corr-1',
      producer: { region: 'us-east-1', zone: 'global' },
      aggregate: { type: 'order', id: orderId, version: 1 },
      data: data ?? { orderId },
      now: state.now,
    });
  }

  return {
    table,
    documentClient,
    state,
    now,
    endpoints,
    deliveries,
    receiver,
    queue,
    dispatcher,
    fanout,
    operations,
    runUntilIdle,
    event,
    drop: () => table.drop(),
  };
}
