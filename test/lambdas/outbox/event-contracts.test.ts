import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { EVENT_TYPES } from '../../../lambdas/outbox/event-catalog';
import { asyncApiYaml, eventJsonSchema, schemaFileName } from '../../../lambdas/outbox/event-contracts';
import { cartWith, createHarness, type Harness } from '../api/harness';

const ROOT = join(__dirname, '..', '..', '..');
const CONTRACTS = join(ROOT, 'contracts');
const committedSchema = (type: string) =>
  JSON.parse(readFileSync(join(CONTRACTS, 'events', schemaFileName(type)), 'utf8')) as Record<
    string,
    unknown
  >;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('event contracts (JSON Schema per type + AsyncAPI 3)', () => {
  const ajv = new Ajv({ allErrors: true });
  const validators = new Map(EVENT_TYPES.map((type) => [type as string, ajv.compile(committedSchema(type))]));

  it('committed files equal what the catalog renders (run `npx tsx contracts/events/write.ts` after a change)', () => {
    for (const type of EVENT_TYPES) expect(committedSchema(type)).toEqual(eventJsonSchema(type));
    expect(readFileSync(join(CONTRACTS, 'asyncapi.yaml'), 'utf8')).toBe(asyncApiYaml());
  });

  it('the catalog names every event type the runtime code emits', () => {
    const emitted = new Set<string>();
    for (const file of sourceFiles(join(ROOT, 'lambdas'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/eventType: '([a-z0-9_.]+)'/g))
        emitted.add(match[1]!);
    }
    expect(emitted.size).toBeGreaterThanOrEqual(6);
    expect([...emitted].filter((type) => !validators.has(type))).toEqual([]);
  });

  it('the AsyncAPI 3 document references one message and one schema file per event type', () => {
    const doc = parse(readFileSync(join(CONTRACTS, 'asyncapi.yaml'), 'utf8')) as {
      asyncapi: string;
      components: { messages: Record<string, { name: string; payload: { schema: { $ref: string } } }> };
      channels: Record<string, { messages: Record<string, unknown> }>;
    };
    expect(doc.asyncapi).toBe('3.0.0');
    const messages = Object.values(doc.components.messages);
    expect(messages.map((m) => m.name).sort()).toEqual([...EVENT_TYPES].sort());
    for (const message of messages) {
      expect(() => readFileSync(join(CONTRACTS, message.payload.schema.$ref), 'utf8')).not.toThrow();
    }
    expect(Object.keys(doc.channels.webhooks!.messages)).toHaveLength(EVENT_TYPES.length);
  });

  describe('every event the API emits validates against its committed schema', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness();
    });
    afterAll(() => h.drop());

    it('covers carts, checkout, orders, customers and the drill flag', async () => {
      const token = await h.token('cust-contract');
      const cartId = await cartWith(h, token, 'sku-0002', 2, 'contract');
      const checkout = await h.call('POST', '/v1/checkout', { token, key: 'c-checkout', body: { cartId } });
      expect(checkout.status).toBe(201);
      const { id: orderId } = (await checkout.json()) as { id: string };
      expect((await h.call('POST', `/v1/orders/${orderId}/cancel`, { token, key: 'c-cancel' })).status).toBe(
        200,
      );
      const customer = { email: 'ada@example.com', name: 'Ada', country: 'us' };
      expect((await h.call('POST', '/v1/customers', { token, key: 'c-cust', body: customer })).status).toBe(
        201,
      );
      const patch = { token, key: 'c-cust-2', body: { name: 'Ada L.' } };
      expect((await h.call('PATCH', '/v1/customers/cust-contract', patch)).status).toBe(200);
      expect((await h.call('DELETE', '/v1/customers/cust-contract', { token, key: 'c-cust-3' })).status).toBe(
        200,
      );
      const admin = await h.adminToken();
      const drill = { token: admin, key: 'c-drill', body: { enabled: false } };
      expect((await h.call('PUT', '/v1/admin/drill', drill)).status).toBe(200);

      const envelopes = (await h.scanAll())
        .filter((item) => item.entity === 'outbox')
        .map((item) => item.envelope as { eventType: string });
      const failures = envelopes.flatMap((envelope) => {
        const validate = validators.get(envelope.eventType);
        if (!validate) return [`${envelope.eventType}: no schema`];
        return validate(envelope) ? [] : [`${envelope.eventType}: ${ajv.errorsText(validate.errors)}`];
      });

      expect(failures).toEqual([]);
      expect(new Set(envelopes.map((e) => e.eventType))).toEqual(new Set(EVENT_TYPES));
      expect(JSON.stringify(envelopes)).not.toContain('ada@example.com');

      const placed = envelopes.find((e) => e.eventType === 'order.v1.placed') as unknown as {
        data: Record<string, unknown>;
      };
      const broken = { ...placed, data: { ...placed.data, orderId: undefined, totalMinor: -1 } };
      expect(validators.get('order.v1.placed')!(JSON.parse(JSON.stringify(broken)))).toBe(false);
    });
  });
});
