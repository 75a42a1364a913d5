import type { components, paths } from './generated/openapi';

/** The typed surface of the API: the types generated from contracts/openapi.json (`npm run client:types`). */
export type Paths = paths;

type Schemas = components['schemas'];
export type Product = Schemas['Product'];
export type ProductPage = Schemas['ProductPage'];
export type Cart = Schemas['Cart'];
export type Order = Schemas['Order'];
export type Customer = Schemas['Customer'];
export type Health = Schemas['Health'];
export type Discovery = Schemas['Discovery'];
export type EventPage = Schemas['EventPage'];
export type CommerceEvent = EventPage['items'][number];
export type { components, paths };
