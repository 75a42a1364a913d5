import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type EdgeProxy, type EdgeTarget, refuseConnect } from './edge-proxy';
import { listenerServerOptions } from './listener';

/**
 * An edge listener (the geolocation entry point, or one zone's failover
 * name): node:http with the listener timeouts, every request either served
 * by the edge itself (`/control`, `/status`) or forwarded to the cell the
 * router picks. `Expect: 100-continue` is answered here (an oversized body is
 * refused before the client sends it) and CONNECT gets a 405.
 */
export interface EdgeServerOptions {
  readonly proxy: EdgeProxy;
  /** The cell for a request, or a servedBy name without a cell (answered 502 no_cell). */
  readonly route: (req: IncomingMessage) => EdgeTarget & { readonly found: boolean };
  /** What the edge serves itself (the control API and status page); absent on zone endpoints. */
  readonly own?: { readonly matches: (path: string) => boolean; readonly listener: RequestListener };
  readonly requestTimeoutMs: number;
}

export function createEdgeServer(options: EdgeServerOptions): Server {
  const { proxy } = options;
  const ownFor = (req: IncomingMessage) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    return options.own?.matches(path) ? options.own.listener : undefined;
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const own = ownFor(req);
    if (own) {
      if (!proxy.screen(req, res)) void own(req, res);
      return;
    }
    const target = options.route(req);
    if (!target.found) {
      proxy.refuse(req, res, 502, 'no_cell', 'Bad gateway', `no cell ${target.servedBy} in this topology`, {
        servedBy: target.servedBy,
      });
      return;
    }
    void proxy.forward(req, res, target);
  };
  const server = createServer(listenerServerOptions(options.requestTimeoutMs), handle);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const servedBy = ownFor(req) ? undefined : options.route(req).servedBy;
    if (proxy.continueOrRefuse(req, res, servedBy)) handle(req, res);
  });
  server.on('connect', (_req: IncomingMessage, socket) => refuseConnect(socket));
  return server;
}
