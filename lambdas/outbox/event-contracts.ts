import * as z from 'zod';
import { EVENT_CATALOG, EVENT_TYPES, type EventType, envelopeSchemaOf } from './event-catalog';
import { eventSource } from './event-bus';

/**
 * Renders the committed event contracts from the catalog: one JSON Schema
 * (draft-07, the dialect AsyncAPI schemas build on) per event type, and an
 * AsyncAPI 3.0 document describing both ways events leave a cell: the
 * EventBridge bus and signed webhooks. Pure: contracts/events/write.ts writes
 * the files, test/lambdas/outbox/event-contracts.test.ts checks them.
 */

export const SCHEMA_BASE_URI = 'https://schemas.sovereign-commerce.example/events/';

export function eventJsonSchema(eventType: EventType): Record<string, unknown> {
  const schema = z.toJSONSchema(envelopeSchemaOf(eventType), { target: 'draft-7', io: 'output' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema.$schema,
    $id: `${SCHEMA_BASE_URI}${eventType}.schema.json`,
    title: eventType,
    description: EVENT_CATALOG[eventType].summary,
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}

export const schemaFileName = (eventType: string) => `${eventType}.schema.json`;

const messageName = (eventType: string) => eventType.replace(/\./g, '_');

/** AsyncAPI 3.0 document as YAML text (hand-rendered; every value is a plain scalar or quoted). */
export function asyncApiYaml(): string {
  const out: string[] = [];
  const line = (indent: number, text: string) => out.push(`${' '.repeat(indent)}${text}`);
  line(0, '# GENERATED from lambdas/outbox/event-catalog.ts by contracts/events/write.ts; do not edit.');
  line(0, "asyncapi: '3.0.0'");
  line(0, 'info:');
  line(2, 'title: Sovereign commerce events');
  line(2, "version: '1.0.0'");
  line(2, 'description: |');
  for (const text of [
    'Events of a residency zone. Each is written to the outbox in the same DynamoDB',
    'transaction as the business change and relayed at-least-once: dedupe by eventId',
    '(webhook-id on webhooks). Order is by eventId (ULID) within a zone; the pull API',
    'GET /v1/events?after=<eventId> replays the last 7 days.',
    'Webhooks follow Standard Webhooks v1: webhook-id, webhook-timestamp and',
    'webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body>; several during',
    'a secret rotation). Reject timestamps more than 5 minutes away.',
  ])
    line(4, text);
  line(0, 'defaultContentType: application/json');
  line(0, 'channels:');
  line(2, 'eventBus:');
  line(4, "address: 'commerce.{zone}'");
  line(
    4,
    'description: EventBridge bus of the cell; source commerce.<zone>, detail-type = eventType, detail = the envelope.',
  );
  line(4, 'parameters:');
  line(6, 'zone:');
  line(8, 'description: Residency zone (e.g. global, eu).');
  line(4, 'messages:');
  for (const type of EVENT_TYPES)
    line(6, `${messageName(type)}: { $ref: '#/components/messages/${messageName(type)}' }`);
  line(2, 'webhooks:');
  line(4, "address: '{subscriberUrl}'");
  line(
    4,
    'description: HTTPS POST of the envelope to each subscribed endpoint, signed per Standard Webhooks v1.',
  );
  line(4, 'parameters:');
  line(6, 'subscriberUrl:');
  line(8, 'description: The https URL registered with POST /v1/webhooks/endpoints.');
  line(4, 'messages:');
  for (const type of EVENT_TYPES)
    line(6, `${messageName(type)}: { $ref: '#/components/messages/${messageName(type)}' }`);
  line(0, 'operations:');
  line(2, 'publishToEventBus:');
  line(4, 'action: send');
  line(4, "channel: { $ref: '#/channels/eventBus' }");
  line(4, 'summary: The outbox relay publishes every event of its own region.');
  line(2, 'deliverWebhook:');
  line(4, 'action: send');
  line(4, "channel: { $ref: '#/channels/webhooks' }");
  line(4, 'summary: Signed delivery; 2xx is success; retried for about 28 h; 410 disables the endpoint.');
  line(4, 'bindings:');
  line(6, 'http:');
  line(8, 'method: POST');
  line(0, 'components:');
  line(2, 'messageTraits:');
  line(4, 'standardWebhook:');
  line(6, 'headers:');
  line(8, 'type: object');
  line(8, "required: ['webhook-id', 'webhook-timestamp', 'webhook-signature']");
  line(8, 'properties:');
  line(10, "webhook-id: { type: string, description: 'The eventId; dedupe by it.' }");
  line(
    10,
    "webhook-timestamp: { type: string, pattern: '^[0-9]+$', description: 'Seconds since the epoch.' }",
  );
  line(10, "webhook-signature: { type: string, description: 'Space-separated v1,<base64> signatures.' }");
  line(2, 'messages:');
  for (const type of EVENT_TYPES) {
    line(4, `${messageName(type)}:`);
    line(6, `name: ${type}`);
    line(6, `title: ${type}`);
    line(6, `summary: ${JSON.stringify(EVENT_CATALOG[type].summary)}`);
    line(6, 'contentType: application/json');
    line(6, 'correlationId:');
    line(8, "location: '$message.payload#/correlationId'");
    line(6, "traits: [{ $ref: '#/components/messageTraits/standardWebhook' }]");
    line(6, 'payload:');
    line(8, "schemaFormat: 'application/schema+json;version=draft-07'");
    line(8, 'schema:');
    line(10, `$ref: './events/${schemaFileName(type)}'`);
  }
  line(0, 'x-event-bridge:');
  line(2, `sourcePattern: '${eventSource('{zone}')}'`);
  return `${out.join('\n')}\n`;
}
