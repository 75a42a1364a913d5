/** Reads the per-item cancellation reasons of a TransactWriteItems failure. */
export interface CancellationReason {
  readonly Code?: string;
}

export function cancellationReasons(error: unknown): readonly CancellationReason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  return (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
}

export function isConditionFailure(reason: CancellationReason | undefined): boolean {
  return reason?.Code === 'ConditionalCheckFailed';
}

/** Contention another attempt can win: a concurrent transaction touched the same items. */
export function isTransientTransactionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TransactionConflictException' || error.name === 'TransactionInProgressException')
    return true;
  const reasons = cancellationReasons(error);
  return reasons?.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError') ?? false;
}

export function backoff(attempt: number): Promise<void> {
  const ms = Math.min(100, 3 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
