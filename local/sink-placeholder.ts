import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { SinkFault } from './control-api';
import { LoopbackListener } from './listener';

/**
 * PLACEHOLDER webhook sink, used only until local/webhook-sink.ts (owned by
 * the webhooks work) is plugged in through local/cell-runtime.ts. It counts
 * deliveries, keeps the most recent ones (headers and raw body, so a test
 * can verify their signatures) and obeys the control API's faults.
 */

export interface ReceivedDelivery {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly receivedAt: number;
  readonly answeredStatus: number | null;
}

const KEEP = 1000;

export interface WebhookSinkHandle {
  readonly url: string;
  state(): { fault: SinkFault; received: number };
  setFault(fault: SinkFault): void;
  /** Most recent deliveries first-in first-out (at most 1000). */
  deliveries(): readonly ReceivedDelivery[];
  stop(): Promise<void>;
}

export async function startPlaceholderSink(port: number): Promise<WebhookSinkHandle> {
  let fault: SinkFault = { mode: 'none' };
  let received = 0;
  const recent: ReceivedDelivery[] = [];
  const answer = (delivery: Omit<ReceivedDelivery, 'answeredStatus'>, status: number | null) => {
    recent.push({ ...delivery, answeredStatus: status });
    if (recent.length > KEEP) recent.shift();
    return status === null ? null : new Response(null, { status });
  };
  const server = createAdaptorServer({
    hostname: '127.0.0.1',
    fetch: async (request: Request) => {
      const delivery = {
        path: new URL(request.url).pathname,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
        receivedAt: Date.now(),
      };
      received += 1;
      if (fault.mode === 'gone') return answer(delivery, 410)!;
      if (fault.mode === 'hang') {
        answer(delivery, null);
        return new Promise<Response>(() => undefined);
      }
      if (fault.mode === 'fail') {
        const status = fault.status;
        fault = fault.count > 1 ? { ...fault, count: fault.count - 1 } : { mode: 'none' };
        return answer(delivery, status)!;
      }
      return answer(delivery, 204)!;
    },
  }) as Server;
  const listener = new LoopbackListener(server, port, 'webhook sink');
  await listener.open();
  return {
    url: `http://127.0.0.1:${port}`,
    state: () => ({ fault, received }),
    setFault: (next) => {
      fault = next;
    },
    deliveries: () => recent,
    stop: () => listener.close(),
  };
}
