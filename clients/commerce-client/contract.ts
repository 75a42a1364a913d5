import type { components, paths } from './generated/openapi';
import type { PendingPaths } from './pending-contract';

/**
 * The typed surface of the API: the types generated from contracts/openapi.json (`npm run
 * client:types`), plus the additions the contract does not carry yet (pending-contract.ts). A
 * pending path is dropped here as soon as the generated types have it, so the contract wins.
 */
export type Paths = paths & Omit<PendingPaths, keyof paths>;

type Schemas = components['schemas'];
export type Product = Schemas['Product'];
export type ProductPage = Schemas['ProductPage'];
export type Cart = Schemas['Cart'];
export type Order = Schemas['Order'];
export type Customer = Schemas['Customer'];
export type Health = Schemas['Health'];
export type EventPage = Schemas['EventPage'];
export type CommerceEvent = EventPage['items'][number];
export type { components, paths };
