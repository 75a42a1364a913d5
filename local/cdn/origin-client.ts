import { Agent, request } from 'undici';
import type { OriginFailure, OriginTimeouts } from './vendor-rules';

/**
 * How a CDN stand-in fetches from one cell, with the topology's origin
 * timeouts: a connection timeout per attempt, `connectionAttempts` attempts,
 * and a read timeout for the answer (CloudFront's origin settings; Cloudflare's
 * cache rule sets the same read timeout).
 *
 * undici's Agent rather than `fetch`: it has separate connect and
 * first-byte timeouts with typed errors, which is exactly the difference
 * between a 502/521 and a 504/524 at a CDN; `fetch` has one abort signal.
 */

/** Response headers a proxy does not pass on (RFC 9110 section 7.6.1), and the length it recomputes. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
]);

export type OriginOutcome =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly headers: readonly (readonly [string, string])[];
      readonly body: Uint8Array;
    }
  | { readonly kind: 'unreachable'; readonly failure: OriginFailure; readonly detail: string };

function failureOf(error: unknown): { failure: OriginFailure; detail: string } {
  const code = (error as { code?: string }).code ?? (error as Error).name;
  switch (code) {
    case 'ECONNREFUSED':
      return { failure: 'refused', detail: 'connection refused' };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { failure: 'connect-timeout', detail: 'no connection within the connection timeout' };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { failure: 'read-timeout', detail: 'no answer within the read timeout' };
    default:
      return { failure: 'reset', detail: `connection broken (${code})` };
  }
}

function headerPairs(headers: Record<string, string | string[] | undefined>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) pairs.push([name, one]);
  }
  return pairs;
}

export class OriginClient {
  private readonly agent: Agent;

  constructor(
    private readonly timeouts: OriginTimeouts,
    private readonly userAgent: string,
  ) {
    this.agent = new Agent({
      connect: { timeout: timeouts.connectionTimeoutMs },
      headersTimeout: timeouts.readTimeoutMs,
      bodyTimeout: timeouts.readTimeoutMs,
      keepAliveTimeout: 4_000,
    });
  }

  /** GET or HEAD `path` (with its query) on the cell at `baseUrl`; a refused connection is retried up to the attempts. */
  async fetch(baseUrl: string, path: string, method: 'GET' | 'HEAD'): Promise<OriginOutcome> {
    let last: { failure: OriginFailure; detail: string } = { failure: 'refused', detail: 'not attempted' };
    for (let attempt = 1; attempt <= this.timeouts.connectionAttempts; attempt++) {
      try {
        const answer = await request(`${baseUrl}${path}`, {
          dispatcher: this.agent,
          method,
          headers: { 'user-agent': this.userAgent, accept: 'application/json' },
        });
        const body = new Uint8Array(await answer.body.arrayBuffer());
        return { kind: 'answer', status: answer.statusCode, headers: headerPairs(answer.headers), body };
      } catch (error) {
        last = failureOf(error);
        // Only a connection that never opened is attempted again (CloudFront's connection attempts).
        if (last.failure !== 'refused' && last.failure !== 'connect-timeout') break;
      }
    }
    return { kind: 'unreachable', ...last };
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}
