import { SCOPES } from '../../lambdas/core/scopes';
import type { SinkDelivery } from '../../local/webhook-sink';
import type { LocalDrillContext } from './context';

/**
 * The drill's own webhook endpoint on the local sink, subscribed to order.v1.placed, and what the sink
 * received on it: the consumer's side of "exactly one effect per event".
 */

/** Registers the endpoint `/drill/<runId>` on the sink through `baseUrl` (the zone endpoint by default). */
export async function registerDrillEndpoint(
  context: LocalDrillContext,
  baseUrl: string = context.baseUrl,
): Promise<string> {
  const path = `/drill/${context.runId}`;
  const operator = await context.control.token('drill-operator', context.zone.name, [SCOPES.adminWebhooks]);
  const created = await fetch(`${baseUrl}/v1/webhooks/endpoints`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${operator}`,
      'content-type': 'application/json',
      'idempotency-key': `drill-endpoint-${context.runId}`,
    },
    body: JSON.stringify({
      url: `${context.topology.endpoints.webhookSink}${path}`,
      eventTypes: ['order.v1.placed'],
    }),
    signal: AbortSignal.timeout(10_000),
  });
  if (created.status !== 201) {
    throw new Error(
      `registering the drill webhook endpoint answered ${created.status}: ${await created.text()}`,
    );
  }
  return path;
}

/** The order an order.v1.placed delivery is about (its envelope's aggregate id). */
export function orderIdOf(delivery: SinkDelivery): string | undefined {
  try {
    return (JSON.parse(delivery.body) as { aggregate?: { id?: string } }).aggregate?.id;
  } catch {
    return undefined;
  }
}

/** The consumer took it (2xx): its effect happened, once per webhook-id at a consumer that dedupes. */
export const succeeded = (d: SinkDelivery) => d.status !== null && d.status >= 200 && d.status < 300;

/** order id -> the distinct webhook-ids the consumer took for it on `path`. */
export function webhookIdsPerOrder(context: LocalDrillContext, path: string): Map<string, Set<string>> {
  const perOrder = new Map<string, Set<string>>();
  for (const delivery of context.topology.webhookSink.deliveries()) {
    if (delivery.path !== path || !succeeded(delivery)) continue;
    const order = orderIdOf(delivery);
    if (!order) continue;
    const ids = perOrder.get(order) ?? new Set<string>();
    ids.add(delivery.webhookId ?? '?');
    perOrder.set(order, ids);
  }
  return perOrder;
}

/** Webhook deliveries queued in any cell, and outbox relays retrying: events still on their way. */
export function eventsInFlight(context: LocalDrillContext): { queued: number; relaysRetrying: number } {
  const { details } = context.topology.state();
  const queued = Object.values(details.webhookQueue).reduce((n, depth) => n + depth, 0);
  const relaysRetrying = Object.values(details.outboxRelay).filter((s) => s?.retrying).length;
  return { queued, relaysRetrying };
}
