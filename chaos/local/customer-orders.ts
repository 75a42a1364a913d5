import type { LocalDrillContext } from './context';

/**
 * Independent reads for the client drills: a customer's orders as the API lists them (plain fetch to
 * the zone endpoint, not the client under test), and the SIMULATED payment provider's authorizations.
 */

export interface ListedOrder {
  readonly id: string;
  readonly cartId: string;
  readonly customerId: string;
  readonly authorizationId: string;
}

/** Longest time the read retries a failing page (5xx, timeout) before giving up. */
const READ_BOUND_MS = 20_000;

/** Every order of the customer behind `authorization`, all pages; undefined when the bound ran out. */
export async function listCustomerOrders(
  context: Pick<LocalDrillContext, 'baseUrl'>,
  authorization: string,
): Promise<ListedOrder[] | undefined> {
  const orders: ListedOrder[] = [];
  let cursor: string | undefined;
  const end = Date.now() + READ_BOUND_MS;
  do {
    const url = `${context.baseUrl}/v1/orders?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await fetch(url, {
      headers: { authorization },
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
    if (response?.status !== 200) {
      await response?.arrayBuffer();
      if (Date.now() >= end) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    const page = (await response.json()) as { items: ListedOrder[]; nextCursor?: string };
    orders.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return orders;
}

/**
 * The SIMULATED payment provider's live (not voided) authorizations of the customers behind `orders`, and
 * how many of those orders name one: "one held authorization per order" holds when both equal the orders.
 */
export function heldAuthorizations(
  context: Pick<LocalDrillContext, 'topology'>,
  orders: readonly ListedOrder[],
): { readonly held: number; readonly ordersNamingOne: number } {
  const customerIds = new Set(orders.map((o) => o.customerId));
  const held = context.topology
    .paymentAuthorizations()
    .filter((a) => customerIds.has(a.customerId) && !a.voided);
  const heldIds = new Set(held.map((a) => a.authorizationId));
  return { held: held.length, ordersNamingOne: orders.filter((o) => heldIds.has(o.authorizationId)).length };
}

/** Count of orders beyond the first for the same cart: a placed-twice intent shows up here. */
export function duplicateOrders(orders: readonly ListedOrder[]): number {
  const perCart = new Map<string, number>();
  for (const order of orders) perCart.set(order.cartId, (perCart.get(order.cartId) ?? 0) + 1);
  return [...perCart.values()].reduce((n, count) => n + count - 1, 0);
}

/** Wait, up to `boundMs`, for `condition`; polls every `everyMs`. Returns whether it held. */
export async function waitFor(condition: () => boolean, boundMs: number, everyMs = 100): Promise<boolean> {
  const end = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() >= end) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return true;
}

/** The first product of the seeded catalog, read through the zone endpoint (retried within a bound). */
export async function seededProductId(
  context: Pick<LocalDrillContext, 'baseUrl'>,
  drill: string,
): Promise<string> {
  const end = Date.now() + READ_BOUND_MS;
  let last = 'no answer';
  while (Date.now() < end) {
    const response = await fetch(`${context.baseUrl}/v1/products?limit=1`, {
      signal: AbortSignal.timeout(5000),
    }).catch((error: Error) => {
      last = error.message;
      return undefined;
    });
    if (response) {
      const page = (await response.json().catch(() => ({}))) as { items?: { id: string }[] };
      const id = page.items?.[0]?.id;
      if (response.status === 200 && id) return id;
      last = `answered ${response.status}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${drill} needs a seeded catalog; GET ${context.baseUrl}/v1/products ${last}`);
}
