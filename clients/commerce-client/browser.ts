/**
 * Entry of the browser build (npm run client:bundle -> clients/kiosk/dist/commerce-client.js, ESM):
 * the client, outbox and catalog cache, with the IndexedDB store. Webhook receiving is
 * server-side and not in this build.
 */
export * from './core';
export { IndexedDbStore } from './storage/indexeddb-store';
