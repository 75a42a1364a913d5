import * as z from 'zod';
import type { components } from './generated/openapi';

/**
 * The discovery document (`GET /v1/discovery`, in the contract): the answering cell's zone, that
 * zone's cells and every zone's failover endpoint. The client validates it at the edge with this
 * schema; the compile-time check below keeps it equal to the generated contract type.
 */

const httpUrl = z.url({ protocol: /^https?$/ });

export const discoveryCellSchema = z.object({
  region: z.string().min(1),
  role: z.enum(['primary', 'secondary']),
  endpoint: httpUrl,
});

export const discoveryDocumentSchema = z.object({
  zone: z.string().min(1),
  region: z.string().min(1),
  zoneEndpoint: httpUrl,
  cells: z.array(discoveryCellSchema).min(1),
  zones: z.array(z.object({ zone: z.string().min(1), endpoint: httpUrl })),
});

export type DiscoveryCell = z.infer<typeof discoveryCellSchema>;
export type DiscoveryDocument = z.infer<typeof discoveryDocumentSchema>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when the schema and the contract's `Discovery` drift apart. */
export const DISCOVERY_MATCHES_CONTRACT: Same<DiscoveryDocument, components['schemas']['Discovery']> = true;
