import * as z from 'zod';
import { ProblemError } from '../../core/errors';
import { SCOPES } from '../../core/scopes';
import {
  type AttemptLog,
  DeliveryInFlightError,
  DeliveryNotFoundError,
  type DeliveryRecord,
} from '../../core/webhooks/delivery';
import {
  createEndpointSchema,
  EndpointConflictError,
  EndpointNotFoundError,
  type EndpointRecord,
  toPublicEndpoint,
  updateEndpointSchema,
} from '../../core/webhooks/endpoint';
import { createEventPipeline } from '../../event-pipeline/pipeline';
import type { EndpointChange } from '../../webhooks/endpoints';
import { EndpointDisabledError } from '../../webhooks/operations';
import { UnsafeUrlError } from '../../webhooks/ssrf';
import { type ApiResult, contract, type RouteContext, type RouteFamily } from '../http/route';
import { AUTH_ERRORS, MUTATION_ERRORS, problemSchema } from '../schemas';

/**
 * Operator routes for webhooks: endpoint CRUD, secret rotation, delivery
 * attempts, resend, recover, DLQ. All need the `admin:webhooks` scope.
 * Endpoint changes commit with their audit entry and the idempotency
 * completion in one transaction; secrets appear in exactly two responses
 * (create, rotate) and never in the audit entry or logs.
 */

/** OAuth scope of every webhook route. */
export const WEBHOOKS_SCOPE = SCOPES.adminWebhooks;

const endpointIdSchema = z.string().regex(/^ep_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an endpoint id (ep_...)');
const deliveryIdSchema = z
  .string()
  .regex(
    /^[0-9A-HJKMNP-TV-Z]{26}_ep_[0-9A-HJKMNP-TV-Z]{26}$/,
    'must be a delivery id (<eventId>_<endpointId>)',
  );

const endpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string().optional(),
    enabled: z.boolean(),
    disabledReason: z.enum(['operator', 'gone', 'failing']).optional(),
    failingSince: z.number().optional(),
    rotatingUntil: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    revision: z.number().int(),
  })
  .meta({ id: 'WebhookEndpoint' });
const endpointWithSecretSchema = z
  .object({
    endpoint: endpointSchema,
    secret: z.string().describe('whsec_ secret; shown only in this response. Verify deliveries with it.'),
  })
  .meta({ id: 'WebhookEndpointWithSecret' });
const attemptSchema = z
  .object({
    deliveryId: z.string(),
    round: z.number().int(),
    attempt: z.number().int(),
    at: z.string(),
    responseStatus: z.number().int().nullable(),
    durationMs: z.number(),
    responseBody: z.string(),
    outcome: z.enum(['succeeded', 'retry', 'failed', 'dead']),
    nextAttemptAt: z.string().nullable(),
  })
  .meta({ id: 'WebhookAttempt' });
const deliverySchema = z
  .object({
    deliveryId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    endpointId: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed', 'dead']),
    round: z.number().int(),
    attempts: z.number().int(),
    createdAt: z.string(),
    lastAttemptAt: z.string().optional(),
    lastResponseStatus: z.number().int().nullable().optional(),
    nextAttemptAt: z.string().nullable().optional(),
    reason: z.string().nullable().optional(),
  })
  .meta({ id: 'WebhookDelivery' });
const dlqEntrySchema = z
  .object({
    deliveryId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    endpointId: z.string(),
    deadAt: z.string(),
    attempts: z.number().int(),
    lastResponseStatus: z.number().int().nullable(),
  })
  .meta({ id: 'WebhookDlqEntry' });

const endpointParams = z.strictObject({ endpointId: endpointIdSchema });
const deliveryParams = z.strictObject({ deliveryId: deliveryIdSchema });
const windowSchema = z
  .strictObject({ since: z.iso.datetime(), until: z.iso.datetime() })
  .refine((w) => w.since < w.until, 'since must be before until');
const NOT_FOUND = { 404: { description: 'No such endpoint or delivery', schema: problemSchema } } as const;

/** Domain errors of the webhook modules as problem+json. */
export function webhookProblem(error: unknown): unknown {
  if (error instanceof EndpointNotFoundError || error instanceof DeliveryNotFoundError) {
    return new ProblemError('not_found', error.message);
  }
  if (
    error instanceof EndpointConflictError ||
    error instanceof DeliveryInFlightError ||
    error instanceof EndpointDisabledError
  ) {
    return new ProblemError('conflict', error.message);
  }
  if (error instanceof UnsafeUrlError) {
    return new ProblemError('validation_failed', `body.url: ${error.message}`, {
      errors: [{ location: 'body.url', message: error.message }],
    });
  }
  return error;
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw webhookProblem(error);
  }
}

