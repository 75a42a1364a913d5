import { randomUUID } from 'node:crypto';
import type { DeliveryMessage } from '../lambdas/core/webhooks/delivery';
import type { DispatchOutcome } from '../lambdas/webhooks/dispatcher';
import type { DeliveryQueue } from '../lambdas/webhooks/queue';

/**
 * SIMULATED SQS for the local topology and tests: the same dispatcher logic
 * behind an in-memory queue with an injectable clock. Semantics copied from
 * the SQS setup on AWS: a message is visible at once, each receive counts
 * (receive count = attempt number), a `retry` outcome hides it for `delayMs`
 * (the ChangeMessageVisibility the Lambda entry makes), a handler that throws
 * leaves it invisible for the visibility timeout, and after `maxReceives`
 * throwing receives it moves to `deadLetters` (the SQS redrive policy).
 */

export type QueueHandler = (message: DeliveryMessage, receiveCount: number) => Promise<DispatchOutcome>;

export interface QueuedMessage {
  readonly id: string;
  readonly body: DeliveryMessage;
  visibleAt: number;
  receiveCount: number;
}

export interface InProcessQueueOptions {
  readonly now?: () => number;
  /** @default 30000, like the queue's visibility timeout on AWS */
  readonly visibilityTimeoutMs?: number;
  /** @default 10 */
  readonly maxReceives?: number;
  /** Messages handled concurrently per `runDue`. @default 10 */
  readonly concurrency?: number;
}

export class InProcessQueue implements DeliveryQueue {
  private readonly messages = new Map<string, QueuedMessage>();
  readonly deadLetters: QueuedMessage[] = [];
  private handler: QueueHandler | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: InProcessQueueOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** The consumer (normally `dispatcher.dispatch`). */
  setHandler(handler: QueueHandler): this {
    this.handler = handler;
    return this;
  }

  async enqueue(messages: readonly DeliveryMessage[]): Promise<{ failed: readonly string[] }> {
    const at = this.now();
    for (const body of messages) {
      const id = randomUUID();
      this.messages.set(id, { id, body, visibleAt: at, receiveCount: 0 });
    }
    return { failed: [] };
  }

  get size(): number {
    return this.messages.size;
  }

  /** When the next invisible message becomes visible (for fake-clock tests), or undefined when empty. */
  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const message of this.messages.values()) {
      if (next === undefined || message.visibleAt < next) next = message.visibleAt;
    }
    return next;
  }

  /** Receives and handles every message visible now, once. Returns how many were handled. */
  runDue(): Promise<number> {
    this.running ??= this.receiveDue().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async receiveDue(): Promise<number> {
    const handler = this.handler;
    if (!handler)
      throw new Error('InProcessQueue has no handler; call setHandler(dispatcher.dispatch) first');
    const now = this.now();
    const due = [...this.messages.values()].filter((m) => m.visibleAt <= now);
    const concurrency = this.options.concurrency ?? 10;
    for (let start = 0; start < due.length; start += concurrency) {
      await Promise.all(
        due.slice(start, start + concurrency).map((message) => this.handle(handler, message)),
      );
    }
    return due.length;
  }

  private async handle(handler: QueueHandler, message: QueuedMessage): Promise<void> {
    message.receiveCount += 1;
    message.visibleAt = this.now() + (this.options.visibilityTimeoutMs ?? 30_000);
    try {
      const outcome = await handler(message.body, message.receiveCount);
      if (outcome.kind === 'done') this.messages.delete(message.id);
      else message.visibleAt = this.now() + outcome.delayMs;
    } catch {
      if (message.receiveCount >= (this.options.maxReceives ?? 10)) {
        this.messages.delete(message.id);
        this.deadLetters.push(message);
      }
    }
  }

  /** Polls with real timers (the running local topology). */
  start(pollIntervalMs = 250): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.runDue().catch(() => undefined);
    }, pollIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
