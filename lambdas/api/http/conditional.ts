import { createHash } from 'node:crypto';
import type { ApiResult } from './route';

/**
 * Conditional GETs (RFC 9110 §8.8.3, §13.1.2): a strong entity tag derived from the representation's
 * bytes, so every cell of a zone answers the same tag for the same content (no per-cell version or
 * timestamp), and a matching `If-None-Match` answered 304 with no body.
 */

/** A strong entity tag of `body`: the quoted base64url SHA-256 of its bytes. */
export function strongEntityTag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * Whether `ifNoneMatch` (a list of entity tags, or `*`) matches `etag`. If-None-Match uses the weak
 * comparison: `W/"x"` matches `"x"`.
 */
export function ifNoneMatchMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const value = ifNoneMatch.trim();
  if (value === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return (value.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => opaque(tag) === wanted);
}

/**
 * The JSON answer of a conditional read: a 200 carries `ETag`; when the request's `If-None-Match`
 * matches, 304 with the headers a 200 would carry (`ETag`, `Cache-Control`) and no body. Other
 * statuses are answered as they are.
 */
export function conditionalJsonResult(result: ApiResult, ifNoneMatch: string | undefined): Response {
  const body = JSON.stringify(result.body);
  if (result.status !== 200) {
    return new Response(body, {
      status: result.status,
      headers: { 'Content-Type': 'application/json', ...result.headers },
    });
  }
  const etag = strongEntityTag(body);
  if (ifNoneMatchMatches(ifNoneMatch, etag)) {
    return new Response(null, { status: 304, headers: { ...result.headers, ETag: etag } });
  }
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': 'application/json', ...result.headers, ETag: etag },
  });
}