function publicView(record: EndpointRecord | null, now: number) {
  return record ? (toPublicEndpoint(record, now) as unknown as Record<string, unknown>) : null;
}

function deliveryView(record: DeliveryRecord) {
  const { envelope: _envelope, enqueued: _enqueued, leaseUntil: _lease, updatedAt: _u, ...rest } = record;
  return rest;
}

const common = { tag: 'webhooks', scope: WEBHOOKS_SCOPE } as const;

export const webhookContracts = {
  createWebhookEndpoint: contract({
    ...common,
    method: 'post',
    path: '/v1/webhooks/endpoints',
    operationId: 'createWebhookEndpoint',
    summary: 'Subscribe an https URL to event types; the signing secret is returned once',
    mutating: true,
    body: createEndpointSchema,
    responses: {
      201: { description: 'Created', schema: endpointWithSecretSchema },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
    },
  }),
  listWebhookEndpoints: contract({
    ...common,
    method: 'get',
    path: '/v1/webhooks/endpoints',
    operationId: 'listWebhookEndpoints',
    summary: 'List webhook endpoints (never their secrets)',
    mutating: false,
    responses: {
      200: {
        description: 'Endpoints',
        schema: z.object({ items: z.array(endpointSchema) }).meta({ id: 'WebhookEndpointList' }),
      },
      ...AUTH_ERRORS,
    },
  }),
  getWebhookEndpoint: contract({
    ...common,
    method: 'get',
    path: '/v1/webhooks/endpoints/{endpointId}',
    operationId: 'getWebhookEndpoint',
    summary: 'One webhook endpoint',
    mutating: false,
    params: endpointParams,
    responses: {
      200: { description: 'The endpoint', schema: endpointSchema },
      ...AUTH_ERRORS,
      ...NOT_FOUND,
    },
  }),
  updateWebhookEndpoint: contract({
    ...common,
    method: 'patch',
    path: '/v1/webhooks/endpoints/{endpointId}',
    operationId: 'updateWebhookEndpoint',
    summary: 'Change the URL, event-type filter or description',
    mutating: true,
    params: endpointParams,
    body: updateEndpointSchema,
    responses: {
      200: { description: 'Updated', schema: endpointSchema },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
      ...NOT_FOUND,
    },
  }),
  enableWebhookEndpoint: contract({
    ...common,
    method: 'post',
    path: '/v1/webhooks/endpoints/{endpointId}/enable',
    operationId: 'enableWebhookEndpoint',
    summary: 'Enable an endpoint (also clears the failing streak)',
    mutating: true,
    params: endpointParams,
    responses: {
      200: { description: 'The endpoint', schema: endpointSchema },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
      ...NOT_FOUND,
    },
  }),
  disableWebhookEndpoint: contract({
    ...common,
    method: 'post',
    path: '/v1/webhooks/endpoints/{endpointId}/disable',
    operationId: 'disableWebhookEndpoint',
    summary: 'Disable an endpoint: queued deliveries to it stop',
    mutating: true,
    params: endpointParams,
    responses: {
      200: { description: 'The endpoint', schema: endpointSchema },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
      ...NOT_FOUND,
    },
  }),
  rotateWebhookSecret: contract({
    ...common,
    method: 'post',
    path: '/v1/webhooks/endpoints/{endpointId}/rotate-secret',
    operationId: 'rotateWebhookSecret',
    summary: 'New signing secret (returned once); the old one keeps signing for 24 h',
    mutating: true,
    params: endpointParams,
    responses: {
      200: { description: 'Rotated', schema: endpointWithSecretSchema },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
      ...NOT_FOUND,
    },
  }),
  deleteWebhookEndpoint: contract({
    ...common,
    method: 'delete',
    path: '/v1/webhooks/endpoints/{endpointId}',
    operationId: 'deleteWebhookEndpoint',
    summary: 'Delete an endpoint; queued deliveries to it stop',
    mutating: true,
    params: endpointParams,
    responses: {
      200: { description: 'Deleted', schema: z.object({ id: z.string(), deleted: z.literal(true) }) },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
      ...NOT_FOUND,
    },
  }),
  listWebhookDeliveries: contract({
    ...common,
    method: 'get',
    path: '/v1/webhooks/endpoints/{endpointId}/deliveries',
    operationId: 'listWebhookDeliveries',
    summary: "An endpoint's deliveries created in [since, until)",
    mutating: false,
    params: endpointParams,
    query: windowSchema,
    responses: {
      200: {
        description: 'Deliveries',
        schema: z.object({ items: z.array(deliverySchema) }).meta({ id: 'WebhookDeliveryList' }),
      },
      ...AUTH_ERRORS,
    },
  }),
  listWebhookAttempts: contract({
    ...common,
    method: 'get',
    path: '/v1/webhooks/deliveries/{deliveryId}/attempts',
    operationId: 'listWebhookAttempts',
    summary:
      'Attempt log of one delivery: number, time, status, duration, response body (truncated), next attempt',
    mutating: false,
    params: deliveryParams,
    responses: {
      200: {
        description: 'Delivery and attempts',
        schema: z
          .object({ delivery: deliverySchema, attempts: z.array(attemptSchema) })
          .meta({ id: 'WebhookAttemptLog' }),
      },
      ...AUTH_ERRORS,
      ...NOT_FOUND,
    },
  }),
  resendWebhookDelivery: contract({
    ...common,
    method: 'post',
    path: '/v1/webhooks/deliveries/{deliveryId}/resend',
    operationId: 'resendWebhookDelivery',
    summary: 'Send one delivery again (fresh attempt budget, same webhook-id)',
    mutating: true,
    params: deliveryParams,
    responses: {
      202: { description: 'Queued', schema: deliverySchema },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
      ...NOT_FOUND,
    },
  }),
  recoverWebhookEndpoint: contract({
    ...common,
    method: 'post',
    path: '/v1/webhooks/endpoints/{endpointId}/recover',
    operationId: 'recoverWebhookEndpoint',
    summary: 'Send again every failed or dead delivery of the endpoint created in [since, until)',
    mutating: true,
    params: endpointParams,
    body: windowSchema,
    responses: {
      202: {
        description: 'Queued',
        schema: z.object({ recovered: z.array(z.string()) }).meta({ id: 'WebhookRecovery' }),
      },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
      ...NOT_FOUND,
    },
  }),
  listWebhookDlq: contract({
    ...common,
    method: 'get',
    path: '/v1/webhooks/dlq',
    operationId: 'listWebhookDlq',
    summary: 'Deliveries that exhausted their attempts',
    mutating: false,
    query: z.strictObject({
      after: deliveryIdSchema.optional(),
      limit: z.coerce.number().int().min(1).max(100).default(50),
    }),
    responses: {
      200: {
        description: 'DLQ page',
        schema: z
          .object({ items: z.array(dlqEntrySchema), nextCursor: z.string().nullable() })
          .meta({ id: 'WebhookDlqPage' }),
      },
      ...AUTH_ERRORS,
    },
  }),
  redriveWebhookDlq: contract({
    ...common,
    method: 'post',
    path: '/v1/webhooks/dlq/redrive',
    operationId: 'redriveWebhookDlq',
    summary: 'Send DLQ deliveries again (the given ones, or the oldest `limit`)',
    mutating: true,
    body: z.strictObject({
      deliveryIds: z.array(deliveryIdSchema).min(1).max(100).optional(),
      limit: z.number().int().min(1).max(100).optional(),
    }),
    responses: {
      202: {
        description: 'Queued',
        schema: z.object({ redriven: z.array(z.string()) }).meta({ id: 'WebhookRedrive' }),
      },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
    },
  }),
};

