/** OAuth scopes per route family. The catalog is public; the rest act for the token's subject or an operator. */
export const SCOPES = {
  carts: 'commerce:carts',
  checkout: 'commerce:checkout',
  orders: 'commerce:orders',
  customers: 'commerce:customers',
  adminDrill: 'admin:drill',
  adminAudit: 'admin:audit',
  adminWebhooks: 'admin:webhooks',
  /** Reconciliation after a failover or failback (`POST /v1/admin/reconciliation`). */
  adminReconcile: 'admin:reconcile',
  /** Pull/replay of the event stream (`GET /v1/events`), for integrations. */
  eventsRead: 'events:read',
} as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

export const CUSTOMER_SCOPES: readonly Scope[] = [
  SCOPES.carts,
  SCOPES.checkout,
  SCOPES.orders,
  SCOPES.customers,
];
export const ADMIN_SCOPES: readonly Scope[] = [
  SCOPES.adminDrill,
  SCOPES.adminAudit,
  SCOPES.adminWebhooks,
  SCOPES.adminReconcile,
  SCOPES.eventsRead,
];
