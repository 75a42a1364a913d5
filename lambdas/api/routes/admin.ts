import * as z from 'zod';
import { AuditRepository } from '../../adapters/audit-repository';
import { DrillFlagRepository } from '../../adapters/drill-flag-repository';
import { SCOPES } from '../../core/scopes';
import { contract, type RouteFamily } from '../http/route';
import { ReconciliationService } from '../services/reconciliation';
import { AUTH_ERRORS, MUTATION_ERRORS, pageOf, pageQuerySchema, problemSchema } from '../schemas';

/** Operator routes: the cell's drill flag (read by /v1/health) and the audit chain. */
const auditEntry = z
  .object({
    chain: z.string(),
    seq: z.number().int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    resource: z.object({ type: z.string(), id: z.string() }),
    outcome: z.enum(['success', 'failure']),
    correlationId: z.string(),
    where: z.object({ zone: z.string(), region: z.string() }),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    context: z.record(z.string(), z.unknown()).optional(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

const chainVerification = z
  .object({
    chain: z.string(),
    valid: z.boolean(),
    entries: z.number().int(),
    headSeq: z.number().int().optional(),
    firstBrokenSeq: z.number().int().optional(),
    reason: z.string().optional(),
  })
  .meta({ id: 'AuditChainVerification' });

const verification = z
  .object({ region: z.string(), valid: z.boolean(), chains: z.array(chainVerification) })
  .meta({ id: 'AuditVerification' });

const reconciliationReport = z
  .object({
    region: z.string(),
    startedAt: z.string(),
    productsChecked: z.number().int(),
    stockCorrected: z.array(
      z.object({ productId: z.string(), before: z.number().int(), after: z.number().int() }),
    ),
    supersededSales: z.array(
      z.object({
        checkoutId: z.string(),
        attempt: z.number().int(),
        productIds: z.array(z.string()),
        authorizationId: z.string().nullable(),
        voided: z.boolean(),
      }),
    ),
    unsoldAuthorizations: z.array(
      z.object({
        checkoutId: z.string(),
        attempt: z.number().int(),
        authorizationId: z.string(),
        voided: z.boolean(),
      }),
    ),
    reErased: z.array(z.string()),
    storedResponsesForgotten: z.number().int(),
    needsAPerson: z.array(
      z.object({
        kind: z.enum(['oversold', 'authorization_not_voided']),
        productId: z.string(),
        units: z.number().int(),
        action: z.string(),
      }),
    ),
  })
  .meta({ id: 'ReconciliationReport' });

export const adminContracts = {
  reconcile: contract({
    method: 'post',
    path: '/v1/admin/reconciliation',
    operationId: 'reconcile',
    summary:
      'Repair what last-writer-wins resolved wrongly during a split: stock recomputed from its ledger, a checkout sold under two attempts sold once (the other authorization voided), authorizations of attempts that never sold voided, erasures re-applied (run on the writer once replication caught up)',
    tag: 'admin',
    scope: SCOPES.adminReconcile,
    mutating: true,
    responses: {
      200: { description: 'What was repaired, and what needs a person', schema: reconciliationReport },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
    },
  }),
  setDrillFlag: contract({
    method: 'put',
    path: '/v1/admin/drill',
    operationId: 'setDrillFlag',
    summary: 'Turn this cell’s drill flag on or off (on: /v1/health answers 503 reason drill)',
    tag: 'admin',
    scope: SCOPES.adminDrill,
    mutating: true,
    body: z.strictObject({ enabled: z.boolean() }),
    responses: {
      200: {
        description: 'The flag',
        schema: z.object({ region: z.string(), enabled: z.boolean() }).meta({ id: 'DrillFlag' }),
      },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
    },
  }),
  queryAudit: contract({
    method: 'get',
    path: '/v1/admin/audit',
    operationId: 'queryAudit',
    summary:
      'Audit entries of one request (correlation id, at most 100) or of one resource (oldest first, cursor pagination)',
    tag: 'admin',
    scope: SCOPES.adminAudit,
    mutating: false,
    query: pageQuerySchema
      .extend({
        limit: pageQuerySchema.shape.limit.unwrap().default(100),
        correlationId: z.string().min(1).max(128).optional(),
        resourceType: z
          .string()
          .regex(/^[a-z_]{1,32}$/)
          .optional(),
        resourceId: z.string().min(1).max(128).optional(),
      })
      .refine(
        (q) =>
          (q.correlationId !== undefined) !== (q.resourceType !== undefined && q.resourceId !== undefined),
        'pass either correlationId, or resourceType and resourceId',
      )
      .refine((q) => !(q.correlationId && q.cursor), 'cursor pages through a resource, not a correlation id'),
    responses: {
      200: { description: 'Matching entries', schema: pageOf(auditEntry, 'AuditPage') },
      400: { description: 'Invalid query or cursor', schema: problemSchema },
      ...AUTH_ERRORS,
    },
  }),
  verifyAudit: contract({
    method: 'get',
    path: '/v1/admin/audit/verify',
    operationId: 'verifyAudit',
    summary: 'Verify every audit chain of a region end to end; reports each chain’s first broken link',
    tag: 'admin',
    scope: SCOPES.adminAudit,
    mutating: false,
    query: z.strictObject({
      region: z
        .string()
        .regex(/^[a-z0-9-]{1,32}$/)
        .optional(),
    }),
    responses: {
      200: { description: 'The verification result (valid or not)', schema: verification },
      ...AUTH_ERRORS,
    },
  }),
};

export const adminRoutes: RouteFamily<typeof adminContracts> = {
  contracts: adminContracts,
  bind: (deps) => {
    const audit = new AuditRepository(deps.table);
    const drillFlags = new DrillFlagRepository(deps.table);
    const reconciliation = new ReconciliationService(deps);
    return {
      reconcile: {
        handle: async () => ({
          status: 200,
          body: await reconciliation.run(),
          headers: { 'Cache-Control': 'no-store' },
        }),
      },
      setDrillFlag: {
        handle: (ctx) => {
          const { CELL_REGION: region } = deps.config;
          return ctx.commit(
            {
              writes: [
                drillFlags.setWrite(region, {
                  enabled: ctx.body.enabled,
                  changedBy: ctx.caller.subject,
                  changedAt: new Date(deps.now()).toISOString(),
                }),
              ],
              events: [
                {
                  eventType: 'cell.v1.drill_changed',
                  aggregate: { type: 'cell', id: `${deps.config.CELL_ZONE}/${region}`, version: 0 },
                  // The flag has no version: the operator's request (subject + Idempotency-Key) is the fact.
                  factKey: `cell:${deps.config.CELL_ZONE}/${region}:drill:${ctx.caller.subject}:${ctx.idempotencyKey}`,
                  data: { zone: deps.config.CELL_ZONE, region, enabled: ctx.body.enabled },
                },
              ],
              audit: {
                actor: ctx.caller.subject,
                action: 'cell.drill',
                resource: { type: 'cell', id: region },
                outcome: 'success',
                after: { enabled: ctx.body.enabled },
              },
            },
            { status: 200, body: { region, enabled: ctx.body.enabled } },
          );
        },
      },
      queryAudit: {
        handle: async ({ query }) => ({
          status: 200,
          body: query.correlationId
            ? { items: await audit.byCorrelationId(query.correlationId, query.limit) }
            : await audit.byResource(query.resourceType!, query.resourceId!, {
                limit: query.limit,
                ...(query.cursor ? { cursor: query.cursor } : {}),
              }),
          headers: { 'Cache-Control': 'no-store' },
        }),
      },
      verifyAudit: {
        handle: async ({ query }) => ({
          status: 200,
          body: await audit.verifyRegion(query.region ?? deps.config.CELL_REGION),
          headers: { 'Cache-Control': 'no-store' },
        }),
      },
    };
  },
};
