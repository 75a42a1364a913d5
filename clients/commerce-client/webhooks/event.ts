import * as z from 'zod';
import type { CommerceEvent } from '../contract';

/**
 * The event envelope, as webhooks deliver it and `GET /v1/events` pages it. Checked loosely (the
 * members a receiver relies on); its full schema is contracts/events/<type>.schema.json.
 */
export const eventEnvelopeSchema = z.looseObject({
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  occurredAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export type { CommerceEvent };

/** Handles one event; throw to have it delivered again later (nothing is marked handled). */
export type EventHandler = (
  event: CommerceEvent,
  meta: { readonly via: 'webhook' | 'catch-up' },
) => Promise<void>;
