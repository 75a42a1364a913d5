import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import { classify, exchange, type FetchFunction } from './attempt';
import type { CellRouter, CellState } from './cell-router';
import { Listeners } from './listeners';
import {
  AttemptFailure,
  createAttemptTimeout,
  createBulkhead,
  createRetryPolicy,
  type FailureReason,
  type Resilience,
} from './policies';
import { newTraceId, traceIdOf, traceparent } from './trace';

/**
 * The resilient `fetch` under the typed client. One call:
 * 1. gets a trace id (joined from the caller's `traceparent` if any) and an `x-correlation-id`
 *    (the caller's, else the trace id), kept across retries; each attempt sends a new span id;
 * 2. runs attempts through cockatiel: retry (full-jitter backoff, Retry-After honoured) around a
 *    bulkhead, around the chosen cell's circuit breaker, around a per-attempt timeout;
 * 3. retries only when it is safe: reads (GET/HEAD/OPTIONS) and writes that carry an
 *    `Idempotency-Key` (the API replays or re-runs them under that key, never twice). A write
 *    without a key gets exactly one attempt;
 * 4. on a cell failure, moves to the zone's other cell and retries there at once;
 * 5. follows a 421 once to the zone it names, and remembers that zone (CellRouter.rehome).
 *
 * Its result is the API's answer: a success or a final refusal at once, a transient refusal once
 * retries are spent, a 421 when it cannot be followed. When no attempt got an answer at all it
 * throws `CommerceUnavailableError` (the outbox keeps the intent and tries again later).
 */

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The attempt failure an answer that is not the request's answer stands for. */
const ANSWER_FAILURE_REASONS = {
  cell_failure: 'cell_answer',
  not_writer: 'not_writer',
  try_later: 'try_later',
} as const satisfies Record<string, FailureReason>;

export class CommerceUnavailableError extends Error {
  override name = 'CommerceUnavailableError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly attempts: number,
    readonly lastFailure: AttemptFailure,
  ) {
    super(
      `${method} ${path}: no answer from the commerce API after ${attempts} attempt(s); last: ${lastFailure.message}. ` +
        'The device may be offline or the zone unreachable; a request with an Idempotency-Key is safe to send again.',
      { cause: lastFailure },
    );
  }
}

export type Connectivity = 'unknown' | 'online' | 'offline';

export type TransportEvent =
  | { readonly type: 'connectivity'; readonly connectivity: Connectivity }
  | {
      readonly type: 'attempt';
      readonly method: string;
      readonly path: string;
      readonly cell: string;
      readonly attempt: number;
      readonly outcome: number | AttemptFailure['reason'];
    };

