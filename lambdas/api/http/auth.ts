import type { MiddlewareHandler } from 'hono';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { ProblemError } from '../../core/errors';
import type { AppEnv, Principal } from './env';

/**
 * Bearer JWT authentication: signature against a JWKS, issuer, audience and
 * expiry checked by jose; scopes from the `scope` (space-separated) or `scp`
 * claim; the `home_zone` claim names the customer's residency zone (personal-data routes refuse a
 * token without it, sign-up excepted: see route.ts).
 */
export interface AccessTokenVerifier {
  verify(token: string): Promise<Principal>;
}

export interface JwksVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly keys: JWTVerifyGetKey;
  /** Injectable clock (ms) so tests can move time. */
  readonly now?: () => number;
}

const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];
const WWW_AUTHENTICATE = { 'WWW-Authenticate': 'Bearer realm="commerce"' };

function unauthorized(detail: string): ProblemError {
  return new ProblemError('unauthorized', detail, {}, WWW_AUTHENTICATE);
}

export function jwksVerifier(options: JwksVerifierOptions): AccessTokenVerifier {
  return {
    async verify(token) {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, options.keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ALGORITHMS,
          clockTolerance: 5,
          requiredClaims: ['sub', 'exp'],
          ...(options.now ? { currentDate: new Date(options.now()) } : {}),
        }));
      } catch (error) {
        throw unauthorized(
          `the bearer token is not valid (${(error as { code?: string }).code ?? 'invalid'})`,
        );
      }
      const scopes =
        typeof payload.scope === 'string'
          ? payload.scope.split(' ')
          : Array.isArray(payload.scp)
            ? payload.scp.filter((s): s is string => typeof s === 'string')
            : [];
      return {
        subject: payload.sub as string,
        scopes: new Set(scopes.filter(Boolean)),
        ...(typeof payload.home_zone === 'string' ? { homeZone: payload.home_zone } : {}),
      };
    },
  };
}

export function localJwksVerifier(
  jwks: JSONWebKeySet,
  options: Omit<JwksVerifierOptions, 'keys'>,
): AccessTokenVerifier {
  return jwksVerifier({ ...options, keys: createLocalJWKSet(jwks) });
}

export function remoteJwksVerifier(
  url: string,
  options: Omit<JwksVerifierOptions, 'keys'>,
): AccessTokenVerifier {
  return jwksVerifier({ ...options, keys: createRemoteJWKSet(new URL(url)) });
}

/** Fails closed: used when the cell has no key source configured. */
export const denyAllVerifier: AccessTokenVerifier = {
  async verify() {
    throw unauthorized('this cell has no token keys configured (AUTH_JWKS_URL or AUTH_JWKS_JSON)');
  },
};

/** Requires a valid bearer token and sets `principal`. */
export function authenticate(verifier: AccessTokenVerifier): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const match = header ? /^Bearer ([A-Za-z0-9_\-.=]+)$/i.exec(header.trim()) : null;
    if (!match) throw unauthorized('send Authorization: Bearer <token>');
    c.set('principal', await verifier.verify(match[1]!));
    await next();
  };
}

/** Requires the scope on the authenticated principal (use after `authenticate`). */
export function requireScope(scope: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.get('principal')?.scopes.has(scope)) {
      throw new ProblemError('forbidden', `the token lacks the scope ${scope}`, { requiredScope: scope });
    }
    await next();
  };
}
