import * as z from 'zod';
import { CustomerRepository, isErased } from '../../adapters/customer-repository';
import { IdempotencyStore } from '../../adapters/idempotency-store';
import { type Customer, customerSchema, withoutPersonalData } from '../../core/customer';
import { ProblemError } from '../../core/errors';
import { countrySchema } from '../../core/geography';
import { SCOPES } from '../../core/scopes';
import type { Principal } from '../http/env';
import { assertResidency, contract, type RouteFamily } from '../http/route';
import { AUTH_ERRORS, idSchema, MUTATION_ERRORS, problemSchema } from '../schemas';

/**
 * Customer profiles: personal data, held only in the customer's home zone.
 * The id is the token subject. The country decides the home zone; a cell of
 * another zone answers 421 naming the right endpoint and writes nothing.
 */
const customer = customerSchema.meta({ id: 'Customer' });
const customerParams = z.strictObject({ customerId: idSchema });
const email = z.email().max(254);
const name = z.string().trim().min(1).max(200);
const NOT_FOUND = { 404: { description: 'No such customer', schema: problemSchema } };

function assertSelf(customerId: string, caller: Principal): void {
  if (customerId !== caller.subject)
    throw new ProblemError('forbidden', 'a customer can only act on their own profile');
}

export const customerContracts = {
  createCustomer: contract({
    method: 'post',
    path: '/v1/customers',
    operationId: 'createCustomer',
    summary: 'Create the caller’s customer profile in its home zone',
    tag: 'customers',
    scope: SCOPES.customers,
    mutating: true,
    body: z.strictObject({ email, name, country: countrySchema }),
    responses: {
      201: { description: 'The profile', schema: customer },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
    },
    homeZoneFrom: 'precondition',
  }),
  getCustomer: contract({
    method: 'get',
    path: '/v1/customers/{customerId}',
    operationId: 'getCustomer',
    summary: 'Get the caller’s profile',
    tag: 'customers',
    scope: SCOPES.customers,
    mutating: false,
    params: customerParams,
    responses: { 200: { description: 'The profile', schema: customer }, ...AUTH_ERRORS, ...NOT_FOUND },
  }),
  updateCustomer: contract({
    method: 'patch',
    path: '/v1/customers/{customerId}',
    operationId: 'updateCustomer',
    summary: 'Update the caller’s name or email',
    tag: 'customers',
    scope: SCOPES.customers,
    mutating: true,
    params: customerParams,
    body: z
      .strictObject({ email: email.optional(), name: name.optional() })
      .refine((b) => b.email !== undefined || b.name !== undefined, 'change at least one of email, name'),
    responses: {
      200: { description: 'The profile', schema: customer },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
      ...NOT_FOUND,
    },
  }),
  eraseCustomer: contract({
    method: 'delete',
    path: '/v1/customers/{customerId}',
    operationId: 'eraseCustomer',
    summary: 'Erase the caller’s personal data (GDPR art. 17); the audit trail stays, without personal data',
    tag: 'customers',
    scope: SCOPES.customers,
    mutating: true,
    params: customerParams,
    responses: {
      200: {
        description: 'Erased',
        schema: z
          .object({ id: z.string(), erased: z.literal(true), erasedAt: z.string() })
          .meta({ id: 'Erasure' }),
      },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
      ...NOT_FOUND,
    },
  }),
};

export const customerRoutes: RouteFamily<typeof customerContracts> = {
  contracts: customerContracts,
  bind: (deps) => {
    const customers = new CustomerRepository(deps.table);
    const idempotencyRecords = new IdempotencyStore(deps.table);
    const residency = { zone: deps.config.CELL_ZONE, endpoints: deps.config.ZONE_ENDPOINTS };

    async function live(customerId: string): Promise<Customer> {
      const found = await customers.get(customerId);
      if (!found || isErased(found)) throw new ProblemError('not_found', `no customer ${customerId}`);
      return found;
    }
    return {
      createCustomer: {
        precondition: ({ body }) => assertResidency(deps.zoneForCountry(body.country), residency),
        handle: async (ctx) => {
          const at = new Date(deps.now()).toISOString();
          const created: Customer = {
            id: ctx.caller.subject,
            email: ctx.body.email,
            name: ctx.body.name,
            country: ctx.body.country,
            homeZone: deps.zoneForCountry(ctx.body.country),
            createdAt: at,
            updatedAt: at,
            version: 1,
          };
          return ctx.commit(
            {
              writes: [customers.save(created)],
              events: [
                {
                  eventType: 'customer.v1.created',
                  aggregate: { type: 'customer', id: created.id, version: 1 },
                  data: withoutPersonalData(created),
                },
              ],
              audit: {
                actor: ctx.caller.subject,
                action: 'customer.create',
                resource: { type: 'customer', id: created.id },
                outcome: 'success',
                after: withoutPersonalData(created),
              },
              onConditionFailed: () =>
                new ProblemError('already_exists', 'this subject already has a profile (or had one erased)'),
            },
            { status: 201, body: created, headers: { Location: `/v1/customers/${created.id}` } },
          );
        },
      },
      getCustomer: {
        handle: async ({ params, caller }) => {
          assertSelf(params.customerId, caller);
          return {
            status: 200,
            body: await live(params.customerId),
            headers: { 'Cache-Control': 'private, no-store' },
          };
        },
      },
      updateCustomer: {
        precondition: ({ params, principal }) => assertSelf(params.customerId, principal!),
        handle: async (ctx) => {
          const current = await live(ctx.params.customerId);
          const updated: Customer = {
            ...current,
            ...(ctx.body.email ? { email: ctx.body.email } : {}),
            ...(ctx.body.name ? { name: ctx.body.name } : {}),
            updatedAt: new Date(deps.now()).toISOString(),
            version: current.version + 1,
          };
          const changed = Object.keys(ctx.body);
          return ctx.commit(
            {
              writes: [customers.save(updated, current.version)],
              events: [
                {
                  eventType: 'customer.v1.updated',
                  aggregate: { type: 'customer', id: updated.id, version: updated.version },
                  data: { id: updated.id, changedFields: changed },
                },
              ],
              audit: {
                actor: ctx.caller.subject,
                action: 'customer.update',
                resource: { type: 'customer', id: updated.id },
                outcome: 'success',
                before: { version: current.version },
                after: { version: updated.version, changedFields: changed },
              },
            },
            { status: 200, body: updated },
          );
        },
      },
      eraseCustomer: {
        precondition: ({ params, principal }) => assertSelf(params.customerId, principal!),
        handle: async (ctx) => {
          const current = await live(ctx.params.customerId);
          // Stored responses of earlier profile requests hold personal data; erase them too.
          await idempotencyRecords.forgetSubject(ctx.caller.subject, ctx.idempotencyKey);
          const erasedAt = new Date(deps.now()).toISOString();
          return ctx.commit(
            {
              writes: [customers.erase(current.id, current.version, erasedAt)],
              events: [
                {
                  eventType: 'customer.v1.erased',
                  aggregate: { type: 'customer', id: current.id, version: current.version + 1 },
                  data: { id: current.id, erasedAt },
                },
              ],
              audit: {
                actor: ctx.caller.subject,
                action: 'customer.erase',
                resource: { type: 'customer', id: current.id },
                outcome: 'success',
                before: withoutPersonalData(current),
                after: { erased: true },
              },
            },
            { status: 200, body: { id: current.id, erased: true, erasedAt } },
          );
        },
      },
    };
  },
};
