import * as z from 'zod';

/**
 * API additions the client already relies on but contracts/openapi.json does not carry yet. Each is
 * written by hand here and drops out of `Paths` (contract.ts) by itself once the generated types
 * have the path; delete it from this file then.
 *
 * - `GET /v1/discovery` (public, `Cache-Control: public, max-age=60`): the zone of the cell that
 *   answers, its cells (from the topology) and every zone's failover endpoint.
 * - `ETag` on `GET /v1/products` and `GET /v1/products/{productId}`; `If-None-Match` answered 304.
 *   (Headers only: the catalog cache reads them from the response, so no type is needed.)
 * - A fenced cell (not its zone's current writer) answers a mutating request with 503
 *   `code: "not_writer"` and `Retry-After` (problem.ts lists the code as transient).
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
  zones: z.record(z.string(), httpUrl),
});

export type DiscoveryCell = z.infer<typeof discoveryCellSchema>;
export type DiscoveryDocument = z.infer<typeof discoveryDocumentSchema>;

type NoParameters = { query?: never; header?: never; path?: never; cookie?: never };

export interface PendingPaths {
  '/v1/discovery': {
    parameters: NoParameters;
    /** The answering cell's zone, that zone's cells, and every zone's failover endpoint */
    get: {
      parameters: NoParameters;
      requestBody?: never;
      responses: {
        200: { headers: { [name: string]: unknown }; content: { 'application/json': DiscoveryDocument } };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
