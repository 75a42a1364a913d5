import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, SignJWT } from 'jose';
import { z } from 'zod';
import { type AccessTokenVerifier, localJwksVerifier } from '../lambdas/api/http/auth';
import type { CellAuthFacts } from '../lambdas/core/cell-config';
import { CUSTOMER_SCOPES } from '../lambdas/core/scopes';

/**
 * The one SIMULATED identity provider of the project: an ES256 key pair made
 * in memory (never written to disk), its public JWKS handed to every cell as
 * AUTH_JWKS_JSON, and bearer tokens signed with the private key. The local
 * topology mints them through its loopback control API (POST /control/tokens,
 * `npm run token:dev`); tests and benches mint them directly. The cells
 * verify them with the production verifier; only the issuer is a stand-in.
 */

/** The runtime's own defaults (lambdas/core/cell-config.ts), so a cell without AUTH_* set trusts the same names. */
export const LOCAL_ISSUER = 'https://auth.local.invalid/';
export const LOCAL_AUDIENCE = 'commerce-api';

export interface DevKeys {
  readonly privateJwk: JWK;
  readonly jwks: JSONWebKeySet;
}

/** A fresh key pair, in memory. */
export async function generateDevKeys(): Promise<DevKeys> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `local-${Date.now().toString(36)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { privateJwk, jwks: { keys: [publicJwk] } };
}

export interface DevTokenClaims {
  readonly subject: string;
  /** @default CUSTOMER_SCOPES */
  readonly scopes?: readonly string[];
  /** The `home_zone` claim; without it the cells accept the token only for creating a customer profile. */
  readonly homeZone?: string;
  /** @default 3600 */
  readonly ttlSeconds?: number;
  /** Issue time (ms since epoch). @default Date.now() */
  readonly now?: number;
  /** For tests of the verifier's refusals. @default LOCAL_ISSUER */
  readonly issuer?: string;
  /** For tests of the verifier's refusals. @default LOCAL_AUDIENCE */
  readonly audience?: string;
}

export async function mintDevToken(keys: DevKeys, claims: DevTokenClaims): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'ES256');
  const issuedAt = Math.floor((claims.now ?? Date.now()) / 1000);
  return new SignJWT({
    scope: (claims.scopes ?? CUSTOMER_SCOPES).join(' '),
    ...(claims.homeZone ? { home_zone: claims.homeZone } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid: keys.privateJwk.kid, typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(claims.issuer ?? LOCAL_ISSUER)
    .setAudience(claims.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (claims.ttlSeconds ?? 3600))
    .sign(key);
}

/** The production verifier, trusting these keys (what a cell given `authFacts(keys)` builds). */
export function devVerifier(keys: DevKeys, now?: () => number): AccessTokenVerifier {
  return localJwksVerifier(keys.jwks, {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    ...(now ? { now } : {}),
  });
}

/** What a cell needs to trust these keys; `cellEnvironment` turns it into AUTH_* variables. */
export function authFacts(keys: DevKeys): CellAuthFacts {
  return { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, jwksJson: JSON.stringify(keys.jwks) };
}

/** Body of POST /control/tokens. */
export const tokenRequestSchema = z.strictObject({
  subject: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 chars of A-Z, a-z, 0-9, _ and -'),
  scopes: z.array(z.string().min(1)).default([...CUSTOMER_SCOPES]),
  homeZone: z.string().min(1).optional(),
  ttlSeconds: z.number().int().min(60).max(86_400).default(3600),
});
export type TokenRequest = z.input<typeof tokenRequestSchema>;

export interface LocalIssuer {
  /** What every cell gets so that its verifier trusts this issuer. */
  readonly auth: CellAuthFacts;
  issue(request: TokenRequest): Promise<{ token: string; expiresIn: number }>;
}

/** The local topology's issuer: fresh keys at boot, tokens on request. */
export async function createLocalIssuer(keys?: DevKeys): Promise<LocalIssuer> {
  const signing = keys ?? (await generateDevKeys());
  return {
    auth: authFacts(signing),
    async issue(input) {
      const request = tokenRequestSchema.parse(input);
      const token = await mintDevToken(signing, {
        subject: request.subject,
        scopes: request.scopes,
        ...(request.homeZone ? { homeZone: request.homeZone } : {}),
        ttlSeconds: request.ttlSeconds,
      });
      return { token, expiresIn: request.ttlSeconds };
    },
  };
}
