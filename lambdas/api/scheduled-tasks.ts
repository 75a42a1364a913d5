/**
 * Work the API function does on a schedule besides serving requests: the
 * cell stack's EventBridge rule invokes it with `{ commerceTask }`, a shape
 * no API Gateway event has.
 */
export const SCHEDULED_TASKS = { sweepAbandonedCheckouts: 'sweep-abandoned-checkouts' } as const;

/** How often each cell sweeps abandoned checkouts (the cell stack's schedule; the local cells' timer). */
export const SWEEP_INTERVAL_MINUTES = 5;

export type ScheduledTaskName = (typeof SCHEDULED_TASKS)[keyof typeof SCHEDULED_TASKS];

export interface ScheduledTask {
  readonly commerceTask: ScheduledTaskName;
}

export function isScheduledTask(event: unknown): event is ScheduledTask {
  return (
    typeof event === 'object' &&
    event !== null &&
    Object.values(SCHEDULED_TASKS).includes((event as { commerceTask?: unknown }).commerceTask as never)
  );
}