export interface TransportOptions {
  /** The base URL the typed client builds request URLs from (the entry endpoint). */
  readonly baseUrl: string;
  readonly router: CellRouter;
  readonly resilience: Resilience;
  readonly fetch: FetchFunction;
  /** Bearer token for each attempt (called per attempt, so a refreshed token is picked up). */
  readonly token?: () => string | undefined | Promise<string | undefined>;
  /** Headers added to every call unless the call sets them. */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface Transport {
  readonly fetch: (request: Request) => Promise<Response>;
  readonly connectivity: Connectivity;
  onEvent(listener: (event: TransportEvent) => void): () => void;
}

export function createTransport(options: TransportOptions): Transport {
  const now = options.now ?? Date.now;
  const retry = createRetryPolicy(options.resilience);
  const attemptTimeout = createAttemptTimeout(options.resilience);
  const bulkhead = createBulkhead(options.resilience);
  const events = new Listeners<TransportEvent>();
  let connectivity: Connectivity = 'unknown';
  const setConnectivity = (next: Connectivity) => {
    if (next === connectivity) return;
    connectivity = next;
    events.emit({ type: 'connectivity', connectivity });
  };

  async function send(request: Request): Promise<Response> {
    const method = request.method.toUpperCase();
    const path = relativePath(request.url, options.baseUrl);
    const body = method === 'GET' || method === 'HEAD' ? undefined : await request.arrayBuffer();
    const headers = new Headers(request.headers);
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (!headers.has(name)) headers.set(name, value);
    }
    const traceId = traceIdOf(headers.get('traceparent')) ?? newTraceId();
    if (!headers.has('x-correlation-id')) headers.set('x-correlation-id', traceId);
    const safe = SAFE_METHODS.has(method) || headers.has('idempotency-key');
    const callerSignal = request.signal;
    let attempts = 0;
    // cells that failed during this call: moving to one of them is not a reason to skip the backoff
    const tried = new Set<string>();

    const attemptOnce = async (): Promise<Response> => {
      options.router.maybeFailBack();
      const cell = options.router.pick();
      attempts += 1;
      const attemptHeaders = new Headers(headers);
      attemptHeaders.set('traceparent', traceparent(traceId));
      const token = await options.token?.();
      if (token && !attemptHeaders.has('authorization'))
        attemptHeaders.set('authorization', `Bearer ${token}`);
      try {
        const response = await attemptOn(cell, attemptHeaders);
        events.emit({
          type: 'attempt',
          method,
          path,
          cell: cell.endpoint,
          attempt: attempts,
          outcome: response.status,
        });
        return response;
      } catch (error) {
        const failure = asAttemptFailure(error, cell.endpoint);
        events.emit({
          type: 'attempt',
          method,
          path,
          cell: cell.endpoint,
          attempt: attempts,
          outcome: failure.reason,
        });
        if (failure.movesToAnotherCell) {
          tried.add(cell.endpoint);
          const next = options.router.reportFailure(cell, failure.reason);
          failure.retryNow = !tried.has(next.endpoint);
        }
        throw failure;
      }
    };

    const attempt = async (): Promise<Response> => {
      try {
        return await bulkhead.execute(attemptOnce);
      } catch (error) {
        throw error instanceof BulkheadRejectedError
          ? asAttemptFailure(error, options.router.activeEndpoint)
          : error;
      }
    };

    const attemptOn = (cell: CellState, attemptHeaders: Headers) =>
      cell.breaker.execute(() =>
        attemptTimeout.execute(async ({ signal }) => {
          const response = await exchange(
            options.fetch,
            cell.endpoint + path,
            { method, headers: attemptHeaders, ...(body === undefined ? {} : { body }) },
            cell.endpoint,
            { signal, timeoutMs: options.resilience.attemptTimeoutMs },
            callerSignal,
          );
          const answer = await classify(response, now());
          if (answer.kind !== 'final' && answer.kind !== 'misdirected') {
            throw new AttemptFailure(
              ANSWER_FAILURE_REASONS[answer.kind],
              cell.endpoint,
              `${cell.endpoint} answered ${response.status}${answer.code ? ` ${answer.code}` : ''}`,
              { response, ...answer },
            );
          }
          return response;
        }),
      );

    const run = async (): Promise<Response> => {
      try {
        const response = safe ? await retry.execute(attempt, callerSignal) : await attempt();
        setConnectivity('online');
        return response;
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error;
        if (error.details.response) {
          setConnectivity('online');
          return error.details.response;
        }
        setConnectivity('offline');
        throw new CommerceUnavailableError(method, path, attempts, error);
      }
    };

    await options.router.prepare();
    const response = await run();
    const answer = response.status === 421 ? await classify(response, now()) : undefined;
    if (answer?.kind !== 'misdirected' || !answer.endpoint) return response;
    // Nothing was written (the API refuses before any write), so the same request may go to the
    // customer's zone, once: a second 421 is returned as is.
    await options.router.rehome(answer.zone, answer.endpoint);
    await options.router.prepare();
    tried.clear();
    return run();
  }

  return {
    fetch: send,
    get connectivity() {
      return connectivity;
    },
    onEvent: (listener) => events.add(listener),
  };
}

/** Policy refusals become attempt failures; anything else (the caller's abort, a bug) passes through. */
function asAttemptFailure(error: unknown, cell: string): AttemptFailure {
  if (error instanceof AttemptFailure) return error;
  if (error instanceof BrokenCircuitError) {
    return new AttemptFailure('circuit_open', cell, `${cell}: circuit open`, { cause: error });
  }
  if (error instanceof BulkheadRejectedError) {
    return new AttemptFailure('bulkhead_full', cell, 'too many calls in flight in this client', {
      cause: error,
    });
  }
  throw error;
}

/** The path and query of a request built against `baseUrl` (which may carry a path prefix). */
export function relativePath(url: string, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  if (url.startsWith(base)) return url.slice(base.length);
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}
