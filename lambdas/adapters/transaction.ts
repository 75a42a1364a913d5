import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext, TransactWrite } from './table';

/**
 * The one way the runtime sends TransactWriteItems, and the one retry policy for it.
 *
 * - Every transaction carries a ClientRequestToken made once per call, so a resend of the same
 *   transaction is recognised by DynamoDB (idempotent for 10 minutes): when an attempt's outcome is unknown
 *   (a timeout, a network error, TransactionInProgressException, a 5xx), the same items are sent again
 *   with the same token, and a transaction that had in fact committed answers success instead of failing
 *   its own conditions (which used to surface as a lost idempotency lock or a conflict). The token is not
 *   derived from the items: two calls with identical items (a saga reserved again after its compensation,
 *   on a clock that has not moved) are two transactions, and the second must not be swallowed as a replay.
 * - A transaction cancelled by contention (TransactionConflict, throttling) did not commit: it is sent
 *   again after a backoff, under a new token (the round is part of it).
 * - Anything else (a failed condition, validation) is the caller's to interpret: `TransactionCancelled`
 *   carries the per-item reasons.
 * Callers that must rebuild their items between attempts (the audit chain head moved) use `withRetries`
 * with the same attempt budget.
 */

/** Attempts of one transaction (and of a caller's rebuild loop) before the error is surfaced. */
export const MAX_TRANSACTION_ATTEMPTS = 20;

export interface CancellationReason {
  readonly Code?: string;
}

/** TransactWriteItems was cancelled: `reasons[i]` is item i's outcome (`ConditionalCheckFailed`, ...). */
export class TransactionCancelled extends Error {
  override name = 'TransactionCancelled';
  constructor(
    readonly reasons: readonly CancellationReason[],
    options?: { cause?: unknown },
  ) {
    super(`transaction cancelled: ${reasons.map((r) => r.Code ?? 'None').join(', ')}`, options);
  }

  /** Index of the first item whose condition failed within [from, to), or -1. */
  conditionFailedIn(from = 0, to = this.reasons.length): number {
    const index = this.reasons.slice(from, to).findIndex(isConditionFailure);
    return index < 0 ? -1 : from + index;
  }
}

export function isConditionFailure(reason: CancellationReason | undefined): boolean {
  return reason?.Code === 'ConditionalCheckFailed';
}

function reasonsOf(error: unknown): readonly CancellationReason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  return (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
}

/** Cancelled by contention another attempt can win: nothing was written. */
function isContention(reasons: readonly CancellationReason[]): boolean {
  return (
    reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError') &&
    !reasons.some(isConditionFailure)
  );
}

/** The attempt may or may not have committed: resend it unchanged, under the same token. */
function isOutcomeUnknown(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TransactionInProgressException' || error.name === 'TransactionConflictException')
    return true;
  const fault = (error as { $fault?: string }).$fault;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (fault === 'server' || (status !== undefined && status >= 500)) return true;
  // No answer at all: the request timed out or its socket broke after it may have been received.
  const code = (error as { code?: string }).code;
  return error.name === 'TimeoutError' || (code !== undefined && NETWORK_ERROR_CODES.has(code));
}

const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN']);

/** Full-jitter exponential backoff, capped: the policy of every retry in this module. */
export function backoff(attempt: number): Promise<void> {
  // Capped at 1 s: a hot item (an audit chain head under fifty concurrent writers on a busy machine) needs
  // the losers spread out over seconds, or the same ones keep colliding until their attempts run out.
  const ms = Math.random() * Math.min(1000, 10 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The token of one call's `round`-th contention round: at most 36 characters, as DynamoDB allows. */
function clientRequestToken(call: string, round: number): string {
  return `${call}.${round}`;
}

/** Sends `items` as one transaction under the retry policy above; throws `TransactionCancelled` on a failed condition. */
export async function transactWrite(
  context: Pick<TableContext, 'documentClient'>,
  items: readonly TransactWrite[],
): Promise<void> {
  const call = randomUUID().replaceAll('-', '');
  let round = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await context.documentClient.send(
        new TransactWriteCommand({
          TransactItems: [...items],
          ClientRequestToken: clientRequestToken(call, round),
        }),
      );
      return;
    } catch (error) {
      const reasons = reasonsOf(error);
      const retry = reasons ? isContention(reasons) : isOutcomeUnknown(error);
      if (!retry || attempt >= MAX_TRANSACTION_ATTEMPTS) {
        throw reasons ? new TransactionCancelled(reasons, { cause: error }) : error;
      }
      if (reasons) round += 1;
      await backoff(attempt);
    }
  }
}

/**
 * Runs `attempt` until it returns, retrying (with backoff) while `shouldRetry` says the failure is one a
 * fresh attempt can win, at most MAX_TRANSACTION_ATTEMPTS times.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  shouldRetry: (error: unknown) => boolean,
): Promise<T> {
  for (let n = 1; ; n += 1) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!shouldRetry(error) || n >= MAX_TRANSACTION_ATTEMPTS) throw error;
      await backoff(n);
    }
  }
}
