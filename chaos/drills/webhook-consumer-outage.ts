import type { Drill } from '../drill';
import { LocalFaultInjector } from '../injectors/local';
import {
  faultEffective,
  hostTooSlow,
  MIN_SUCCESS_PERCENT,
  minSuccessCriterion,
  successDuringFault,
} from '../metrics';
import { Canaries } from '../local/canaries';
import type { DrillCheck } from '../local/checks';
import type { LocalDrillContext } from '../local/context';
import { secondaryOf } from '../local/context';
import { AcknowledgedOrders, acknowledgedOrderIds } from '../local/orders';
import {
  eventsInFlight,
  orderIdOf,
  registerDrillEndpoint,
  succeeded,
  webhookIdsPerOrder,
} from '../local/webhook-endpoint';

/** Longest wait for the deliveries of every acknowledged order (retries land 5 s +-10 % after a failure). */
const DELIVERY_BOUND_MS = 30_000;

/** At-least-once delivery with exactly one effect per event at a consumer deduping by webhook-id. */
function deliveryChecks(context: LocalDrillContext, path: string): DrillCheck {
  const mine = () => context.topology.webhookSink.deliveries().filter((d) => d.path === path);
  const delivered = () => new Set(mine().filter(succeeded).map(orderIdOf));
  return {
    async verify(checkContext) {
      const orders = acknowledgedOrderIds(checkContext);
      const end = Date.now() + DELIVERY_BOUND_MS;
      while (orders.some((id) => !delivered().has(id)) && Date.now() < end)
        await new Promise((resolve) => setTimeout(resolve, 500));
      const deliveries = mine();
      const failedAttempts = deliveries.filter((d) => d.status === null || d.status >= 400).length;
      const successes = deliveries.filter(succeeded);
      const perWebhookId = new Map<string, number>();
      for (const d of successes)
        perWebhookId.set(d.webhookId ?? '?', (perWebhookId.get(d.webhookId ?? '?') ?? 0) + 1);
      const duplicates = [...perWebhookId.values()].reduce((n, c) => n + c - 1, 0);
      const undelivered = orders.filter((id) => !delivered().has(id));
      const effectsPerOrder = webhookIdsPerOrder(context, path);
      const multiEffect = [...effectsPerOrder.entries()]
        .filter(([, ids]) => ids.size > 1)
        .map(([order]) => order);
      // Undelivered while deliveries are still queued or relays retrying: late, not lost.
      const stillMoving = eventsInFlight(context);
      const late = undelivered.length > 0 && (stillMoving.queued > 0 || stillMoving.relaysRetrying > 0);
      const deliveredDetail = `${orders.length - undelivered.length}/${orders.length} delivered${undelivered.length ? `; missing: ${undelivered.slice(0, 5).join(', ')}` : ''}`;
      return {
        figures: {
          webhookFailedAttempts: failedAttempts,
          webhookDuplicatesDeduped: duplicates,
          webhookUndelivered: undelivered.length,
        },
        criteria: [
          faultEffective(
            'the outage made deliveries fail (fault effective)',
            failedAttempts > 0,
            `${failedAttempts} delivery attempts failed at the consumer`,
            // On a slow host the few orders of a short window may all be delivered after the outage.
            hostTooSlow(checkContext.summary),
          ),
          {
            name: 'every acknowledged order has its order.v1.placed delivered after the outage',
            ok: orders.length > 0 && undelivered.length === 0,
            ...(late ? { inconclusive: true } : {}),
            detail: late
              ? `${deliveredDetail}; after ${DELIVERY_BOUND_MS / 1000} s ${stillMoving.queued} deliveries still queued, ${stillMoving.relaysRetrying} relays retrying`
              : deliveredDetail,
          },
          {
            name: 'exactly one effect per event at the consumer (dedupe by webhook-id)',
            ok: multiEffect.length === 0,
            detail: `${perWebhookId.size} webhook-ids applied for ${effectsPerOrder.size} orders; ${duplicates} duplicate deliveries deduped${multiEffect.length ? `; orders with several webhook-ids: ${multiEffect.slice(0, 5).join(', ')}` : ''}`,
          },
          minSuccessCriterion(
            `API unaffected by the consumer outage (>= ${MIN_SUCCESS_PERCENT} success)`,
            successDuringFault(checkContext.timeline, checkContext.faultStartMs, checkContext.rollbackAtMs),
            checkContext.summary,
          ),
        ],
      };
    },
  };
}

export const webhookConsumerOutage: Drill = {
  definition: {
    name: 'webhook-consumer-outage',
    title: 'Webhook consumer down',
    hypothesis:
      'While the webhook consumer fails, deliveries are retried with backoff and none is lost; after it recovers every event has exactly one effect at a consumer that dedupes by webhook-id, and deliveries that exhausted their retries are in the DLQ for replay.',
    fault: 'webhook sink answers 5xx (local: sink fault; AWS: the subscriber endpoint made to fail)',
    recovery: 'hold',
    warmupSeconds: 20,
    faultSeconds: 60,
    settleSeconds: 120,
    expectations: [
      `API success rate unaffected (>= ${MIN_SUCCESS_PERCENT})`,
      'every order.v1.placed event delivered exactly once in effect (dedup by webhook-id)',
      'no event lost (delivered, or in the DLQ)',
    ],
  },
  local: async (context) => {
    const secondary = secondaryOf(context, 'webhook-consumer-outage');
    const path = await registerDrillEndpoint(context);
    return {
      injectors: [
        new LocalFaultInjector(context.control, {
          kind: 'webhook-sink',
          // 500, not 503: a 503 is a back-off status and would add Retry-After semantics to what is drilled.
          fault: { mode: 'fail', count: 10_000, status: 500 },
        }),
      ],
      // The outage stays shorter than the schedule's second retry (5 s): every delivery's second attempt
      // lands after the consumer recovered. Longer outages reach the 5-minute step and the DLQ, which the
      // dispatcher's tests cover with a fake clock.
      timings: {
        warmupSeconds: context.short ? 3 : 5,
        faultSeconds: 3,
        settleSeconds: context.short ? 10 : 15,
      },
      checks: [
        new Canaries(context, secondary),
        new AcknowledgedOrders(context),
        deliveryChecks(context, path),
      ],
    };
  },
};
