/**
 * The shopper flow (browse -> cart -> checkout) as data, shared by the k6
 * scripts and the Node runner so both send the same requests. No Node
 * imports: this module is bundled into k6 scripts.
 *
 * Paths follow the API issue's routes under /v1; if the generated OpenAPI
 * document names them differently, change them here only.
 */

/** Response header naming the cell that answered: `<zone>/<region>` (a bare region is accepted too). */
import { SERVED_BY_HEADER } from '../lambdas/core/served-by';

export { SERVED_BY_HEADER };
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export interface ServedBy {
  readonly zone: string | undefined;
  readonly region: string;
}

export function parseServedBy(value: string | null | undefined): ServedBy | undefined {
  if (!value) return undefined;
  const parts = value.trim().split(/[/:]/);
  if (parts.length >= 2 && parts[0] && parts[1]) return { zone: parts[0], region: parts[1] };
  return parts[0] ? { zone: undefined, region: parts[0] } : undefined;
}

export function servedByLabel(servedBy: ServedBy | undefined): string {
  if (!servedBy) return 'unknown';
  return servedBy.zone ? `${servedBy.zone}/${servedBy.region}` : servedBy.region;
}

/** State one iteration carries from step to step. */
export interface FlowState {
  /** Unique per iteration (run id + iteration number); idempotency keys derive from it. */
  readonly iterationId: string;
  productId?: string;
  cartId?: string;
  orderId?: string;
  /** Payment-method token for checkout; unset: the API's default (an approving card). */
  paymentMethod?: string;
}

export interface FlowRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  /** Mutating requests carry an idempotency key so that a client retry never doubles an order. */
  readonly idempotencyKey?: string;
}

export interface FlowStep {
  readonly name: string;
  /** Undefined when a previous step did not produce what this one needs (the iteration stops). */
  request(state: FlowState): FlowRequest | undefined;
  /** Reads ids from a successful response body into the state. */
  capture?(state: FlowState, body: unknown): void;
}

const field = (body: unknown, ...path: string[]): string | undefined => {
  let value: unknown = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value : undefined;
};

const firstProductId = (body: unknown): string | undefined => {
  const items =
    typeof body === 'object' && body !== null
      ? ((body as Record<string, unknown>).items ?? (body as Record<string, unknown>).products)
      : undefined;
  if (!Array.isArray(items) || items.length === 0) return undefined;
  return field(items[0], 'id') ?? field(items[0], 'productId');
};

export const SHOPPER_FLOW: readonly FlowStep[] = [
  {
    name: 'browse',
    request: () => ({ method: 'GET', path: '/v1/products?limit=10' }),
    capture: (state, body) => {
      state.productId = firstProductId(body);
    },
  },
  {
    name: 'product',
    request: (s) => (s.productId ? { method: 'GET', path: `/v1/products/${s.productId}` } : undefined),
  },
  {
    name: 'create-cart',
    request: (s) => ({
      method: 'POST',
      path: '/v1/carts',
      body: {},
      idempotencyKey: `${s.iterationId}-cart`,
    }),
    capture: (state, body) => {
      state.cartId = field(body, 'id') ?? field(body, 'cartId');
    },
  },
  {
    name: 'add-item',
    request: (s) =>
      s.cartId && s.productId
        ? {
            method: 'POST',
            path: `/v1/carts/${s.cartId}/items`,
            body: { productId: s.productId, quantity: 1 },
            idempotencyKey: `${s.iterationId}-item`,
          }
        : undefined,
  },
  {
    name: 'checkout',
    request: (s) =>
      s.cartId
        ? {
            method: 'POST',
            path: '/v1/checkout',
            body: { cartId: s.cartId, ...(s.paymentMethod ? { paymentMethod: s.paymentMethod } : {}) },
            idempotencyKey: `${s.iterationId}-checkout`,
          }
        : undefined,
    capture: (state, body) => {
      state.orderId = field(body, 'orderId') ?? field(body, 'id');
    },
  },
];

/** A health-only flow for drills that should not depend on the commerce routes. */
export const HEALTH_FLOW: readonly FlowStep[] = [
  { name: 'health', request: () => ({ method: 'GET', path: '/v1/health' }) },
];

export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 400;
}
