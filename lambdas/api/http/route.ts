import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { CommitResult, Mutation } from '../../adapters/mutation';
import { isPersonalDataPath } from '../../core/data-classification';
import { ProblemError } from '../../core/errors';
import type { WriterFence } from '../../core/writer-fence';
import { type AccessTokenVerifier, authenticate, requireScope } from './auth';
import { conditionalJsonResult } from './conditional';
import type { ResolvedDependencies } from '../dependencies';
import type { AppEnv, Principal, RequestLogger } from './env';
import { idempotency } from './idempotency';

/**
 * A route is a static contract (method, path, schemas, responses, scope, whether it mutates, where a
 * personal-data route reads the home zone) with its implementation bound at mount. One list of route
 * families (routes/index.ts) feeds `mountRoute` (Hono middleware in a fixed order: auth, scope, body
 * parsing, validation, residency, idempotency, handler) and the OpenAPI document, so the two cannot drift,
 * and printing the document needs no runtime dependency.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A response header the contract documents (its value is a string). */
export interface HeaderSpec {
  readonly description: string;
}

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly contentType?: string;
  /** Headers the response carries, documented in the contract. @default none */
  readonly headers?: Readonly<Record<string, HeaderSpec>>;
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
  /** The request's Idempotency-Key (throws on routes that do not mutate). */
  readonly idempotencyKey: string;
  /**
   * Commits the mutation with the idempotency completion for `result` in the
   * same transaction, then returns `result` for the handler to answer with.
   */
  commit(mutation: Omit<Mutation, 'completion' | 'correlationId'>, result: ApiResult): Promise<ApiResult>;
}

export interface RouteContract<
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
   * On a personal-data path (core/data-classification.ts), what tells the cell the customer's home zone.
   * 'token': the `home_zone` claim, which must be present. 'precondition': the route's precondition decides
   * (creating a profile: the body's country); a claim, when present, is still checked. @default 'token'
   */
  readonly homeZoneFrom?: 'token' | 'precondition';
  /**
   * A read whose 200 carries a strong `ETag` computed from its body, and answers a request whose
   * `If-None-Match` matches it with 304 and no body (http/conditional.ts). @default false
   */
  readonly conditional?: boolean;
}

/** Declares a contract (an identity function that infers the schema types). */
export function contract<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteContract<P, Q, B>,
): RouteContract<P, Q, B> {
  return spec;
}

type Out<T> = T extends z.ZodType ? z.output<T> : never;
export type InputOf<C> =
  C extends RouteContract<infer P, infer Q, infer B> ? RouteInput<Out<P>, Out<Q>, Out<B>> : never;
export type ContextOf<C> =
  C extends RouteContract<infer P, infer Q, infer B> ? RouteContext<Out<P>, Out<Q>, Out<B>> : never;

/** What a contract is bound to at mount. */
export interface RouteImplementation<C extends RouteContract> {
  /** Checks that must pass before anything is written (e.g. residency); runs before the key is taken. */
  precondition?(input: InputOf<C>): void | Promise<void>;
  handle(ctx: ContextOf<C>): Promise<ApiResult>;
}

export type Contracts = Readonly<Record<string, RouteContract>>;
export type Handlers<Cs extends Contracts> = { readonly [K in keyof Cs]: RouteImplementation<Cs[K]> };

/** A module's contracts and how to bind their handlers to a cell's dependencies. */
export interface RouteFamily<Cs extends Contracts = Contracts> {
  readonly contracts: Cs;
  bind(deps: ResolvedDependencies): Handlers<Cs>;
}

export interface MountOptions {
  readonly verifier: AccessTokenVerifier;
  readonly idempotencyStore: Parameters<typeof idempotency>[0];
  readonly commitMutation: (mutation: Mutation) => Promise<CommitResult>;
  /** Residency: the zone this cell serves and where every other zone's endpoint is. */
  readonly residency: { readonly zone: string; readonly endpoints: Readonly<Record<string, string>> };
  /** Mutating routes run only while this cell is its zone's writer. */
  readonly writerFence: WriterFence;
}

/** A cell that is not its zone's writer refuses a write before it takes the key (nothing is written). */
function writerOnly(fence: WriterFence, zone: string): MiddlewareHandler<AppEnv> {
  return async (_c, next) => {
    const { writer, reason } = await fence.state();
    if (!writer)
      throw new ProblemError(
        'not_writer',
        `this cell does not take writes now (${reason ?? 'fenced'}); retry, or send the request to the zone endpoint, which routes to the writer`,
        { zone },
        { 'Retry-After': '1' },
      );
    await next();
  };
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

export function mountRoute(
  app: Hono<AppEnv>,
  spec: RouteContract,
  implementation: RouteImplementation<RouteContract>,
  options: MountOptions,
): void {
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
    await implementation.precondition?.(input);
    c.set('routeInput', input);
    await next();
  });

  if (spec.mutating) {
    chain.push(writerOnly(options.writerFence, options.residency.zone));
    chain.push(idempotency(options.idempotencyStore));
  }

  chain.push(async (c) => {
    const input = c.get('routeInput') as RouteInput<unknown, unknown, unknown>;
    const ctx: RouteContext<unknown, unknown, unknown> = {
      ...input,
      get caller() {
        if (!input.principal)
          throw new Error(`route ${spec.operationId} has no scope but asks for the caller`);
        return input.principal;
      },
      get idempotencyKey() {
        const handle = c.get('idempotency');
        if (!handle) throw new Error(`route ${spec.operationId} does not mutate but asks for its key`);
        return handle.key;
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
    const result = await implementation.handle(ctx);
    return spec.conditional
      ? conditionalJsonResult(result, c.req.header('if-none-match'))
      : jsonResult(result);
  });

  const [first, ...rest] = chain;
  app.on([spec.method.toUpperCase()], [honoPath(spec.path)], first!, ...rest);
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}
