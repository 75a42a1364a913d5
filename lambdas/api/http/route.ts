import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { CommitResult, Mutation } from '../../adapters/mutation';
import { isPersonalDataPath } from '../../core/data-classification';
import { ProblemError } from '../../core/errors';
import { type AccessTokenVerifier, authenticate, requireScope } from './auth';
import type { AppEnv, Principal, RequestLogger } from './env';
import { idempotency } from './idempotency';

/**
 * A route described once: method, path, input schemas, responses, scope and
 * whether it mutates. `mountRoute` turns it into Hono middleware in a fixed
 * order (auth, scope, body parsing, validation, residency, idempotency,
 * handler), and scripts/openapi.ts turns the same description into the
 * OpenAPI document, so the two cannot drift.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly contentType?: string;
}

export interface ApiResult {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly principal: Principal | undefined;
  readonly correlationId: string;
  readonly log: RequestLogger;
  readonly c: Context<AppEnv>;
}

export interface RouteContext<P, Q, B> extends RouteInput<P, Q, B> {
  /** The authenticated principal (throws on public routes). */
  readonly caller: Principal;
  /**
   * Commits the mutation with the idempotency completion for `result` in the
   * same transaction, then returns `result` for the handler to answer with.
   */
  commit(mutation: Omit<Mutation, 'completion' | 'correlationId'>, result: ApiResult): Promise<ApiResult>;
}

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  readonly method: Method;
  /** OpenAPI-style path, e.g. /v1/carts/{cartId}. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** Required OAuth scope; omit for public routes. */
  readonly scope?: string;
  /** Mutating routes require Idempotency-Key and commit through `ctx.commit`. */
  readonly mutating: boolean;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /**
   * On a personal-data path, what tells the cell the customer's home zone. 'token': the `home_zone` claim,
   * which must be present. 'precondition': the route's precondition decides (creating a profile: the
   * body's country); a claim, when present, is still checked. @default 'token'
   */
  readonly homeZoneFrom?: 'token' | 'precondition';
  /** Checks that must pass before anything is written (e.g. residency); runs before the key is taken. */
  readonly precondition?: (input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>) => void | Promise<void>;
  readonly handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<ApiResult>;
}

export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec<P, Q, B> {
  return spec;
}

export interface MountOptions {
  readonly verifier: AccessTokenVerifier;
  readonly idempotencyStore: Parameters<typeof idempotency>[0];
  readonly commitMutation: (mutation: Mutation) => Promise<CommitResult>;
  /** Residency: the zone this cell serves and where every other zone's endpoint is. */
  readonly residency: { readonly zone: string; readonly endpoints: Readonly<Record<string, string>> };
}

const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;.*)?$/i;

export function honoPath(openApiPath: string): string {
  return openApiPath.replace(/\{([^}]+)\}/g, ':$1');
}

function validationProblem(where: string, error: z.ZodError): ProblemError {
  const errors = error.issues.slice(0, 20).map((issue) => ({
    location: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  return new ProblemError('validation_failed', errors.map((e) => `${e.location}: ${e.message}`).join('; '), {
    errors,
  });
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> {
  if (!schema) return undefined as z.output<T>;
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(where, result.error);
  return result.data;
}

/** A customer homed in another zone is refused before anything is written. */
export function assertResidency(homeZone: string, residency: MountOptions['residency']): void {
  if (homeZone === residency.zone) return;
  const endpoint = residency.endpoints[homeZone];
  throw new ProblemError(
    'misdirected_request',
    `this customer's personal data lives in zone ${homeZone}; send the request to ${endpoint ?? `the ${homeZone} zone`}`,
    { zone: homeZone, ...(endpoint ? { endpoint } : {}) },
  );
}

/**
 * Fails closed: a personal-data request whose token names no home zone is refused, because the cell
 * cannot tell whether it may hold that customer's data.
 */
function assertTokenResidency(
  principal: Principal | undefined,
  homeZoneFrom: 'token' | 'precondition',
  residency: MountOptions['residency'],
): void {
  if (principal?.homeZone !== undefined) assertResidency(principal.homeZone, residency);
  else if (homeZoneFrom === 'token')
    throw new ProblemError(
      'home_zone_unknown',
      'the access token carries no home_zone claim, so this cell cannot tell whether it may hold this ' +
        "customer's personal data; have the identity provider issue the home_zone claim " +
        '(locally: npm run token:dev -- --home-zone <zone>)',
    );
}

export function jsonResult(result: ApiResult): Response {
  return new Response(JSON.stringify(result.body), {
    status: result.status,
    headers: { 'Content-Type': 'application/json', ...result.headers },
  });
}

export function mountRoute(app: Hono<AppEnv>, spec: RouteSpec, options: MountOptions): void {
  const chain: MiddlewareHandler<AppEnv>[] = [];
  // Residency guards the personal-data paths of core/data-classification.ts (the same list the CDN rules use).
  const carriesPersonalData = isPersonalDataPath(spec.path);
  const homeZoneFrom = spec.homeZoneFrom ?? 'token';
  if (spec.scope) chain.push(authenticate(options.verifier), requireScope(spec.scope));

  chain.push(async (c, next) => {
    let bodyValue: unknown;
    if (spec.body || spec.mutating) {
      const raw = await c.req.text();
      c.set('rawBody', raw);
      if (spec.body) {
        if (raw.length > 0) {
          const contentType = c.req.header('content-type') ?? '';
          if (!JSON_CONTENT_TYPE.test(contentType))
            throw new ProblemError(
              'unsupported_media_type',
              `send Content-Type: application/json, not "${contentType}"`,
            );
          try {
            bodyValue = JSON.parse(raw);
          } catch {
            throw new ProblemError('malformed_json', 'the body could not be parsed as JSON');
          }
        }
      }
    }
    const principal = c.get('principal');
    const input: RouteInput<unknown, unknown, unknown> = {
      params: spec.params ? parse(spec.params, c.req.param(), 'path') : undefined,
      query: spec.query ? parse(spec.query, c.req.query(), 'query') : undefined,
      body: parse(spec.body, bodyValue, 'body'),
      principal,
      correlationId: c.get('correlationId'),
      log: c.get('log'),
      c,
    };
    if (carriesPersonalData) assertTokenResidency(principal, homeZoneFrom, options.residency);
    await spec.precondition?.(input as never);
    c.set('routeInput', input);
    await next();
  });

  if (spec.mutating) chain.push(idempotency(options.idempotencyStore));

  chain.push(async (c) => {
    const input = c.get('routeInput') as RouteInput<unknown, unknown, unknown>;
    const ctx: RouteContext<unknown, unknown, unknown> = {
      ...input,
      get caller() {
        if (!input.principal)
          throw new Error(`route ${spec.operationId} has no scope but asks for the caller`);
        return input.principal;
      },
      commit: async (mutation, result) => {
        const handle = c.get('idempotency');
        const body = JSON.stringify(result.body);
        await options.commitMutation({
          ...mutation,
          correlationId: input.correlationId,
          ...(handle
            ? {
                completion: handle.completion({
                  status: result.status,
                  body,
                  headers: { 'content-type': 'application/json', ...lowerCaseKeys(result.headers) },
                }),
              }
            : {}),
        });
        handle?.markCommitted();
        return result;
      },
    };
    return jsonResult(await spec.handler(ctx as never));
  });

  const [first, ...rest] = chain;
  app.on([spec.method.toUpperCase()], [honoPath(spec.path)], first!, ...rest);
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}
