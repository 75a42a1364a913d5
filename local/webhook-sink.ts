import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../lambdas/webhooks/signature';
import type { SinkFault } from './control-api';
import { DEFAULT_REQUEST_TIMEOUT_MS, listenerServerOptions, LoopbackListener } from './listener';

/**
 * SIMULATED subscriber: the local stand-in for a customer's webhook endpoint.
 * Listens on loopback, records every delivery, verifies Standard Webhooks
 * signatures when it knows the endpoint secret, and behaves like a
 * well-behaved consumer: it applies each `webhook-id` once (the dedupe view
 * shows how many requests were duplicates). Fault modes (local/contract.ts
 * `sinkFaultSchema`): fail the next N requests with a status, answer 410
 * Gone, hang (never answer), or none.
 *
 * Order per request: signature check (401 on a bad one, when a secret is set),
 * then the fault, then 204 and the effect.
 */

export interface SinkDelivery {
  /** ms, from the sink's clock. */
  readonly receivedAt: number;
  readonly path: string;
  readonly webhookId: string | undefined;
  readonly eventType: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** null when the sink has no secret to verify with. */
  readonly verified: boolean | null;
  readonly verifyError?: string;
  /** What the sink answered; null while hanging. */
  status: number | null;
}

export interface SinkSummary {
  readonly fault: SinkFault;
  readonly received: number;
  /** Distinct webhook-ids applied (one effect each). */
  readonly unique: number;
  /** 2xx-answered requests whose webhook-id had already been applied. */
  readonly duplicates: number;
}

export interface WebhookSinkOptions {
  /** 0 = any free port. @default 0 */
  readonly port?: number;
  /** Endpoint secret(s) to verify signatures with. */
  readonly secret?: string | readonly string[];
  /** Clock for timestamp tolerance checks (tests with a fake clock). @default Date.now */
  readonly now?: () => number;
  /** Deliveries kept in memory (oldest dropped first). @default 10000 */
  readonly keep?: number;
  /** See `requestTimeoutMs` in local/options.ts. @default 30000 */
  readonly requestTimeoutMs?: number;
}

export interface WebhookSink {
  readonly url: string;
  readonly port: number;
  /** The sink part of the control API's state (`ControlState.webhookSink`). */
  state(): { fault: SinkFault; received: number };
  summary(): SinkSummary;
  setFault(fault: SinkFault): void;
  setSecret(secret: string | readonly string[] | undefined): void;
  deliveries(): readonly SinkDelivery[];
  /** webhook-id -> number of times its effect was applied (always 1 for a deduping consumer). */
  effects(): ReadonlyMap<string, number>;
  /** Resolves once `count` requests have arrived (answered or not). */
  waitForRequests(count: number): Promise<void>;
  /** Forget deliveries, effects and the fault. */
  reset(): void;
  stop(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function eventTypeOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { eventType?: unknown };
    return typeof parsed.eventType === 'string' ? parsed.eventType : undefined;
  } catch {
    return undefined;
  }
}

export async function startWebhookSink(options: WebhookSinkOptions = {}): Promise<WebhookSink> {
  const now = options.now ?? Date.now;
  const keep = options.keep ?? 10_000;
  let fault: SinkFault = { mode: 'none' };
  let secret = options.secret;
  let received = 0;
  let duplicates = 0;
  let log: SinkDelivery[] = [];
  let applied = new Map<string, number>();
  const waiters: { count: number; resolve: () => void }[] = [];

  const notify = () => {
    for (const waiter of [...waiters]) {
      if (received >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  const answer = (response: ServerResponse, delivery: SinkDelivery, status: number, body?: unknown) => {
    delivery.status = status;
    if (body === undefined) response.writeHead(status).end();
    else response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const server = createServer(
    listenerServerOptions(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
    (request, response) => {
      void (async () => {
        if (request.method === 'GET') {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({ ...summary(), last: log.slice(-50).map(({ body: _b, ...rest }) => rest) }),
          );
          return;
        }
        const body = await readBody(request);
        const headers = flatHeaders(request);
        let verified: boolean | null = null;
        let verifyError: string | undefined;
        if (secret !== undefined) {
          try {
            verifyWebhook({ body, headers, secret, now: now() });
            verified = true;
          } catch (error) {
            verified = false;
            verifyError = (error as Error).message;
          }
        }
        const delivery: SinkDelivery = {
          receivedAt: now(),
          path: request.url ?? '/',
          webhookId: headers['webhook-id'],
          eventType: eventTypeOf(body),
          headers,
          body,
          verified,
          ...(verifyError ? { verifyError } : {}),
          status: null,
        };
        log.push(delivery);
        if (log.length > keep) log = log.slice(-keep);
        received += 1;
        notify();

        if (verified === false) return answer(response, delivery, 401, { error: verifyError });
        if (fault.mode === 'hang') return; // never answered; the socket is cut on stop()
        if (fault.mode === 'gone') return answer(response, delivery, 410);
        if (fault.mode === 'fail') {
          const status = fault.status;
          fault = fault.count > 1 ? { ...fault, count: fault.count - 1 } : { mode: 'none' };
          return answer(response, delivery, status, { error: 'injected failure' });
        }
        const id = delivery.webhookId;
        if (id !== undefined) {
          if (applied.has(id)) duplicates += 1;
          else applied.set(id, 1);
        }
        return answer(response, delivery, 204);
      })().catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
      });
    },
  );

  const listener = new LoopbackListener(server, options.port ?? 0, 'webhook sink');
  await listener.open();
  const port = (server.address() as AddressInfo).port;

  function summary(): SinkSummary {
    return { fault, received, unique: applied.size, duplicates };
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state: () => ({ fault, received }),
    summary,
    setFault: (next) => {
      fault = next;
    },
    setSecret: (next) => {
      secret = next;
    },
    deliveries: () => log,
    effects: () => applied,
    waitForRequests: (count) =>
      received >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    reset: () => {
      fault = { mode: 'none' };
      received = 0;
      duplicates = 0;
      log = [];
      applied = new Map();
    },
    stop: () => listener.close(),
  };
}
