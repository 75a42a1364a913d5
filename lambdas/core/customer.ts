import * as z from 'zod';

export const customerSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  country: z.string().length(2),
  homeZone: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type Customer = z.output<typeof customerSchema>;

/** Fields that are personal data: never copied into audit entries, events or logs. */
export const PERSONAL_FIELDS = ['email', 'name'] as const;

/** The customer as audit entries and events may see it: pseudonymous id, zone facts, no personal data. */
export function withoutPersonalData(customer: Customer): Record<string, unknown> {
  return {
    id: customer.id,
    country: customer.country,
    homeZone: customer.homeZone,
    version: customer.version,
  };
}
