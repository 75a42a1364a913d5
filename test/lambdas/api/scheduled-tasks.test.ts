import {
  isScheduledTask,
  RELAY_FOREIGN_EVENTS,
  relayWindow,
  SCHEDULED_TASKS,
} from '../../../lambdas/api/scheduled-tasks';

describe('scheduled tasks of the API function', () => {
  it('recognizes both tasks the cell schedules send, and nothing shaped like an API Gateway event', () => {
    expect(isScheduledTask({ commerceTask: SCHEDULED_TASKS.sweepAbandonedCheckouts })).toBe(true);
    expect(isScheduledTask({ commerceTask: 'relay-foreign-events', windowMinutes: 15 })).toBe(true);
    expect(isScheduledTask({ commerceTask: 'drop-table' })).toBe(false);
    expect(isScheduledTask({ httpMethod: 'GET', path: '/v1/health' })).toBe(false);
  });

  it('relays over the window the event names, ending now, or the default window', () => {
    const now = 1_000_000_000;
    expect(relayWindow({ commerceTask: 'relay-foreign-events', windowMinutes: 30 }, now)).toEqual({
      since: now - 30 * 60_000,
      until: now + 1,
    });
    expect(relayWindow({ commerceTask: 'relay-foreign-events' }, now).since).toBe(
      now - RELAY_FOREIGN_EVENTS.windowMinutes * 60_000,
    );
    // Three ticks per window: one failed tick loses no event.
    expect(RELAY_FOREIGN_EVENTS.windowMinutes).toBeGreaterThanOrEqual(
      2 * RELAY_FOREIGN_EVENTS.intervalMinutes,
    );
  });
});
