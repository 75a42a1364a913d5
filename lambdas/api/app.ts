import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { ProblemError } from '../core/errors';
import { type ApiDependencies, type ResolvedDependencies, resolveDependencies } from './dependencies';
import { MAX_BODY_BYTES } from './http/body-limit';
import { correlation } from './http/correlation';
import type { AppEnv } from './http/env';
import { handleError, problemResponse } from './http/problem';
import { mountRoute, type RouteSpec } from './http/route';
import { securityHeaders } from './http/security-headers';
import { mountOptionsFor } from './mount-options';
import { adminRoutes } from './routes/admin';
import { cartRoutes } from './routes/carts';
import { catalogRoutes } from './routes/catalog';
import { checkoutRoutes } from './routes/checkout';
import { customerRoutes } from './routes/customers';
import { healthRoutes } from './routes/health';
import { orderRoutes } from './routes/orders';

export type { ApiDependencies } from './dependencies';

/** Every described route of the API, in OpenAPI order. */
export function apiRoutes(deps: ResolvedDependencies): RouteSpec[] {
  return [
    ...catalogRoutes(deps),
    ...cartRoutes(deps),
    ...checkoutRoutes(deps),
    ...orderRoutes(deps),
    ...customerRoutes(deps),
    ...adminRoutes(deps),
  ] as RouteSpec[];
}

export function createApp(deps: ApiDependencies): Hono<AppEnv> {
  const resolved = resolveDependencies(deps);
  const app = new Hono<AppEnv>();
  app.use(securityHeaders());
  app.use(correlation(resolved.logger, resolved.metrics));
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ProblemError('payload_too_large', `the request body exceeds ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => {
        const response = problemResponse(
          c,
          new ProblemError(
            'method_not_allowed',
            `${c.req.method} is not allowed here; use ${methods.join(', ')}`,
          ),
        );
        response.headers.set('Allow', methods.join(', '));
        return response;
      },
    }),
  );
  app.onError(handleError);
  app.notFound((c) =>
    problemResponse(c, new ProblemError('route_not_found', `no route ${c.req.method} ${c.req.path}`)),
  );

  app.route('/v1', healthRoutes(deps));
  const mountOptions = mountOptionsFor(resolved);
  for (const spec of apiRoutes(resolved)) mountRoute(app, spec, mountOptions);
  for (const extend of deps.extensions ?? []) extend(app, resolved);
  return app;
}
