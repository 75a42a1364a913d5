import {
  type AttemptLog,
  type DeliveryMessage,
  type DeliveryRecord,
  MAX_ATTEMPTS,
  truncateBody,
} from '../core/webhooks/delivery';
import type { DeliveryStore } from '../adapters/webhook-delivery-store';
import { activeSecrets } from '../core/webhooks/endpoint';
import type { EndpointRegistry } from './endpoints';
import { HttpFailure, type HttpPoster } from './http-client';
import { BACKOFF_STATUSES, MAX_DELAY_MS, nextDelayMs, parseRetryAfter } from './schedule';
import { signatureHeaders } from './signature';

/**
 * One delivery attempt: load the delivery and its endpoint, sign, POST, log
 * the attempt and decide what happens next. The queue around it (SQS on AWS,
 * the in-process queue locally) only has to honour the outcome: `done` ->
 * delete the message; `retry` -> make it visible again after `delayMs`.
 * The attempt number is the queue's receive count (or one more than the
 * attempts already logged, whichever is larger).
 */

export const DELIVERY_TIMEOUT_MS = 15_000;
/** The attempt lease outlives the request timeout by this much (signing, logging). */
const LEASE_MARGIN_MS = 15_000;
export const USER_AGENT = 'sovereign-commerce-webhooks/1';

export type DispatchOutcome =
  | { readonly kind: 'done'; readonly result: DoneResult }
  | { readonly kind: 'retry'; readonly delayMs: number };

export type DoneResult =
  | 'succeeded'
  | 'gone'
  | 'dead'
  | 'endpoint_disabled'
  | 'endpoint_deleted'
  | 'duplicate'
  | 'stale'
  | 'missing';

/** Structured log lines; never pass secrets or signatures here. */
export interface DispatchLogger {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface DispatcherDeps {
  readonly deliveries: DeliveryStore;
  readonly endpoints: EndpointRegistry;
  readonly post: HttpPoster;
  readonly now?: () => number;
  /** [0, 1); jitter source. */
  readonly random?: () => number;
  readonly logger?: DispatchLogger;
  readonly timeoutMs?: number;
}

const silent: DispatchLogger = { info: () => undefined, warn: () => undefined };

export class Dispatcher {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly logger: DispatchLogger;

  constructor(private readonly deps: DispatcherDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.logger = deps.logger ?? silent;
  }

  async dispatch(message: DeliveryMessage, receiveCount: number): Promise<DispatchOutcome> {
    const { deliveries, endpoints } = this.deps;
    const delivery = await deliveries.get(message.deliveryId);
    if (!delivery) return done('missing');
    if (delivery.round !== message.round) return done('stale');
    if (delivery.status !== 'pending') return done('duplicate');

    const endpoint = await endpoints.get(delivery.endpointId);
    if (!endpoint) {
      await deliveries.stop(delivery, 'endpoint_deleted');
      return done('endpoint_deleted');
    }
    if (!endpoint.enabled) {
      await deliveries.stop(delivery, 'endpoint_disabled');
      return done('endpoint_disabled');
    }

    const attempt = Math.max(receiveCount, delivery.attempts + 1);
    const timeoutMs = this.deps.timeoutMs ?? DELIVERY_TIMEOUT_MS;
    if (!(await deliveries.claim(delivery, attempt, this.now() + timeoutMs + LEASE_MARGIN_MS))) {
      return done('duplicate');
    }
    const startedAt = this.now();
    const body = JSON.stringify(delivery.envelope);
    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...signatureHeaders({
        id: delivery.eventId,
        timestampSeconds: Math.floor(startedAt / 1000),
        body,
        secrets: activeSecrets(endpoint, startedAt),
      }),
    };

    let status: number | null = null;
    let responseBody: string;
    let retryAfter: string | undefined;
    try {
      const response = await this.deps.post({
        url: endpoint.url,
        headers,
        body,
        timeoutMs,
      });
      status = response.status;
      responseBody = response.body;
      retryAfter = response.headers['retry-after'];
    } catch (error) {
      responseBody =
        error instanceof HttpFailure ? `${error.kind}: ${error.message}` : 'network: request failed';
    }
    const finishedAt = this.now();
    const log = (outcome: AttemptLog['outcome'], nextAttemptAt: number | null): AttemptLog => ({
      deliveryId: delivery.deliveryId,
      round: delivery.round,
      attempt,
      at: new Date(startedAt).toISOString(),
      responseStatus: status,
      durationMs: finishedAt - startedAt,
      responseBody: truncateBody(responseBody),
      outcome,
      nextAttemptAt: nextAttemptAt === null ? null : new Date(nextAttemptAt).toISOString(),
    });
    const fields = { deliveryId: delivery.deliveryId, endpointId: endpoint.id, attempt, status };

    if (status !== null && status >= 200 && status < 300) {
      await this.record(delivery, log('succeeded', null), 'succeeded');
      await endpoints.recordSuccess(endpoint);
      this.logger.info('webhook delivered', fields);
      return done('succeeded');
    }
    if (status === 410) {
      await this.record(delivery, log('failed', null), 'failed', 'gone');
      await endpoints.setEnabled(endpoint.id, false, 'gone');
      this.logger.warn('webhook endpoint answered 410 Gone; disabled', fields);
      return done('gone');
    }
    if (await endpoints.recordFailure(endpoint)) {
      await this.record(delivery, log('failed', null), 'failed', 'endpoint_disabled');
      this.logger.warn('webhook endpoint failing for 5 days; disabled', fields);
      return done('endpoint_disabled');
    }
    const scheduled = attempt < MAX_ATTEMPTS ? nextDelayMs(attempt, this.random) : undefined;
    if (scheduled === undefined) {
      await this.record(delivery, log('dead', null), 'dead', 'exhausted');
      this.logger.warn('webhook delivery exhausted; moved to the DLQ', fields);
      return done('dead');
    }
    const requested =
      status !== null && BACKOFF_STATUSES.has(status) ? parseRetryAfter(retryAfter, finishedAt) : undefined;
    const delayMs = Math.min(MAX_DELAY_MS, Math.max(scheduled, requested ?? 0));
    const recorded = await this.record(delivery, log('retry', finishedAt + delayMs), 'pending');
    if (!recorded) return done('duplicate');
    this.logger.info('webhook attempt failed; retry scheduled', { ...fields, delayMs });
    return { kind: 'retry', delayMs };
  }

  private record(
    delivery: DeliveryRecord,
    attempt: AttemptLog,
    status: DeliveryRecord['status'],
    reason?: string,
  ): Promise<boolean> {
    return this.deps.deliveries.recordAttempt(delivery, attempt, {
      status,
      ...(reason !== undefined ? { reason } : {}),
    });
  }
}

function done(result: DoneResult): DispatchOutcome {
  return { kind: 'done', result };
}