export const webhookRoutes: RouteFamily<typeof webhookContracts> = {
  contracts: webhookContracts,
  bind: (deps) => {
    const { endpoints, deliveries, operations } = createEventPipeline({
      documentClient: deps.documentClient,
      tableName: deps.table.tableName,
      cellRegion: deps.config.CELL_REGION,
      mode: deps.networkMode,
      queue: deps.webhookQueue,
      ...(deps.resolveHost ? { resolve: deps.resolveHost } : {}),
      now: deps.now,
    });

    /** Commits an endpoint change with its audit entry (no secrets in it). */
    const commitChange = (
      ctx: Pick<RouteContext<unknown, unknown, unknown>, 'commit' | 'caller'>,
      change: EndpointChange,
      action: string,
      result: ApiResult,
    ) => {
      const now = deps.now();
      const id = (change.after ?? change.before)?.id ?? 'unknown';
      return ctx.commit(
        {
          writes: [change.write],
          events: [],
          audit: {
            actor: ctx.caller.subject,
            action,
            resource: { type: 'webhook_endpoint', id },
            outcome: 'success',
            before: publicView(change.before, now),
            after: publicView(change.after, now),
          },
          onConditionFailed: () =>
            new ProblemError('conflict', `webhook endpoint ${id} changed meanwhile; re-read it and retry`),
        },
        result,
      );
    };

    return {
      createWebhookEndpoint: {
        handle: (ctx) =>
          mapped(async () => {
            const { change, secret } = await endpoints.planCreate(ctx.body);
            const endpoint = toPublicEndpoint(change.after as EndpointRecord, deps.now());
            return commitChange(ctx, change, 'webhook_endpoint.create', {
              status: 201,
              body: { endpoint, secret },
            });
          }),
      },
      listWebhookEndpoints: {
        handle: async () => ({ status: 200, body: { items: await endpoints.list() } }),
      },
      getWebhookEndpoint: {
        handle: (ctx) =>
          mapped(async () => ({ status: 200, body: await endpoints.getPublic(ctx.params.endpointId) })),
      },
      updateWebhookEndpoint: {
        handle: (ctx) =>
          mapped(async () => {
            const change = await endpoints.planUpdate(ctx.params.endpointId, ctx.body);
            return commitChange(ctx, change, 'webhook_endpoint.update', {
              status: 200,
              body: publicView(change.after, deps.now()),
            });
          }),
      },
      enableWebhookEndpoint: {
        handle: (ctx) =>
          mapped(async () => {
            const change = await endpoints.planSetEnabled(ctx.params.endpointId, true);
            return commitChange(ctx, change, 'webhook_endpoint.enable', {
              status: 200,
              body: publicView(change.after, deps.now()),
            });
          }),
      },
      disableWebhookEndpoint: {
        handle: (ctx) =>
          mapped(async () => {
            const change = await endpoints.planSetEnabled(ctx.params.endpointId, false);
            return commitChange(ctx, change, 'webhook_endpoint.disable', {
              status: 200,
              body: publicView(change.after, deps.now()),
            });
          }),
      },
      rotateWebhookSecret: {
        handle: (ctx) =>
          mapped(async () => {
            const { change, secret } = await endpoints.planRotate(ctx.params.endpointId);
            return commitChange(ctx, change, 'webhook_endpoint.rotate_secret', {
              status: 200,
              body: { endpoint: publicView(change.after, deps.now()), secret },
            });
          }),
      },
      deleteWebhookEndpoint: {
        handle: (ctx) =>
          mapped(async () => {
            const change = await endpoints.planDelete(ctx.params.endpointId);
            return commitChange(ctx, change, 'webhook_endpoint.delete', {
              status: 200,
              body: { id: ctx.params.endpointId, deleted: true },
            });
          }),
      },
      listWebhookDeliveries: {
        handle: async (ctx) => {
          const items = await deliveries.listByEndpoint(ctx.params.endpointId, ctx.query, 500);
          return { status: 200, body: { items: items.map((d) => deliveryView(d)) } };
        },
      },
      listWebhookAttempts: {
        handle: async (ctx) => {
          const delivery = await deliveries.get(ctx.params.deliveryId);
          if (!delivery) throw new ProblemError('not_found', `delivery ${ctx.params.deliveryId} not found`);
          const attempts: AttemptLog[] = await deliveries.listAttempts(ctx.params.deliveryId);
          return { status: 200, body: { delivery: deliveryView(delivery), attempts } };
        },
      },
      resendWebhookDelivery: {
        handle: (ctx) =>
          mapped(async () => {
            const delivery = await operations.resend(ctx.params.deliveryId);
            ctx.log.info('webhook delivery resent', {
              deliveryId: delivery.deliveryId,
              round: delivery.round,
            });
            return { status: 202, body: deliveryView(delivery) };
          }),
      },
      recoverWebhookEndpoint: {
        handle: (ctx) =>
          mapped(async () => ({
            status: 202,
            body: await operations.recover(ctx.params.endpointId, ctx.body),
          })),
      },
      listWebhookDlq: {
        handle: async (ctx) => {
          const { entries, next } = await operations.listDlq({
            limit: ctx.query.limit,
            ...(ctx.query.after ? { after: ctx.query.after } : {}),
          });
          return { status: 200, body: { items: entries, nextCursor: next } };
        },
      },
      redriveWebhookDlq: {
        handle: (ctx) =>
          mapped(async () => ({
            status: 202,
            body: await operations.redriveDlq({
              ...(ctx.body.deliveryIds ? { deliveryIds: ctx.body.deliveryIds } : {}),
              ...(ctx.body.limit ? { limit: ctx.body.limit } : {}),
            }),
          })),
      },
    };
  },
};
