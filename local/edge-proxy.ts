import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, errors } from 'undici';
import { MAX_BODY_BYTES } from '../lambdas/api/http/body-limit';
import { SERVED_BY_HEADER } from '../lambdas/core/served-by';

/**
 * The edge router's HTTP forwarding (SIMULATED network between a client and a
 * cell): node:http on the client side, undici's Agent towards the cells.
 *
 * Why undici's Agent rather than `fetch` or a proxy library: `fetch` refuses
 * TRACE and an `Expect` header (both became 502s) and wants whole bodies or
 * web streams; undici's `request` takes the client's body as a Node stream
 * (no buffering), pools keep-alive connections per cell, and reports
 * timeouts as typed errors. Proxy libraries (http-proxy is unmaintained,
 * http-proxy-3 is young) would add websocket/redirect machinery this router
 * does not need while leaving the parts that matter here to us anyway: the
 * body cap, the problem+json refusals and the `x-served-by` tagging.
 *
 * Rules (an ordinary client never gets a 5xx while its cell is up):
 * - bodies are capped at the API's own limit (MAX_BODY_BYTES, one constant):
 *   a declared Content-Length above it is refused with 413 before a byte is
 *   read (before `100 Continue` when the client asked for it); a chunked body
 *   is counted while it streams to the cell and refused once it passes the cap;
 * - a refused body is discarded, never buffered: up to DRAIN_LIMIT_BYTES the
 *   connection stays usable, beyond that the answer says `Connection: close`;
 * - TRACE, TRACK, CONNECT and any method API Gateway does not forward get 405
 *   (a client's mistake is a 4xx, never a 5xx);
 * - a cell that cannot be reached gets 502, one that does not answer within
 *   API Gateway's 29 s 504; the detail never names internal errors;
 * - a client that goes away is not an error: the cell request is aborted, nothing is logged.
 */

/** Methods API Gateway (REST, ANY) forwards to the integration. */
export const FORWARDED_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Known methods that a cell must never see: request echo (cross-site tracing) and tunnels. */
const REFUSED_METHODS = new Set(['TRACE', 'TRACK', 'CONNECT']);
/** A refused body up to this size is read and discarded so the connection stays usable. */
export const DRAIN_LIMIT_BYTES = 2 * 1024 * 1024;
/** API Gateway's integration timeout. */
const UPSTREAM_TIMEOUT_MS = 29_000;

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'expect',
]);

export interface EdgeTarget {
  /** Base URL of the cell, e.g. http://127.0.0.1:4420. */
  readonly url: string;
  /** `<zone>/<region>`, sent back as `x-served-by`. */
  readonly servedBy: string;
}

class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** The declared Content-Length: a number, `undefined` when absent, NaN when unparseable. */
function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined) return undefined;
  return /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
}

/**
 * The edge does not switch protocols (API Gateway REST APIs do not either). A request that asked to
 * (`Upgrade: h2c` from `curl --http2`, websockets) is answered over HTTP/1.1 and its connection is
 * closed afterwards: Node's parser can leave a declined upgrade request's connection unusable.
 */
function askedToUpgrade(req: IncomingMessage): boolean {
  return req.headers.upgrade !== undefined;
}

/** Does the request carry a body (Content-Length > 0 or Transfer-Encoding)? */
function hasBody(req: IncomingMessage): boolean {
  const declared = declaredLength(req);
  return req.headers['transfer-encoding'] !== undefined || (declared !== undefined && declared !== 0);
}

/**
 * Reads and drops what is left of the request body. Resolves once the body
 * ended (`overLimit: false`), or as soon as more than `limit` bytes were
 * dropped (`overLimit: true`: the caller closes the connection). A client that
 * goes away resolves it too; one that stalls is cut by the listener's request
 * timeout.
 */
export function discardBody(req: IncomingMessage, limit: number): Promise<{ overLimit: boolean }> {
  if (req.complete || req.readableEnded || !hasBody(req)) {
    req.resume();
    return Promise.resolve({ overLimit: false });
  }
  return new Promise((resolve) => {
    let dropped = 0;
    const finish = (overLimit: boolean) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onEnd);
      resolve({ overLimit });
    };
    const onData = (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > limit) finish(true);
    };
    const onEnd = () => finish(false);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onEnd);
    req.resume();
  });
}

export function problemBody(status: number, code: string, title: string, detail: string): string {
  return JSON.stringify({ type: `urn:local:edge:${code}`, title, status, code, detail });
}

