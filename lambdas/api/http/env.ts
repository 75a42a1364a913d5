import type { Logger } from '@aws-lambda-powertools/logger';
import type { TransactWrite } from '../../adapters/table';
import type { StoredResponse } from '../../core/idempotency';

/** The authenticated caller: token subject, granted scopes and (when the identity provider says) home zone. */
export interface Principal {
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
  readonly homeZone?: string;
}

/** A request's hold on its Idempotency-Key. */
export interface IdempotencyHandle {
  readonly key: string;
  /** The transaction item completing the record with this response; put it in the business transaction. */
  completion(response: StoredResponse): TransactWrite;
  /** Called once that transaction committed: the key is then neither released nor completed again. */
  markCommitted(): void;
}

/** Logs with the request's correlation id on every line (safe under concurrent requests). */
export interface RequestLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export type AppEnv = {
  Variables: {
    correlationId: string;
    log: RequestLogger;
    principal?: Principal;
    idempotency?: IdempotencyHandle;
    /** The request body as received (what the idempotency fingerprint hashes). */
    rawBody?: string;
    /** Validated route input, handed from the validation step to the handler (see route.ts). */
    routeInput?: unknown;
  };
};

export function requestLogger(base: Logger, correlationId: string): RequestLogger {
  return {
    info: (message, attributes) => base.info(message, { correlationId, ...attributes }),
    warn: (message, attributes) => base.warn(message, { correlationId, ...attributes }),
    error: (message, attributes) => base.error(message, { correlationId, ...attributes }),
  };
}
