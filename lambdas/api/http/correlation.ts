import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareHandler } from 'hono';
import { resolveCorrelationId } from '../../core/correlation';
import { type AppEnv, requestLogger } from './env';

/**
 * First middleware: resolves the correlation id (x-correlation-id, else the
 * traceparent trace id, else new), returns it on every response, and logs one
 * structured line per request with it.
 */
export function correlation(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const { correlationId, trace } = resolveCorrelationId(
      c.req.header('x-correlation-id'),
      c.req.header('traceparent'),
    );
    c.set('correlationId', correlationId);
    const log = requestLogger(logger, correlationId);
    c.set('log', log);
    await next();
    c.res.headers.set('x-correlation-id', correlationId);
    log.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(trace ? { traceId: trace.traceId } : {}),
    });
  };
}
