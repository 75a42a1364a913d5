import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { CATALOG_CACHE_CONTROL } from '../../lambdas/api/routes/catalog';
import { listenerServerOptions, LoopbackListener } from '../../local/listener';

/**
 * A stand-in for a cell's API as the CDN stand-ins see it, on a loopback port:
 * `/v1/products*` answers a tiny catalog with the production Cache-Control
 * header (overridable), `/v1/health` answers `healthStatus`; every request is
 * counted per path. `catalogStatus` makes the catalog fail, `hang` keeps
 * every request open, `stop()` refuses connections.
 */
export interface FakeCell {
  readonly name: string;
  readonly url: string;
  catalogStatus: number;
  healthStatus: number;
  cacheControl: string;
  hang: boolean;
  /** Requests seen, optionally only those whose path (with query) starts with `prefix`. */
  hits(prefix?: string): number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startFakeCell(name: string): Promise<FakeCell & { close(): Promise<void> }> {
  const seen: string[] = [];
  const port = await freePort();
  const cell = {
    name,
    url: `http://127.0.0.1:${port}`,
    catalogStatus: 200,
    healthStatus: 200,
    cacheControl: CATALOG_CACHE_CONTROL,
    hang: false,
  };
  const server = createHttpServer(listenerServerOptions(), (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    seen.push(path);
    if (cell.hang) return;
    if (path.startsWith('/v1/health')) {
      res.writeHead(cell.healthStatus, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: cell.healthStatus === 200 ? 'pass' : 'fail', cell: name }));
      return;
    }
    const ok = cell.catalogStatus === 200;
    res.writeHead(cell.catalogStatus, {
      'content-type': ok ? 'application/json' : 'application/problem+json',
      'cache-control': ok ? cell.cacheControl : 'no-store',
      'x-served-by': name,
    });
    res.end(
      JSON.stringify(ok ? { items: [{ id: 'p1' }], path, servedBy: name } : { status: cell.catalogStatus }),
    );
  });
  const listener = new LoopbackListener(server, port, `fake cell ${name}`);
  await listener.open();
  return Object.assign(cell, {
    hits: (prefix?: string) => seen.filter((p) => prefix === undefined || p.startsWith(prefix)).length,
    stop: () => listener.close(),
    start: () => listener.open(),
    close: () => listener.close(),
  });
}
