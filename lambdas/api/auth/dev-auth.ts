import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, SignJWT } from 'jose';
import { CUSTOMER_SCOPES } from '../../core/scopes';
import { type AccessTokenVerifier, localJwksVerifier } from '../http/auth';

/**
 * LOCAL ONLY: a development signing key in `.local/dev-keys/` (git-ignored),
 * generated on first use. The local topology verifies with the public JWKS;
 * scripts/mint-dev-token.ts signs tokens with the private key. Never deploy it.
 */
export const DEV_KEYS_DIR = resolve(__dirname, '..', '..', '..', '.local', 'dev-keys');
/** Matches the AUTH_ISSUER / AUTH_AUDIENCE defaults of core/cell-config.ts. */
export const DEV_ISSUER = 'https://auth.local.invalid/';
export const DEV_AUDIENCE = 'commerce-api';
const KID = 'dev-es256';

export interface DevKeys {
  readonly privateJwk: JWK;
  readonly jwks: JSONWebKeySet;
}

/** Generates a key pair in memory (tests) — nothing touches the disk. */
export async function generateDevKeys(): Promise<DevKeys> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: KID, alg: 'ES256' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'ES256', use: 'sig' };
  return { privateJwk, jwks: { keys: [publicJwk] } };
}

/** Reads the dev keys from `dir`, generating them on first use. */
export async function ensureDevKeys(dir: string = DEV_KEYS_DIR): Promise<DevKeys> {
  const privatePath = join(dir, 'private.jwk.json');
  const jwksPath = join(dir, 'jwks.json');
  if (existsSync(privatePath) && existsSync(jwksPath)) {
    return {
      privateJwk: JSON.parse(readFileSync(privatePath, 'utf8')) as JWK,
      jwks: JSON.parse(readFileSync(jwksPath, 'utf8')) as JSONWebKeySet,
    };
  }
  const keys = await generateDevKeys();
  mkdirSync(dir, { recursive: true });
  writeFileSync(privatePath, `${JSON.stringify(keys.privateJwk, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(jwksPath, `${JSON.stringify(keys.jwks, null, 2)}\n`);
  return keys;
}

export interface DevTokenClaims {
  readonly subject: string;
  readonly scopes?: readonly string[];
  readonly homeZone?: string;
  readonly ttlSeconds?: number;
  readonly issuer?: string;
  readonly audience?: string;
  /** Issue time (ms since epoch). @default Date.now() */
  readonly now?: number;
}

export async function mintDevToken(keys: DevKeys, claims: DevTokenClaims): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'ES256');
  const issuedAt = Math.floor((claims.now ?? Date.now()) / 1000);
  return new SignJWT({
    scope: (claims.scopes ?? CUSTOMER_SCOPES).join(' '),
    ...(claims.homeZone ? { home_zone: claims.homeZone } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(claims.issuer ?? DEV_ISSUER)
    .setAudience(claims.audience ?? DEV_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (claims.ttlSeconds ?? 3600))
    .sign(key);
}

export function devVerifier(keys: DevKeys, now?: () => number): AccessTokenVerifier {
  return localJwksVerifier(keys.jwks, {
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    ...(now ? { now } : {}),
  });
}
