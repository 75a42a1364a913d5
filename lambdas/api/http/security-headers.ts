import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { isPersonalDataPath } from '../../core/data-classification';

/**
 * Security headers on every response of the app it is mounted on:
 * - `X-Content-Type-Options: nosniff` (a JSON answer is never sniffed into HTML or script);
 * - `Cache-Control: no-store` on personal-data paths (the one list in core/data-classification.ts),
 *   whatever the handler set: no browser or shared cache may keep a cart, an order or a profile;
 * - `Strict-Transport-Security` only when the request arrived over TLS. The app reads that from the
 *   request URL's scheme, which the server adapter derives from the transport, never from a client
 *   header: behind API Gateway (hono/aws-lambda) it is https; the local cells' node:http is http,
 *   where HSTS would be meaningless (browsers ignore it over http).
 * - `Content-Security-Policy`: nothing may load or frame an API response (`default-src 'none';
 *   frame-ancestors 'none'`); an HTML page passes its own policy (`htmlPolicy`).
 */

/** Two years, subdomains included (every cell and zone name is a subdomain of the API's domain). */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';
/** For responses that are not pages: nothing may be loaded from or frame them. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

export interface SecurityHeaderOptions {
  /** @default API_CONTENT_SECURITY_POLICY */
  readonly contentSecurityPolicy?: string;
}

export function securityHeaders(options: SecurityHeaderOptions = {}): MiddlewareHandler {
  const csp = options.contentSecurityPolicy ?? API_CONTENT_SECURITY_POLICY;
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set('X-Content-Type-Options', 'nosniff');
    headers.set('Content-Security-Policy', csp);
    if (isPersonalDataPath(c.req.path)) headers.set('Cache-Control', 'no-store');
    if (new URL(c.req.url).protocol === 'https:')
      headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
  };
}

/**
 * A restrictive policy for a self-contained HTML page: nothing but its own
 * inline script(s) and style(s), identified by their SHA-256 hashes, and
 * `fetch` to its own origin.
 */
export function htmlPolicy(inline: { scripts: readonly string[]; styles: readonly string[] }): string {
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  const scripts = inline.scripts.map(hash);
  const styles = inline.styles.map(hash);
  return [
    "default-src 'none'",
    `script-src ${scripts.join(' ') || "'none'"}`,
    `style-src ${styles.join(' ') || "'none'"}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
