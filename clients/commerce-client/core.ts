/** What every runtime gets: the client, its outbox and catalog cache, and their building blocks. */
export type { Answer, FetchFunction } from './attempt';
export { freshness } from './cache-control';
export {
  type CatalogCacheOptions,
  type CatalogResult,
  type CatalogSource,
  CatalogCache,
} from './catalog-cache';
export {
  type CdnAttempt,
  type CdnCatalogClient,
  type CdnCatalogOptions,
  createCdnCatalogClient,
} from './cdn-catalog';
export { type CellView, CellRouter, type CircuitName, type RouterEvent } from './cell-router';
export {
  type CommerceClient,
  type CommerceClientOptions,
  createCommerceClient,
  type TokenSource,
} from './client';
export type {
  Cart,
  CommerceEvent,
  Customer,
  EventPage,
  Health,
  Order,
  Paths,
  Product,
  ProductPage,
} from './contract';
export { newIdempotencyKey, stepKey } from './idempotency';
export {
  INTENT_STATUSES,
  type Intent,
  type IntentStatus,
  type OrderIntent,
  type OrderPayload,
  type RequestIntent,
  type RequestPayload,
} from './outbox/intent';
export { type FlushReport, Outbox, type OutboxListener, type OutboxOptions } from './outbox/outbox';
export { type DiscoveryCell, type DiscoveryDocument, discoveryDocumentSchema } from './discovery';
export {
  AttemptFailure,
  type FailureReason,
  type Resilience,
  type ResilienceOptions,
  resolveResilience,
} from './policies';
export { type ProblemDetails, ProblemError, TRANSIENT_PROBLEM_CODES } from './problem';
export { type DurableStore, MemoryStore, type StoredEntry } from './storage/durable-store';
export {
  CommerceUnavailableError,
  type Connectivity,
  type Transport,
  type TransportEvent,
} from './transport';
