/**
 * The channel client (`sovereign-commerce-toolkit/commerce-client`): a typed, resilient,
 * offline-first client of the commerce API. Node-only pieces (FileStore) are in `./node`;
 * the browser build (IndexedDbStore) is `./browser`. See README.md beside this file.
 */
export * from './core';
export { type DedupeStore, StoreDedupe, type StoreDedupeOptions } from './webhooks/dedupe';
export { type CatchUpReport, EventCatchUp, type EventCatchUpOptions } from './webhooks/catch-up';
export { type EventHandler, eventEnvelopeSchema } from './webhooks/event';
export { type ReceiveResult, WebhookReceiver, type WebhookReceiverOptions } from './webhooks/receiver';
