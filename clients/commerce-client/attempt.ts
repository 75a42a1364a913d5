import { AttemptFailure } from './policies';
import { misdirectedSchema, readProblem, TRANSIENT_PROBLEM_CODES } from './problem';
import { retryAfterMs } from './retry-after';

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Aborts when any of the signals does (AbortSignal.any where the runtime has it). */
export function anySignal(signals: readonly AbortSignal[]): AbortSignal {
  if (signals.length === 1) return signals[0]!;
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([...signals]);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

/**
 * One HTTP exchange with one cell, body included, within the attempt's time budget. The answer is
 * buffered so the timeout covers the whole exchange and the body can be read more than once.
 * A missing answer becomes an AttemptFailure (network or timeout); the caller's own abort is
 * rethrown as is, since retrying what the caller cancelled would be wrong.
 */
export async function exchange(
  fetchImpl: FetchFunction,
  url: string,
  init: RequestInit,
  cell: string,
  budget: { readonly signal: AbortSignal; readonly timeoutMs: number },
  callerSignal?: AbortSignal,
): Promise<Response> {
  const signals = callerSignal ? [budget.signal, callerSignal] : [budget.signal];
  try {
    const response = await fetchImpl(url, { ...init, signal: anySignal(signals) });
    const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
    const headers = new Headers(response.headers);
    // the body is already decoded and complete: these would describe the wire form, not this copy
    headers.delete('content-encoding');
    headers.delete('content-length');
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  } catch (error) {
    if (callerSignal?.aborted) throw callerSignal.reason ?? error;
    if (budget.signal.aborted) {
      throw new AttemptFailure(
        'timeout',
        cell,
        `${cell} gave no complete answer within ${budget.timeoutMs} ms`,
        {
          cause: error,
        },
      );
    }
    const detail = error instanceof Error ? `${error.message}${causeText(error)}` : String(error);
    throw new AttemptFailure('network', cell, `${cell} could not be reached (${detail})`, { cause: error });
  }
}

function causeText(error: Error): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause ? `: ${cause.code ?? cause.message ?? ''}` : '';
}

export type Answer =
  /** The request's answer: a success, or a refusal a retry would not change. */
  | { readonly kind: 'final' }
  /** 421: the customer's data lives in `zone`, served at `endpoint` (when the API knows it). */
  | { readonly kind: 'misdirected'; readonly zone: string; readonly endpoint?: string }
  /** The request must wait (409 idempotency_key_in_use / conflict, 429); the cell is fine. */
  | { readonly kind: 'try_later'; readonly code?: string; readonly retryAfterMs?: number }
  /** The cell cannot serve it now (5xx): another cell of the zone may. */
  | { readonly kind: 'cell_failure'; readonly code?: string; readonly retryAfterMs?: number }
  /** 503 not_writer: a live cell that is not its zone's writer now; the zone's writer is another cell. */
  | { readonly kind: 'not_writer'; readonly code?: string; readonly retryAfterMs?: number };

/** What an HTTP answer means for the policies. */
export async function classify(response: Response, now: number): Promise<Answer> {
  const { status } = response;
  if (status < 400) return { kind: 'final' };
  const problem = await readProblem(response);
  const waitMs = retryAfterMs(response.headers.get('retry-after'), now);
  const wait = waitMs === undefined ? {} : { retryAfterMs: waitMs };
  const code = problem ? { code: problem.code } : {};
  if (status === 421) {
    const misdirected = misdirectedSchema.safeParse(problem);
    if (!misdirected.success) return { kind: 'final' };
    const { zone, endpoint } = misdirected.data;
    return endpoint ? { kind: 'misdirected', zone, endpoint } : { kind: 'misdirected', zone };
  }
  // Contention inside a healthy cell: wait and ask the same cell (moving would split the zone's writes).
  if (status === 503 && problem?.code === 'busy') return { kind: 'try_later', ...code, ...wait };
  if (status === 503 && problem?.code === 'not_writer') return { kind: 'not_writer', ...code, ...wait };
  if (status >= 500) return { kind: 'cell_failure', ...code, ...wait };
  if (status === 429 || status === 408) return { kind: 'try_later', ...code, ...wait };
  if (status === 409 && problem && TRANSIENT_PROBLEM_CODES.has(problem.code)) {
    return { kind: 'try_later', ...code, ...wait };
  }
  return { kind: 'final' };
}
