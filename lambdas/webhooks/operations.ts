import type { AttemptLog, DeliveryRecord, DlqEntry } from '../core/webhooks/delivery';
import type { DeliveryStore } from '../adapters/webhook-delivery-store';
import { EndpointNotFoundError } from '../core/webhooks/endpoint';
import type { EndpointRegistry } from './endpoints';
import type { DeliveryQueue } from './queue';

/**
 * Operator actions. Each one starts a new round of the delivery (fresh
 * attempt budget, same `webhook-id`, so a receiver that already processed
 * the event dedupes it) and enqueues it.
 */

export class EndpointDisabledError extends Error {
  override name = 'EndpointDisabledError';
}

export interface RecoverWindow {
  /** ISO timestamps; deliveries created in [since, until). */
  readonly since: string;
  readonly until: string;
}

export class WebhookOperations {
  constructor(
    private readonly endpoints: EndpointRegistry,
    private readonly deliveries: DeliveryStore,
    private readonly queue: DeliveryQueue,
  ) {}

  private async requireEnabled(endpointId: string): Promise<void> {
    const endpoint = await this.endpoints.get(endpointId);
    if (!endpoint) throw new EndpointNotFoundError(`webhook endpoint ${endpointId} not found`);
    if (!endpoint.enabled) {
      throw new EndpointDisabledError(`webhook endpoint ${endpointId} is disabled; enable it first`);
    }
  }

  private async reopenAndEnqueue(deliveryIds: readonly string[]): Promise<DeliveryRecord[]> {
    const reopened: DeliveryRecord[] = [];
    for (const deliveryId of deliveryIds) reopened.push(await this.deliveries.reopen(deliveryId));
    const { failed } = await this.queue.enqueue(
      reopened.map((d) => ({ deliveryId: d.deliveryId, round: d.round })),
    );
    if (failed.length)
      throw new Error(`${failed.length} deliveries could not be enqueued; retry the operation`);
    await Promise.all(reopened.map((d) => this.deliveries.markEnqueued(d.deliveryId, d.round)));
    return reopened;
  }

  /** Sends one delivery again (any finished status). */
  async resend(deliveryId: string): Promise<DeliveryRecord> {
    const delivery = await this.deliveries.get(deliveryId);
    if (delivery) await this.requireEnabled(delivery.endpointId);
    const [reopened] = await this.reopenAndEnqueue([deliveryId]);
    return reopened as DeliveryRecord;
  }

  /** Re-sends every failed or dead delivery of an endpoint created in the window. */
  async recover(endpointId: string, window: RecoverWindow): Promise<{ recovered: readonly string[] }> {
    await this.requireEnabled(endpointId);
    const candidates = await this.deliveries.listByEndpoint(endpointId, window);
    const failed = candidates
      .filter((d) => d.status === 'failed' || d.status === 'dead')
      .map((d) => d.deliveryId);
    await this.reopenAndEnqueue(failed);
    return { recovered: failed };
  }

  listDlq(
    options: { after?: string; limit?: number } = {},
  ): Promise<{ entries: DlqEntry[]; next: string | null }> {
    return this.deliveries.listDlq(options);
  }

  /** Redrives the given DLQ entries, or the first `limit` of the DLQ when none are given. */
  async redriveDlq(options: { deliveryIds?: readonly string[]; limit?: number } = {}): Promise<{
    redriven: readonly string[];
  }> {
    const ids =
      options.deliveryIds ??
      (await this.deliveries.listDlq({ limit: options.limit ?? 100 })).entries.map((e) => e.deliveryId);
    const redriven: string[] = [];
    for (const id of ids) {
      const delivery = await this.deliveries.get(id);
      if (delivery?.status !== 'dead') continue;
      const endpoint = await this.endpoints.get(delivery.endpointId);
      if (!endpoint?.enabled) continue;
      redriven.push(id);
    }
    await this.reopenAndEnqueue(redriven);
    return { redriven };
  }

  attempts(deliveryId: string): Promise<AttemptLog[]> {
    return this.deliveries.listAttempts(deliveryId);
  }
}
