import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { type NetworkMode, portOf, refusalOf } from './ssrf';

/** What the dispatcher needs from HTTP: one POST. Injected; tests pass a fake. */
export interface HttpRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  /** Extra cancellation (tests, shutdown). */
  readonly signal?: AbortSignal;
}
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** At most `MAX_READ_BYTES` of the body. */
  readonly body: string;
}
export type HttpPoster = (request: HttpRequest) => Promise<HttpResponse>;

export type HttpFailureKind = 'timeout' | 'network' | 'unsafe_destination';
export class HttpFailure extends Error {
  override name = 'HttpFailure';
  constructor(
    readonly kind: HttpFailureKind,
    message: string,
  ) {
    super(message);
  }
}

const MAX_READ_BYTES = 16 * 1024;

/**
 * A DNS lookup that refuses disallowed addresses at connect time. Because the
 * socket connects to the address this function returned, a host that
 * re-resolves to 169.254.169.254 after registration (DNS rebinding) is
 * refused here, not just at registration. `port` is the URL's port (the local
 * topology allows loopback on its sink port only).
 */
export function guardedLookup(mode: NetworkMode, port: number): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as { address: string; family: number }[];
      for (const entry of list) {
        const refusal = refusalOf(entry.address, port, mode);
        if (refusal) {
          const failure = new HttpFailure('unsafe_destination', `${hostname} ${refusal}; refused`);
          return callback(failure as NodeJS.ErrnoException, '', 0);
        }
      }
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address`) as NodeJS.ErrnoException, '', 0);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Production poster on node:http(s): SSRF-guarded lookup, a hard timeout over
 * the whole exchange, body read capped at 16 KiB, no redirects followed
 * (a 3xx is a failed attempt, as Standard Webhooks suggests).
 */
export function createHttpPoster(options: { mode: NetworkMode }): HttpPoster {
  return (req) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(req.url);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const port = portOf(url);
      const refusal = isIP(host) ? refusalOf(host, port, options.mode) : undefined;
      if (refusal) return reject(new HttpFailure('unsafe_destination', `${host} ${refusal}; refused`));
      const lookup = guardedLookup(options.mode, port);
      const signals = [AbortSignal.timeout(req.timeoutMs), ...(req.signal ? [req.signal] : [])];
      const signal = AbortSignal.any(signals);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const outgoing = send(
        url,
        {
          method: 'POST',
          headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
          lookup,
          signal,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            if (size < MAX_READ_BYTES) chunks.push(chunk);
            size += chunk.length;
          });
          response.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({
              status: response.statusCode ?? 0,
              headers,
              body: Buffer.concat(chunks).subarray(0, MAX_READ_BYTES).toString('utf8'),
            });
          });
          response.on('error', (error) => reject(classify(error, signal)));
        },
      );
      outgoing.on('error', (error) => reject(classify(error, signal)));
      outgoing.end(req.body);
    });
}

function classify(error: Error, signal: AbortSignal): HttpFailure {
  if (error instanceof HttpFailure) return error;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof HttpFailure) return cause;
  if (signal.aborted) return new HttpFailure('timeout', 'no response within the timeout');
  return new HttpFailure('network', `${(error as NodeJS.ErrnoException).code ?? error.name}`);
}
