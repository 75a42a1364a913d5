import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  activeSecrets,
  EndpointNotFoundError,
  FAILING_DISABLE_AFTER_MS,
  matchesEventType,
} from '../../../lambdas/core/webhooks/endpoint';
import { EndpointRegistry } from '../../../lambdas/webhooks/endpoints';
import { secretKey } from '../../../lambdas/webhooks/signature';
import { UnsafeUrlError } from '../../../lambdas/webhooks/ssrf';
import { freshCommerceTable } from '../../support/dynamodb';

const HOUR = 3600_000;
const resolve = async (host: string) =>
  host === 'hooks.example.com' ? ['93.184.216.34'] : host === 'intranet.example.com' ? ['10.0.0.7'] : [];

describe('EndpointRegistry (DynamoDB Local)', () => {
  let table: Awaited<ReturnType<typeof freshCommerceTable>>;
  let documentClient: DynamoDBDocumentClient;
  let clock: number;
  let registry: EndpointRegistry;

  beforeAll(async () => {
    table = await freshCommerceTable();
    documentClient = DynamoDBDocumentClient.from(table.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  });
  afterAll(() => table.drop());
  beforeEach(() => {
    clock = Date.parse('2030-03-01T00:00:00Z');
    registry = new EndpointRegistry({
      documentClient,
      tableName: table.tableName,
      mode: 'cloud',
      resolve,
      now: () => clock,
    });
  });

  it('creates an endpoint, returns the secret once and never in reads', async () => {
    const { endpoint, secret } = await registry.create({
      url: 'https://hooks.example.com/in',
      eventTypes: ['order.v1.placed', 'customer.*'],
    });
    expect(secretKey(secret).length).toBe(32);
    expect(endpoint).toMatchObject({ url: 'https://hooks.example.com/in', enabled: true });
    expect(JSON.stringify(endpoint)).not.toContain(secret);
    const listed = await registry.list();
    expect(listed.map((e) => e.id)).toContain(endpoint.id);
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    expect(JSON.stringify(await registry.getPublic(endpoint.id))).not.toContain('whsec_');
  });

  it('refuses unsafe URLs on create and update (SSRF) and bad filters', async () => {
    await expect(registry.create({ url: 'https://intranet.example.com/' })).rejects.toThrow(UnsafeUrlError);
    await expect(registry.create({ url: 'https://127.0.0.1/' })).rejects.toThrow(/loopback/);
    await expect(
      registry.create({ url: 'https://hooks.example.com/', eventTypes: ['Order placed'] }),
    ).rejects.toThrow(/event type/);
    const { endpoint } = await registry.create({ url: 'https://hooks.example.com/a' });
    await expect(registry.update(endpoint.id, { url: 'https://169.254.169.254/' })).rejects.toThrow(
      /metadata/,
    );
    expect((await registry.getPublic(endpoint.id)).url).toBe('https://hooks.example.com/a');
  });

  it('updates, disables, enables and deletes', async () => {
    const { endpoint } = await registry.create({ url: 'https://hooks.example.com/b', eventTypes: ['*'] });
    const updated = await registry.update(endpoint.id, {
      eventTypes: ['order.v1.cancelled'],
      description: 'ops',
    });
    expect(updated).toMatchObject({ eventTypes: ['order.v1.cancelled'], description: 'ops' });
    expect((await registry.subscribersOf('order.v1.cancelled')).map((e) => e.id)).toContain(endpoint.id);
    expect((await registry.subscribersOf('order.v1.placed')).map((e) => e.id)).not.toContain(endpoint.id);

    expect(await registry.setEnabled(endpoint.id, false)).toMatchObject({
      enabled: false,
      disabledReason: 'operator',
    });
    expect((await registry.subscribersOf('order.v1.cancelled')).map((e) => e.id)).not.toContain(endpoint.id);
    expect(await registry.setEnabled(endpoint.id, true)).toMatchObject({ enabled: true });

    await registry.delete(endpoint.id);
    await expect(registry.getPublic(endpoint.id)).rejects.toThrow(EndpointNotFoundError);
    await expect(registry.update(endpoint.id, { description: 'x' })).rejects.toThrow(EndpointNotFoundError);
  });

  it('rotates: the old secret keeps signing for 24 h beside the new one, then only the new', async () => {
    const { endpoint, secret: first } = await registry.create({ url: 'https://hooks.example.com/r' });
    clock += HOUR;
    const { secret: second, endpoint: rotated } = await registry.rotate(endpoint.id);
    expect(second).not.toBe(first);
    expect(rotated.rotatingUntil).toBe(new Date(clock + 24 * HOUR).toISOString());

    const record = await registry.get(endpoint.id);
    expect(activeSecrets(record!, clock)).toEqual([second, first]);
    expect(activeSecrets(record!, clock + 24 * HOUR - 1)).toEqual([second, first]);
    expect(activeSecrets(record!, clock + 24 * HOUR)).toEqual([second]);
  });

  it('disables an endpoint failing for 5 days without a success; a success resets the clock', async () => {
    const { endpoint } = await registry.create({ url: 'https://hooks.example.com/f' });
    expect(await registry.recordFailure((await registry.get(endpoint.id))!)).toBe(false);
    clock += 4 * 24 * HOUR;
    await registry.recordSuccess((await registry.get(endpoint.id))!);
    expect((await registry.get(endpoint.id))!.failingSince).toBeUndefined();

    expect(await registry.recordFailure((await registry.get(endpoint.id))!)).toBe(false);
    clock += FAILING_DISABLE_AFTER_MS - 1;
    expect(await registry.recordFailure((await registry.get(endpoint.id))!)).toBe(false);
    clock += 1;
    expect(await registry.recordFailure((await registry.get(endpoint.id))!)).toBe(true);
    expect(await registry.getPublic(endpoint.id)).toMatchObject({
      enabled: false,
      disabledReason: 'failing',
    });
  });

  it('matches exact types, prefix wildcards and *', () => {
    expect(matchesEventType({ eventTypes: ['order.*'] }, 'order.v1.placed')).toBe(true);
    expect(matchesEventType({ eventTypes: ['order.*'] }, 'orders.v1.placed')).toBe(false);
    expect(matchesEventType({ eventTypes: ['*'] }, 'cart.v1.created')).toBe(true);
    expect(matchesEventType({ eventTypes: ['cart.v1.created'] }, 'cart.v2.created')).toBe(false);
  });
});
