/**
 * Work the API function does on a schedule besides serving requests: the
 * cell stack's EventBridge rule invokes it with `{ commerceTask }`, a shape
 * no API Gateway event has.
 */
export const SCHEDULED_TASKS = {
  sweepAbandonedCheckouts: 'sweep-abandoned-checkouts',
  relayForeignEvents: 'relay-foreign-events',
  reconcile: 'reconcile',
} as const;

/** How often each cell sweeps abandoned checkouts (the cell stack's schedule; the local cells' timer). */
export const SWEEP_INTERVAL_MINUTES = 5;

/**
 * `relay-foreign-events`: how often each cell of a zone with a secondary relays the events other regions
 * committed and never relayed (a failed primary's last events, found in the replica), and over which
 * window. The window spans three ticks, so one failed tick loses nothing.
 */
export const RELAY_FOREIGN_EVENTS = { intervalMinutes: 5, windowMinutes: 15 } as const;

/**
 * `reconcile`: how often each cell of a zone with a secondary runs reconciliation (services/reconciliation.ts)
 * if it is the writer. After a failback the operator runs it at once (the runbook); the schedule catches what
 * nobody ran by hand, such as an authorization whose attempt never sold. A run with nothing to repair changes
 * nothing, and costs a scan of the products and a query per product.
 */
export const RECONCILE_INTERVAL_MINUTES = 60;

export type ScheduledTaskName = (typeof SCHEDULED_TASKS)[keyof typeof SCHEDULED_TASKS];

export interface ScheduledTask {
  readonly commerceTask: ScheduledTaskName;
  /** relay-foreign-events only. @default RELAY_FOREIGN_EVENTS.windowMinutes */
  readonly windowMinutes?: number;
}

export function isScheduledTask(event: unknown): event is ScheduledTask {
  return (
    typeof event === 'object' &&
    event !== null &&
    Object.values(SCHEDULED_TASKS).includes((event as { commerceTask?: unknown }).commerceTask as never)
  );
}

/** The window a relay-foreign-events tick covers, ending now: [since, until) in ms since the epoch. */
export function relayWindow(task: ScheduledTask, now: number): { since: number; until: number } {
  const minutes =
    typeof task.windowMinutes === 'number' && task.windowMinutes > 0
      ? task.windowMinutes
      : RELAY_FOREIGN_EVENTS.windowMinutes;
  return { since: now - minutes * 60_000, until: now + 1 };
}
