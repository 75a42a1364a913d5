import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { SinkFault } from './control-api';
import { LoopbackListener } from './listener';

/**
 * PLACEHOLDER webhook sink, used only until local/webhook-sink.ts (owned by
 * the webhooks work) is plugged in through local/cell-runtime.ts. It counts
 * deliveries and obeys the control API's faults; it does not verify
 * signatures or keep the deliveries.
 */

export interface WebhookSinkHandle {
  readonly url: string;
  state(): { fault: SinkFault; received: number };
  setFault(fault: SinkFault): void;
  stop(): Promise<void>;
}

export async function startPlaceholderSink(port: number): Promise<WebhookSinkHandle> {
  let fault: SinkFault = { mode: 'none' };
  let received = 0;
  const server = createAdaptorServer({
    hostname: '127.0.0.1',
    fetch: async (request: Request) => {
      await request.arrayBuffer();
      received += 1;
      if (fault.mode === 'gone') return new Response(null, { status: 410 });
      if (fault.mode === 'hang') return new Promise<Response>(() => undefined);
      if (fault.mode === 'fail') {
        const status = fault.status;
        fault = fault.count > 1 ? { ...fault, count: fault.count - 1 } : { mode: 'none' };
        return new Response(null, { status });
      }
      return new Response(null, { status: 204 });
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
    stop: () => listener.close(),
  };
}
