import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { ProblemError } from '../core/errors';
import { SERVED_BY_HEADER } from '../core/served-by';
import { type ApiDependencies, resolveDependencies } from './dependencies';
import { BODY_TOO_LARGE_DETAIL, MAX_BODY_BYTES } from './http/body-limit';
import { correlation } from './http/correlation';
import type { AppEnv } from './http/env';
import { handleError, problemResponse } from './http/problem';
import { mountRoute } from './http/route';
import { securityHeaders } from './http/security-headers';
import { mountOptionsFor } from './mount-options';
import { API_ROUTES } from './routes';

export type { ApiDependencies } from './dependencies';

export { MAX_BODY_BYTES } from './http/body-limit';

export function createApp(deps: ApiDependencies): Hono<AppEnv> {
  const resolved = resolveDependencies(deps);
  const app = new Hono<AppEnv>();
  app.use(securityHeaders());
  app.use(correlation(resolved.logger, resolved.metrics));
  const cell = `${resolved.config.CELL_ZONE}/${resolved.config.CELL_REGION}`;
  app.use(async (c, next) => {
    await next();
    c.header(SERVED_BY_HEADER, cell);
  });
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ProblemError('payload_too_large', BODY_TOO_LARGE_DETAIL);
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

  const mountOptions = mountOptionsFor(resolved);
  for (const family of API_ROUTES) {
    const handlers = family.bind(resolved);
    for (const [name, contract] of Object.entries(family.contracts)) {
      mountRoute(app, contract, handlers[name]!, mountOptions);
    }
  }
  return app;
}
