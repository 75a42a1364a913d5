import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareHandler } from 'hono';
import { resolveCorrelationId } from '../../core/correlation';
import { isProblemError } from '../../core/errors';
import { REPLAYED_HEADER } from '../../core/idempotency';
import { type AppEnv, requestLogger } from './env';
import { type ApiMetrics, noMetrics } from './metrics';

/**
 * First middleware: resolves the correlation id (x-correlation-id, else the
 * traceparent trace id, else new), returns it on every response, and logs one
 * structured line and one set of EMF metrics per request.
 */
export function correlation(logger: Logger, metrics: ApiMetrics = noMetrics): MiddlewareHandler<AppEnv> {
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
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const problemCode = isProblemError(c.error) ? c.error.code : undefined;
    log.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs,
      ...(problemCode ? { problemCode } : {}),
      ...(trace ? { traceId: trace.traceId } : {}),
    });
    metrics.observe({
      status: c.res.status,
      durationMs,
      replayed: c.res.headers.get(REPLAYED_HEADER) === 'true',
      ...(problemCode ? { problemCode } : {}),
    });
  };
}
