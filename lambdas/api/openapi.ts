import * as z from 'zod';
import { IDEMPOTENCY_HEADER, REPLAYED_HEADER } from '../core/idempotency';
import { isPersonalDataPath } from '../core/data-classification';
import type { ResponseSpec, RouteContract } from './http/route';
import { RESIDENCY_ERRORS } from './schemas';

/**
 * The OpenAPI 3.1 document, generated from the same route descriptions the
 * app mounts (http/route.ts), with JSON Schemas from zod. Schemas named with
 * `.meta({ id })` become shared components. scripts/openapi.ts writes it to
 * contracts/openapi.json; a test fails when the committed file is stale.
 */

type JsonObject = Record<string, unknown>;

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
}

class SchemaCollector {
  readonly components: Record<string, JsonObject> = {};

  toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
    const json = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      target: 'draft-2020-12',
    }) as JsonObject;
    const defs = (json.$defs ?? {}) as Record<string, JsonObject>;
    delete json.$defs;
    delete json.$schema;
    const renames = new Map<string, string>();
    for (const [id, def] of Object.entries(defs)) {
      const existing = this.components[id];
      const name =
        existing && JSON.stringify(existing) !== JSON.stringify(def)
          ? `${id}${io === 'input' ? 'Input' : 'Output'}`
          : id;
      renames.set(id, name);
      this.components[name] = def;
    }
    const text = JSON.stringify(json).replace(/"#\/\$defs\/([^"]+)"/g, (_, id: string) =>
      JSON.stringify(`#/components/schemas/${renames.get(id) ?? id}`),
    );
    // Defs may reference each other too.
    for (const [name, def] of Object.entries(this.components)) {
      this.components[name] = JSON.parse(
        JSON.stringify(def).replace(/"#\/\$defs\/([^"]+)"/g, (_, id: string) =>
          JSON.stringify(`#/components/schemas/${renames.get(id) ?? id}`),
        ),
      ) as JsonObject;
    }
    return JSON.parse(text) as JsonObject;
  }
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query', collector: SchemaCollector) {
  if (!schema) return [];
  const json = collector.toSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: property,
  }));
}

const ENTITY_TAG_HEADER = {
  description: 'Strong entity tag of the body (SHA-256): send it back as If-None-Match to revalidate.',
  schema: { type: 'string' },
};

/** What a conditional read (RouteContract.conditional) adds: the request header and the 304 answer. */
function conditionalParts(spec: RouteContract) {
  const cacheControl = spec.responses[200]?.headers?.['Cache-Control'];
  return {
    parameter: {
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description: 'The ETag of the copy the client holds: 304 without a body when it is still current.',
      schema: { type: 'string' },
    },
    notModified: {
      304: {
        description: 'Not modified: the copy named by If-None-Match is current (no body)',
        headers: {
          ETag: ENTITY_TAG_HEADER,
          ...(cacheControl ? { 'Cache-Control': headerObject(cacheControl) } : {}),
        },
      },
    },
  };
}

function headerObject(header: { readonly description: string }) {
  return { description: header.description, schema: { type: 'string' } };
}

function withHeaders(headers: JsonObject): JsonObject {
  return Object.keys(headers).length > 0 ? { headers } : {};
}

/** The response headers the contract documents for `status`. */
function responseHeaders(spec: RouteContract, status: number, response: ResponseSpec): JsonObject {
  return {
    ...Object.fromEntries(
      Object.entries(response.headers ?? {}).map(([name, header]) => [name, headerObject(header)]),
    ),
    ...(spec.conditional && status === 200 ? { ETag: ENTITY_TAG_HEADER } : {}),
    ...(spec.mutating && status < 300
      ? { [REPLAYED_HEADER]: { schema: { type: 'string', enum: ['true'] } } }
      : {}),
  };
}

export function openApiDocument(specs: readonly RouteContract[], info: OpenApiInfo): JsonObject {
  const collector = new SchemaCollector();
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const spec of specs) {
    const conditional = spec.conditional ? conditionalParts(spec) : undefined;
    const operation: JsonObject = {
      operationId: spec.operationId,
      summary: spec.summary,
      tags: [spec.tag],
      security: spec.scope ? [{ bearer: [spec.scope] }] : [],
      parameters: [
        ...parameters(spec.params, 'path', collector),
        ...parameters(spec.query, 'query', collector),
        ...(spec.mutating
          ? [
              {
                name: IDEMPOTENCY_HEADER,
                in: 'header',
                required: true,
                description:
                  'Same key + same request replays the first response (Idempotent-Replayed: true), a final refusal such as 402 or 404 included; a transient failure (5xx, 409 conflict) frees the key for a retry. Records live 24 h.',
                schema: { type: 'string', minLength: 1, maxLength: 255 },
              },
            ]
          : []),
        ...(conditional ? [conditional.parameter] : []),
        {
          name: 'x-correlation-id',
          in: 'header',
          required: false,
          description:
            'Propagated into logs, events and audit entries; generated when absent (or taken from traceparent).',
          schema: { type: 'string', maxLength: 128 },
        },
      ],
      ...(spec.body
        ? {
            requestBody: {
              required: !spec.body.safeParse(undefined).success,
              content: { 'application/json': { schema: collector.toSchema(spec.body, 'input') } },
            },
          }
        : {}),
      responses: Object.fromEntries([
        ...Object.entries<ResponseSpec>({
          ...spec.responses,
          ...(isPersonalDataPath(spec.path) ? RESIDENCY_ERRORS : {}),
        }).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema
              ? {
                  content: {
                    [response.contentType ??
                      (Number(status) >= 400 ? 'application/problem+json' : 'application/json')]: {
                      schema: collector.toSchema(response.schema, 'output'),
                    },
                  },
                }
              : {}),
            ...withHeaders(responseHeaders(spec, Number(status), response)),
          },
        ]),
        ...Object.entries(conditional?.notModified ?? {}),
      ]),
    };
    paths[spec.path] = { ...paths[spec.path], [spec.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'Commerce API of one cell. Errors are RFC 9457 application/problem+json with a stable `code` and the `correlationId`.',
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: Object.fromEntries(
        Object.entries(collector.components).sort(([a], [b]) => a.localeCompare(b)),
      ),
    },
  };
}
