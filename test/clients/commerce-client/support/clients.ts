import { type CommerceClientOptions, createCommerceClient } from '../../../../clients/commerce-client/client';
import type { TransportEvent } from '../../../../clients/commerce-client/transport';

/** Small delays and timeouts so failure paths run in milliseconds against the local fake cells. */
export const FAST = {
  initialDelayMs: 1,
  maxDelayMs: 5,
  attemptTimeoutMs: 2000,
  breakerHalfOpenAfterMs: 60_000,
} as const;

export function testClient(options: CommerceClientOptions) {
  const client = createCommerceClient({ ...options, resilience: { ...FAST, ...options.resilience } });
  const attempts: Array<Extract<TransportEvent, { type: 'attempt' }>> = [];
  client.transport.onEvent((event) => {
    if (event.type === 'attempt') attempts.push(event);
  });
  return { client, attempts };
}

/** A controllable clock for failback probes and cache freshness. */
export function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}
