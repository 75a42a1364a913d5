import {
  isScheduledTask,
  RELAY_FOREIGN_EVENTS,
  relayWindow,
  SCHEDULED_TASKS,
} from '../../../lambdas/api/scheduled-tasks';
import type { ResolvedDependencies } from '../../../lambdas/api/dependencies';
import { reconcileIfWriter } from '../../../lambdas/api/services/reconciliation';

describe('scheduled tasks of the API function', () => {
  it('recognizes every task the cell schedules send, and nothing shaped like an API Gateway event', () => {
    expect(isScheduledTask({ commerceTask: SCHEDULED_TASKS.sweepAbandonedCheckouts })).toBe(true);
    expect(isScheduledTask({ commerceTask: 'relay-foreign-events', windowMinutes: 15 })).toBe(true);
    expect(isScheduledTask({ commerceTask: 'reconcile' })).toBe(true);
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

  it('reconciles only on the writer: a fenced cell skips, says why, and touches nothing', async () => {
    // Prepare: a cell whose routing control is OFF; a table client that fails the test if used.
    const untouchable = new Proxy(
      {},
      {
        get: () => {
          throw new Error('the table was touched');
        },
      },
    );
    const fenced = {
      writerFence: { state: async () => ({ writer: false, reason: 'routing control OFF' }) },
      table: untouchable,
      documentClient: untouchable,
    } as unknown as ResolvedDependencies;
    // Act
    const result = await reconcileIfWriter(fenced);
    // Assess
    expect(result).toEqual({
      skipped: expect.stringMatching(/not the zone's writer \(routing control OFF\)/),
    });
  });
});
