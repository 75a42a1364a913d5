import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks v1 signatures (https://www.standardwebhooks.com/):
 *   webhook-id         the message id (our event id; receivers dedupe by it)
 *   webhook-timestamp  integer seconds since the epoch
 *   webhook-signature  `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`,
 *                      several space-separated while a secret is being rotated
 * The key is the base64 part of the `whsec_` secret, decoded.
 *
 * Receivers: `verifyWebhook` below (or the official `standardwebhooks` package; both agree).
 */

export const SECRET_PREFIX = 'whsec_';
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;
/** Timestamps further than this from the receiver's clock are refused (replay protection). */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

/** A new secret: `whsec_` + base64 of `bytes` random bytes (24-64; 32 by default). */
export function generateSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new RangeError(`a webhook secret has ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} random bytes`);
  }
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The HMAC key of a `whsec_` secret. Throws (without echoing the secret) when it is malformed. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new WebhookVerificationError('secret must start with whsec_');
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) throw new WebhookVerificationError('secret is not base64 after whsec_');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new WebhookVerificationError(
      `secret must decode to ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes (got ${key.length})`,
    );
  }
  return key;
}

function hmac(key: Buffer, id: string, timestampSeconds: number, body: string): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest();
}

/** One `v1,<base64>` signature. */
export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${hmac(secretKey(secret), id, timestampSeconds, body).toString('base64')}`;
}

export type SignedHeaders = {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
};

/** The three headers for a delivery, one signature per active secret (space-separated). */
export function signatureHeaders(input: {
  readonly id: string;
  readonly timestampSeconds: number;
  readonly body: string;
  readonly secrets: readonly string[];
}): SignedHeaders {
  if (input.secrets.length === 0) throw new WebhookVerificationError('no secret to sign with');
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestampSeconds),
    'webhook-signature': input.secrets
      .map((secret) => sign(secret, input.id, input.timestampSeconds, input.body))
      .join(' '),
  };
}

export interface VerifyInput {
  /** The raw request body exactly as received (verify before parsing JSON). */
  readonly body: string | Buffer;
  /** Request headers; names are matched case-insensitively. */
  readonly headers: Record<string, string | string[] | undefined> | Headers;
  /** The endpoint secret, or several during a rotation on the receiver's side. */
  readonly secret: string | readonly string[];
  /** Receiver clock, ms since the epoch. @default Date.now() */
  readonly now?: number;
  /** @default 300 */
  readonly toleranceSeconds?: number;
}

function header(headers: VerifyInput['headers'], name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

/**
 * Verify a Standard Webhooks request. Returns the message id and timestamp on
 * success; throws `WebhookVerificationError` on a missing header, a timestamp
 * outside the tolerance, or no matching `v1` signature. Comparison is
 * constant-time. Dedupe by the returned `id`: deliveries are at-least-once.
 */
export function verifyWebhook(input: VerifyInput): { id: string; timestampSeconds: number } {
  const id = header(input.headers, 'webhook-id');
  const timestamp = header(input.headers, 'webhook-timestamp');
  const signatures = header(input.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook-* headers');
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('invalid webhook-timestamp');
  const timestampSeconds = Number(timestamp);
  const nowSeconds = Math.floor((input.now ?? Date.now()) / 1000);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (nowSeconds - timestampSeconds > tolerance) throw new WebhookVerificationError('timestamp too old');
  if (timestampSeconds - nowSeconds > tolerance) throw new WebhookVerificationError('timestamp too new');

  const body = typeof input.body === 'string' ? input.body : input.body.toString('utf8');
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  const expected = secrets.map((secret) => hmac(secretKey(secret), id, timestampSeconds, body));
  for (const candidate of signatures.split(' ')) {
    const comma = candidate.indexOf(',');
    if (comma < 0 || candidate.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(candidate.slice(comma + 1), 'base64');
    for (const digest of expected) {
      if (given.length === digest.length && timingSafeEqual(given, digest)) return { id, timestampSeconds };
    }
  }
  throw new WebhookVerificationError('no matching signature');
}
