import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { createServer, type Socket } from 'node:net';

/** Default for `requestTimeoutMs` (local/options.ts): API Gateway gives a client about 30 s too. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const MAX_HEADERS_TIMEOUT_MS = 10_000;

/**
 * Timeouts for every local HTTP listener, passed to `createServer`. Node's
 * defaults keep a slow-body socket for 300 s and check timeouts only every
 * 30 s; a connection that has not sent its headers within min(10 s, request
 * timeout), or its whole request within the request timeout, gets 408 and is
 * closed. Idle keep-alive connections close after 5 s (Node's default).
 */
export function listenerServerOptions(requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): ServerOptions {
  const headersTimeout = Math.min(MAX_HEADERS_TIMEOUT_MS, requestTimeoutMs);
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout,
    keepAliveTimeout: 5_000,
    // How often Node checks the two timeouts above: often enough that they hold within about a second.
    connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeout / 2)),
  };
}

/**
 * For Hono apps served by @hono/node-server: a response that leaves the
 * connection unusable says `Connection: close`. That is the case when it is
 * sent before the request body arrived (the body limit's 413, a 401 before
 * parsing: the adapter answered `keep-alive` and then cut the connection while
 * discarding the unread body, so a client that reused it got a socket error),
 * and when the client asked to switch protocols (`Upgrade`), which these
 * servers decline.
 */
export function closeIfUnreusable(
  response: Response,
  incoming: IncomingMessage | Http2ServerRequest,
): Response {
  if (incoming.complete && incoming.headers.upgrade === undefined) return response;
  const headers = new Headers(response.headers);
  headers.set('connection', 'close');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** A port the local topology wanted was taken; the message names the port and the flag that moves it. */
export class PortBusyError extends Error {
  override name = 'PortBusyError';
  constructor(
    readonly port: number,
    readonly what: string,
  ) {
    super(
      `Port ${port} (${what}) is already in use on 127.0.0.1. Stop whatever listens there, or choose other ports with --base-port <port> (ports are allocated from the base port upwards).`,
    );
  }
}

/**
 * Listen on loopback only (never 0.0.0.0) and keep track of open sockets, so
 * that `close()` really stops the listener: keep-alive connections are cut,
 * which is what "the cell is gone" looks like to a client.
 */
export class LoopbackListener {
  private readonly sockets = new Set<Socket>();
  private listening = false;

  constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly what: string,
  ) {
    if (!(server.requestTimeout > 0 && server.requestTimeout <= 120_000))
      throw new Error(
        `${what}: create its server with listenerServerOptions() (local/listener.ts) so slow clients time out`,
      );
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get isListening(): boolean {
    return this.listening;
  }

  open(): Promise<void> {
    if (this.listening) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.server.removeListener('listening', onListening);
        reject(error.code === 'EADDRINUSE' ? new PortBusyError(this.port, this.what) : error);
      };
      const onListening = () => {
        this.server.removeListener('error', onError);
        this.listening = true;
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen(this.port, '127.0.0.1');
    });
  }

  close(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
  }
}

/** Fails fast, before anything starts, when one of the planned ports is taken. */
export async function assertPortsFree(ports: readonly { port: number; what: string }[]): Promise<void> {
  for (const { port, what } of ports) {
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new PortBusyError(port, what) : error),
      );
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  }
}
