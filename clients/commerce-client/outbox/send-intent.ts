import type { CommerceClient } from '../client';
import type { Paths } from '../contract';
import { stepKey } from '../idempotency';
import { type ProblemDetails, problemSchema, TRANSIENT_PROBLEM_CODES } from '../problem';
import { CommerceUnavailableError } from '../transport';
import type { Intent, OrderIntent, RequestIntent } from './intent';

/** How one send of an intent ended. */
export type SendOutcome =
  | { readonly type: 'accepted'; readonly intent: Intent }
  | { readonly type: 'refused'; readonly problem: ProblemDetails }
  | { readonly type: 'deferred'; readonly reason: string };

/** Persists the intent's progress between steps (so a restart resumes where it stopped). */
export type SaveProgress = (intent: Intent) => Promise<void>;

type ApiResult = { readonly data?: unknown; readonly error?: unknown; readonly response: Response };

/** Deferred: the same request may succeed later with the same key. Refused: it will not. */
function judge(result: ApiResult): SendOutcome | undefined {
  const { response } = result;
  if (response.ok) return undefined;
  const parsed = problemSchema.safeParse(result.error);
  const problem: ProblemDetails = parsed.success
    ? parsed.data
    : { status: response.status, code: `http_${response.status}`, detail: String(result.error ?? '') };
  const transient =
    response.status >= 500 ||
    response.status === 401 || // the token provider may have a fresh token next time
    response.status === 408 ||
    response.status === 429 ||
    TRANSIENT_PROBLEM_CODES.has(problem.code);
  if (transient) return { type: 'deferred', reason: `${response.status} ${problem.code}` };
  return { type: 'refused', problem };
}

async function call(run: () => Promise<ApiResult>, signal: AbortSignal): Promise<ApiResult | SendOutcome> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CommerceUnavailableError) return { type: 'deferred', reason: error.message };
    // the outbox was stopped mid-send (the abort may surface as a DOMException from another realm)
    if (signal.aborted) return { type: 'deferred', reason: 'stopped' };
    throw error;
  }
}

function isOutcome(value: ApiResult | SendOutcome): value is SendOutcome {
  return 'type' in value;
}

type CartCurrency = NonNullable<
  NonNullable<Paths['/v1/carts']['post']['requestBody']>['content']['application/json']['currency']
>;

/**
 * An order: create the cart (step key `<key>:cart`), add each line (`<key>:line:<n>`), check out
 * (`<key>:checkout`). Progress is saved after each step; a step repeated after a restart carries
 * the same key, so the API replays its first answer instead of doing it twice.
 */
async function sendOrder(
  client: CommerceClient,
  intent: OrderIntent,
  save: SaveProgress,
  signal: AbortSignal,
): Promise<SendOutcome> {
  const rebuilds = intent.progress.cartRebuilds ?? 0;
  const headers = (step: string) => ({
    'Idempotency-Key': stepKey(intent.key, rebuilds === 0 ? step : `${step}#${rebuilds}`),
    'x-correlation-id': intent.id,
  });
  let current = intent;
  /**
   * `judge` for steps on the intent's cart, with one exception: a 404 means this cell has no such cart.
   * - Before the checkout ever left the device, the cart is gone, created in a cell that failed before it
   *   replicated (the RPO), and no order can exist for it: the device still holds the lines, so it builds the
   *   cart again, once, under new step keys.
   * - Once a checkout was sent, its answer may have been lost after it committed in another cell whose writes
   *   have not reached this one yet (replication is asynchronous; a lost region's return at failback). A new
   *   cart would then be a second order and a second charge: the intent waits instead, and the same-key
   *   checkout replays the original's answer once the cart and its order are visible here.
   */
  const judgeCartStep = async (result: ApiResult): Promise<SendOutcome | undefined> => {
    if (result.response.status !== 404) return judge(result);
    if (current.progress.checkoutSent)
      return {
        type: 'deferred',
        reason:
          'this cell does not know the cart yet, and a checkout of it was already sent (it may have been placed in another cell): waiting for replication, never a second order',
      };
    if (rebuilds > 0) return judge(result); // lost twice: a person looks at it
    const rebuilt: Intent = { ...current, progress: { linesAdded: 0, cartRebuilds: rebuilds + 1 } };
    await save(rebuilt);
    return {
      type: 'deferred',
      reason: 'the cart was lost in a failover (not replicated); building it again',
    };
  };
  if (!current.progress.cartId) {
    const result = await call(
      () =>
        client.api.POST('/v1/carts', {
          params: { header: headers('cart') },
          body: current.payload.currency ? { currency: current.payload.currency as CartCurrency } : {},
          signal,
        }),
      signal,
    );
    if (isOutcome(result)) return result;
    const verdict = judge(result);
    if (verdict) return verdict;
    const cart = result.data as { id: string };
    current = { ...current, progress: { ...current.progress, cartId: cart.id } };
    await save(current);
  }
  const cartId = current.progress.cartId!;
  for (let index = current.progress.linesAdded; index < current.payload.lines.length; index++) {
    const line = current.payload.lines[index]!;
    const result = await call(
      () =>
        client.api.POST('/v1/carts/{cartId}/items', {
          params: { path: { cartId }, header: headers(`line:${index}`) },
          body: { productId: line.productId, quantity: line.quantity },
          signal,
        }),
      signal,
    );
    if (isOutcome(result)) return result;
    const verdict = await judgeCartStep(result);
    if (verdict) return verdict;
    current = { ...current, progress: { ...current.progress, linesAdded: index + 1 } };
    await save(current);
  }
  if (!current.progress.checkoutSent) {
    // Durable before the request leaves: a crash mid-checkout must not let a restart build a new cart.
    current = { ...current, progress: { ...current.progress, checkoutSent: true } };
    await save(current);
  }
  const result = await call(
    () =>
      client.api.POST('/v1/checkout', {
        params: { header: headers('checkout') },
        body: {
          cartId,
          ...(current.payload.paymentMethod ? { paymentMethod: current.payload.paymentMethod } : {}),
        },
        signal,
      }),
    signal,
  );
  if (isOutcome(result)) return result;
  const verdict = await judgeCartStep(result);
  if (verdict) return verdict;
  const order = result.data as { id: string; totalMinor: number; currency: string };
  return {
    type: 'accepted',
    intent: {
      ...current,
      result: { orderId: order.id, totalMinor: order.totalMinor, currency: order.currency },
    },
  };
}

/** One mutating call with the intent's key. Paths outside the typed contract go through `request`. */
async function sendRequest(
  client: CommerceClient,
  intent: RequestIntent,
  signal: AbortSignal,
): Promise<SendOutcome> {
  const { method, path, body } = intent.payload;
  const result = await call(
    () =>
      // the path is data here (stored in the outbox), so the typed surface cannot check it
      (client.api.request as unknown as (m: string, p: string, init: object) => Promise<ApiResult>)(
        method.toLowerCase(),
        path,
        {
          headers: { 'Idempotency-Key': intent.key, 'x-correlation-id': intent.id },
          ...(body === undefined ? {} : { body }),
          signal,
        },
      ),
    signal,
  );
  if (isOutcome(result)) return result;
  const verdict = judge(result);
  if (verdict) return verdict;
  return {
    type: 'accepted',
    intent: { ...intent, result: { status: result.response.status, body: result.data } },
  };
}

export function sendIntent(
  client: CommerceClient,
  intent: Intent,
  save: SaveProgress,
  signal: AbortSignal,
): Promise<SendOutcome> {
  return intent.kind === 'order'
    ? sendOrder(client, intent, save, signal)
    : sendRequest(client, intent, signal);
}
