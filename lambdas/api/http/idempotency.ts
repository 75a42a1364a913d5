import type { Context, MiddlewareHandler } from 'hono';
import type { IdempotencyStore } from '../../adapters/idempotency-store';
import { isStoredRefusal, ProblemError } from '../../core/errors';
import {
  IDEMPOTENCY_HEADER,
  idempotencyKeySchema,
  REPLAYED_HEADER,
  requestFingerprint,
  type StoredResponse,
} from '../../core/idempotency';
import type { AppEnv } from './env';

/**
 * Idempotency-Key middleware for mutating routes (docs/architecture.md, "Contracts").
 * Takes the key (scoped to the caller), replays a completed response verbatim,
 * and exposes a handle whose `completion` the route writes in its business
 * transaction. Stored for replay: a success that committed (in its own
 * transaction) or wrote nothing, and a stored refusal (a declined payment;
 * core/errors.ts). Anything else (a refusal decided from this cell's data,
 * a transient failure, an exception) releases the key so a retry decides again.
 */

/** Headers stored with a response and replayed. */
const REPLAYED_RESPONSE_HEADERS = ['content-type', 'location', 'cache-control'];

export function idempotencyKeyOf(c: Context<AppEnv>): string {
  const header = c.req.header(IDEMPOTENCY_HEADER);
  if (header === undefined)
    throw new ProblemError(
      'idempotency_key_missing',
      `send an ${IDEMPOTENCY_HEADER} header (1-255 characters)`,
    );
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success)
    throw new ProblemError(
      'idempotency_key_invalid',
      `${IDEMPOTENCY_HEADER} must be 1-255 visible ASCII characters`,
    );
  return parsed.data;
}

/** Rebuilds a stored response byte for byte. */
export function replay(response: StoredResponse, correlationId: string): Response {
  return new Response(response.body, {
    status: response.status,
    headers: { ...response.headers, [REPLAYED_HEADER]: 'true', 'x-correlation-id': correlationId },
  });
}

export async function storedResponseOf(response: Response): Promise<StoredResponse> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_RESPONSE_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, body: await response.clone().text(), headers };
}

export function idempotency(storeFor: (c: Context<AppEnv>) => IdempotencyStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = idempotencyKeyOf(c);
    const store = storeFor(c);
    const scope = c.get('principal')?.subject ?? 'anonymous';
    const body = c.get('rawBody') ?? (await c.req.text());
    const fingerprint = requestFingerprint(c.req.method, c.req.path, body);
    const begun = await store.begin(scope, key, fingerprint);
    if (begun.kind === 'replay') {
      c.get('log').info('idempotent replay', { idempotencyKey: key });
      c.res = replay(begun.response, c.get('correlationId'));
      return;
    }
    let committed = false;
    c.set('idempotency', {
      key,
      completion: (response) => store.completion(scope, key, begun.lockToken, fingerprint, response),
      markCommitted: () => {
        committed = true;
      },
    });
    try {
      await next();
    } catch (error) {
      await store.release(scope, key, begun.lockToken);
      throw error;
    }
    if (committed) return;
    const succeeded = !c.error && c.res.status < 400;
    if (succeeded || isStoredRefusal(c.error)) {
      // Wrote nothing transactional (a no-op success, or a final refusal): remember it so a retry replays it.
      await store.complete(scope, key, begun.lockToken, fingerprint, await storedResponseOf(c.res));
    } else {
      await store.release(scope, key, begun.lockToken);
    }
  };
}