export interface EdgeProxyOptions {
  /** @default MAX_BODY_BYTES (the API's limit) */
  readonly maxBodyBytes?: number;
}

export class EdgeProxy {
  private readonly agent = new Agent({
    keepAliveTimeout: 4_000,
    headersTimeout: UPSTREAM_TIMEOUT_MS,
    bodyTimeout: UPSTREAM_TIMEOUT_MS,
  });
  readonly maxBodyBytes: number;

  constructor(options: EdgeProxyOptions = {}) {
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  }

  /** Drops the pooled connections to the cells (in-flight requests are aborted). */
  close(): Promise<void> {
    return this.agent.destroy();
  }

  /**
   * For the server's `checkContinue` event: refuse an oversized body before
   * the client sends it, else say `100 Continue`. Returns false when refused.
   */
  continueOrRefuse(req: IncomingMessage, res: ServerResponse, servedBy?: string): boolean {
    const declared = declaredLength(req);
    if (declared !== undefined && !(declared <= this.maxBodyBytes)) {
      // The client has not sent the body; it may still do so: close rather than read it.
      this.tooLarge(req, res, servedBy, true);
      return false;
    }
    res.writeContinue();
    return true;
  }

  /**
   * Answers a request the edge does not forward (bad method, too large, no
   * cell, cell unreachable) with problem+json. What the client still sends is
   * discarded, never buffered, and the answer waits until the body has ended:
   * answering in the middle of a body makes the client's connection unusable
   * (with `Connection: close` a reset can even beat the answer). A body that
   * is larger than DRAIN_LIMIT_BYTES, or `close`, gets the answer at once with
   * `Connection: close`.
   */
  refuse(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    code: string,
    title: string,
    detail: string,
    options: { servedBy?: string | undefined; headers?: Record<string, string>; close?: boolean } = {},
  ): void {
    const send = (close: boolean) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const body = problemBody(status, code, title, detail);
      res.writeHead(status, {
        'content-type': 'application/problem+json',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...(options.servedBy ? { [SERVED_BY_HEADER]: options.servedBy } : {}),
        ...(close || askedToUpgrade(req) ? { connection: 'close' } : {}),
        ...options.headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const declared = declaredLength(req);
    const largeUnread = !req.complete && declared !== undefined && !(declared <= DRAIN_LIMIT_BYTES);
    if (options.close || largeUnread) {
      req.resume();
      send(true);
      return;
    }
    void discardBody(req, DRAIN_LIMIT_BYTES).then(({ overLimit }) => send(overLimit));
  }

  private tooLarge(req: IncomingMessage, res: ServerResponse, servedBy: string | undefined, close = false) {
    this.refuse(
      req,
      res,
      413,
      'payload_too_large',
      'The request body is too large',
      `the request body exceeds ${this.maxBodyBytes} bytes, the API's limit; send a smaller body`,
      { servedBy, close },
    );
  }

  /** Refusals that do not depend on the target: method and declared size. True when refused. */
  screen(req: IncomingMessage, res: ServerResponse, servedBy?: string): boolean {
    const method = req.method ?? 'GET';
    if (REFUSED_METHODS.has(method)) {
      this.refuse(req, res, 405, 'method_not_allowed', 'Method not allowed', `${method} is not allowed`, {
        servedBy,
        headers: { allow: FORWARDED_METHODS.join(', ') },
      });
      return true;
    }
    if (!(FORWARDED_METHODS as readonly string[]).includes(method)) {
      // 405 rather than 501: a method the API does not serve is the client's mistake, and client
      // mistakes are 4xx (API Gateway does not forward such methods either).
      this.refuse(
        req,
        res,
        405,
        'method_not_allowed',
        'Method not allowed',
        `${method} is not a method this API serves; use ${FORWARDED_METHODS.join(', ')}`,
        { servedBy, headers: { allow: FORWARDED_METHODS.join(', ') } },
      );
      return true;
    }
    const declared = declaredLength(req);
    if (declared !== undefined && Number.isNaN(declared)) {
      this.refuse(req, res, 400, 'invalid_content_length', 'Bad request', 'Content-Length must be a number', {
        servedBy,
        close: true,
      });
      return true;
    }
    if (declared !== undefined && declared > this.maxBodyBytes) {
      this.tooLarge(req, res, servedBy);
      return true;
    }
    return false;
  }

  /** Forwards the request to the cell and streams the answer back. */
  async forward(req: IncomingMessage, res: ServerResponse, target: EdgeTarget): Promise<void> {
    const { servedBy } = target;
    if (this.screen(req, res, servedBy)) return;
    const method = req.method ?? 'GET';
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers['x-forwarded-host'] = req.headers.host ?? '';
    headers['x-forwarded-proto'] = 'http';
    // GET and HEAD bodies are discarded before forwarding (API Gateway drops them too), under the same
    // cap; other bodies stream to the cell through the cap.
    const forwardBody = method !== 'GET' && method !== 'HEAD' && hasBody(req);
    if (!forwardBody) {
      delete headers['content-length'];
      if ((await discardBody(req, this.maxBodyBytes)).overLimit) return this.tooLarge(req, res, servedBy);
    }
    const abort = new AbortController();
    let clientGone = false;
    res.once('close', () => {
      if (!res.writableFinished) {
        clientGone = true;
        abort.abort();
      }
    });
    let overflow = false;
    const capped = forwardBody ? this.cappedBody(req, () => (overflow = true)) : undefined;
    const body = capped?.body ?? null;

    try {
      const upstream = await this.agent.request({
        origin: target.url,
        path: req.url ?? '/',
        method: method as 'GET',
        headers,
        body,
        signal: abort.signal,
      });
      if (overflow) {
        upstream.body.destroy();
        return this.tooLarge(req, res, servedBy);
      }
      // The cell may answer before it read the whole body (a 401, its own 413): discard the rest of
      // the client's body and answer once it ended (see refuse()).
      capped?.stopForwarding();
      const { overLimit } = await discardBody(req, DRAIN_LIMIT_BYTES);
      const responseHeaders: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(upstream.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) responseHeaders[name] = value;
      }
      responseHeaders[SERVED_BY_HEADER] = servedBy;
      if (overLimit || askedToUpgrade(req)) responseHeaders.connection = 'close';
      res.writeHead(upstream.statusCode, responseHeaders);
      await pipeline(upstream.body, res);
    } catch (error) {
      if (clientGone) return; // the client went away: nothing to answer, nothing to log
      if (overflow || error instanceof BodyTooLargeError) return this.tooLarge(req, res, servedBy);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const timedOut =
        error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError;
      if (timedOut)
        return this.refuse(
          req,
          res,
          504,
          'cell_timeout',
          'Gateway timeout',
          `cell ${servedBy} did not answer within ${UPSTREAM_TIMEOUT_MS / 1000} s`,
          { servedBy },
        );
      return this.refuse(
        req,
        res,
        502,
        'cell_unreachable',
        'Bad gateway',
        `cell ${servedBy} cannot be reached; retry shortly (the edge fails over once health checks see the cell down)`,
        { servedBy },
      );
    }
  }

  /**
   * The client's body as a stream for the cell, counted on the way: past the
   * cap the stream fails (the cell request is aborted) and the rest of the
   * client's body is discarded. The client is never paused for longer than
   * the cell takes to read, so nothing accumulates at the edge.
   */
  private cappedBody(
    req: IncomingMessage,
    onOverflow: () => void,
  ): { body: PassThrough; stopForwarding: () => void } {
    const body = new PassThrough();
    let received = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      received += chunk.length;
      if (received > this.maxBodyBytes) {
        done = true;
        onOverflow();
        body.destroy(new BodyTooLargeError('body over the cap'));
        req.resume();
        return;
      }
      if (!body.write(chunk)) req.pause();
    });
    body.on('drain', () => {
      if (!done) req.resume();
    });
    req.once('end', () => {
      if (!done) body.end();
      done = true;
    });
    req.once('close', () => {
      if (!done && !req.complete) body.destroy(new Error('client closed the request'));
      done = true;
    });
    const stopForwarding = () => {
      if (done) return;
      done = true;
      body.destroy();
      req.resume();
    };
    return { body, stopForwarding };
  }
}

/** For the server's `connect` event: a CONNECT request gets 405 instead of a cut connection. */
export function refuseConnect(socket: Duplex): void {
  const body = problemBody(405, 'method_not_allowed', 'Method not allowed', 'CONNECT is not allowed');
  socket.end(
    `HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nAllow: ${FORWARDED_METHODS.join(', ')}\r\nConnection: close\r\n\r\n${body}`,
  );
}
