import { SERVED_BY_HEADER } from '../../lambdas/core/served-by';

/**
 * A drill's own API calls, made the way a careful client makes them: the same Idempotency-Key on every
 * attempt, retried on no answer, a 5xx, or 409 `idempotency_key_in_use` (an earlier attempt still
 * running), within a bound. Plain fetch, not the channel client: the drills judge the API, and the
 * client has drills of its own.
 */

/** Longest a single call is retried. */
export const CALL_BOUND_MS = 30_000;
/** Per attempt: long enough for a loaded host, short of the bound. */
const ATTEMPT_TIMEOUT_MS = 10_000;
const RETRY_PAUSE_MS = 250;

export interface Answer {
  /** 0: no answer within the bound. */
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** `zone/region` of the cell that answered (the edge's and the cells' `x-served-by`), when known. */
  readonly servedBy: string | undefined;
  /** Attempts made, this one included (more than 1: it was retried). */
  readonly attempts: number;
}

export interface CallOptions {
  readonly token: string;
  readonly key?: string;
  readonly body?: unknown;
  /** @default CALL_BOUND_MS */
  readonly boundMs?: number;
  /** Stop retrying early (the drill is ending). */
  readonly signal?: AbortSignal;
}

export async function callApi(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions,
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.key) headers['idempotency-key'] = options.key;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const end = Date.now() + (options.boundMs ?? CALL_BOUND_MS);
  for (let attempts = 1; ; attempts++) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    }).catch(() => undefined);
    const servedBy = response?.headers.get(SERVED_BY_HEADER) ?? undefined;
    const over = Date.now() >= end || options.signal?.aborted === true;
    if (response && response.status < 500) {
      const text = await response.text();
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      // The first attempt timed out on the client but still runs in the cell: its answer comes later.
      const stillRunning = response.status === 409 && body.code === 'idempotency_key_in_use';
      if (!stillRunning || over) return { status: response.status, body, servedBy, attempts };
    } else {
      await response?.arrayBuffer();
    }
    if (over) return { status: response?.status ?? 0, body: {}, servedBy, attempts };
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
  }
}

/** `what answered 409 (expected 201): {...}` when the status is not the expected one. */
export async function expectStatus(answer: Promise<Answer>, status: number, what: string): Promise<Answer> {
  const result = await answer;
  if (result.status !== status)
    throw new Error(`${what} answered ${result.status} (expected ${status}): ${JSON.stringify(result.body)}`);
  return result;
}
