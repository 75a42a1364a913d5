import type { RouteContract, RouteFamily } from '../http/route';
import { adminRoutes } from './admin';
import { cartRoutes } from './carts';
import { catalogRoutes } from './catalog';
import { checkoutRoutes } from './checkout';
import { customerRoutes } from './customers';
import { discoveryRoutes } from './discovery';
import { eventRoutes } from './events';
import { healthRoutes } from './health';
import { orderRoutes } from './orders';
import { webhookRoutes } from './webhooks';

/**
 * Every route family of the API, in OpenAPI order: the one list the app mounts (app.ts) and the OpenAPI
 * document describes (contract.ts). A route missing here is neither served nor documented.
 */
export const API_ROUTES: readonly RouteFamily[] = [
  healthRoutes,
  discoveryRoutes,
  catalogRoutes,
  cartRoutes,
  checkoutRoutes,
  orderRoutes,
  customerRoutes,
  adminRoutes,
  webhookRoutes,
  eventRoutes,
];

/** The contracts of every route, in API_ROUTES order. */
export function apiContracts(): RouteContract[] {
  return API_ROUTES.flatMap((family) => Object.values(family.contracts));
}
