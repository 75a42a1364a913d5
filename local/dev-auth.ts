import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { z } from 'zod';
import { CUSTOMER_SCOPES } from '../lambdas/core/scopes';

/**
 * SIMULATED identity provider for the local topology: one ES256 key pair made
 * at boot (never written to disk), its public JWKS handed to every cell as
 * AUTH_JWKS_JSON, and bearer tokens minted on request through the loopback
 * control API (POST /control/tokens). The cells verify these tokens with the
 * production verifier; only the issuer is a stand-in.
 */

export const LOCAL_ISSUER = 'https://auth.local.invalid/';
export const LOCAL_AUDIENCE = 'commerce-api';

export const tokenRequestSchema = z.strictObject({
  subject: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 chars of A-Z, a-z, 0-9, _ and -'),
  scopes: z.array(z.string().min(1)).default([...CUSTOMER_SCOPES]),
  homeZone: z.string().min(1).optional(),
  ttlSeconds: z.number().int().min(60).max(86_400).default(3600),
});
export type TokenRequest = z.input<typeof tokenRequestSchema>;

export interface LocalIssuer {
  /** The environment every cell gets so that its verifier trusts this issuer. */
  readonly cellEnvironment: Record<'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'AUTH_JWKS_JSON', string>;
  issue(request: TokenRequest): Promise<{ token: string; expiresIn: number }>;
}

export async function createLocalIssuer(): Promise<LocalIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `local-${Date.now().toString(36)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    cellEnvironment: {
      AUTH_ISSUER: LOCAL_ISSUER,
      AUTH_AUDIENCE: LOCAL_AUDIENCE,
      AUTH_JWKS_JSON: JSON.stringify({ keys: [jwk] }),
    },
    async issue(input) {
      const request = tokenRequestSchema.parse(input);
      const token = await new SignJWT({
        scope: request.scopes.join(' '),
        ...(request.homeZone ? { home_zone: request.homeZone } : {}),
      })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(request.subject)
        .setIssuedAt()
        .setExpirationTime(`${request.ttlSeconds}s`)
        .sign(privateKey);
      return { token, expiresIn: request.ttlSeconds };
    },
  };
}
