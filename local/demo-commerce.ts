import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { commerceTableName } from '../lambdas/adapters/table-definitions';
import { continentOf } from '../lambdas/core/geography';
import type { EventEnvelope } from '../lambdas/core/events/envelope';
import { verifyWebhook } from '../lambdas/webhooks/signature';
import { zoneForGeography } from '../lib/topology';
import { ulid } from 'ulid';
import { api, type DemoStep, demoSubject, expect, sleep, tokenFor, waitFor } from './demo-support';
import { localDynamoClient } from './dynamodb-local';
import type { LocalTopology } from './topology';

/**
 * Demo steps that go through the commerce API like a shop front-end would:
 * a checkout in the global zone (its replication and its signed webhook), a German customer
 * routed to the eu zone, and the 421 a global cell gives for EU personal data.
 */

interface PlacedOrder {
  readonly orderId: string;
  readonly servedBy: string | null;
  readonly token: string;
}

/** Catalog -> cart -> line -> checkout through the edge as a US shopper. */
async function placeOrder(topology: LocalTopology): Promise<PlacedOrder> {
  const edge = topology.endpoints.edge;
  const homeZone = zoneForGeography(topology.model, 'US', continentOf('US')).name;
  const token = await tokenFor(topology, demoSubject('demo-us'), { homeZone });
  const products = await api({ base: edge, path: '/v1/products', country: 'US' });
  const product = (products.body.items as { id: string }[] | undefined)?.[0];
  expect(products.status === 200 && product !== undefined, `catalog answered ${products.status}`);
  const cart = await api({ base: edge, method: 'POST', path: '/v1/carts', token, country: 'US' });
  expect(cart.status === 201, `create cart answered ${cart.status}: ${JSON.stringify(cart.body)}`);
  const cartId = cart.body.id as string;
  const line = await api({
    base: edge,
    method: 'POST',
    path: `/v1/carts/${cartId}/items`,
    token,
    country: 'US',
    body: { productId: product!.id, quantity: 1 },
  });
  expect(line.status === 200 || line.status === 201, `add item answered ${line.status}`);
  const order = await api({
    base: edge,
    method: 'POST',
    path: '/v1/checkout',
    token,
    country: 'US',
    body: { cartId },
  });
  expect(order.status === 201, `checkout answered ${order.status}: ${JSON.stringify(order.body)}`);
  return { orderId: order.body.id as string, servedBy: order.servedBy, token };
}

const checkout: DemoStep = {
  name: 'a checkout through the edge (US) lands in the global primary and is replicated to the secondary',
  async run({ topology }) {
    const zone = topology.model.zones.find((z) => z.name === 'global');
    if (!zone) return 'skipped: no global zone';
    const { orderId, servedBy, token } = await placeOrder(topology);
    const primary = `${zone.name}/${zone.primary.region}`;
    expect(servedBy === primary, `checkout served by ${servedBy}, expected ${primary}`);
    const secondary = topology.endpoints.cells.find((c) => c.zone === zone.name && c.role === 'secondary');
    if (!secondary) return `order ${orderId} placed in ${primary} (zone has no secondary)`;
    const started = Date.now();
    const replicated = await waitFor(10_000, async () => {
      const found = await api({ base: secondary.url, path: `/v1/orders/${orderId}`, token });
      return found.status === 200 ? Date.now() - started : undefined;
    });
    expect(replicated !== undefined, `order ${orderId} not readable in ${secondary.region} after 10 s`);
    return `order ${orderId} placed in ${primary}, readable in ${zone.name}/${secondary.region} after ${replicated} ms`;
  },
};

const webhook: DemoStep = {
  name: 'the order.v1.placed webhook of a checkout reaches the sink with a valid signature',
  async run({ topology }) {
    const zone = topology.model.zones.find((z) => z.name === 'global');
    if (!zone) return 'skipped: no global zone';
    // Subscribed by an operator through the API (admin:webhooks), in the zone's primary; the
    // endpoint item replicates to the secondary like every other item.
    const operator = await tokenFor(topology, demoSubject('demo-operator'), { scopes: ['admin:webhooks'] });
    const path = `/demo/${demoSubject('hook')}`;
    const created = await api({
      base: topology.endpoints.edge,
      method: 'POST',
      path: '/v1/webhooks/endpoints',
      token: operator,
      country: 'US',
      body: { url: `${topology.endpoints.webhookSink}${path}`, eventTypes: ['order.v1.placed'] },
    });
    expect(
      created.status === 201,
      `create endpoint answered ${created.status}: ${JSON.stringify(created.body)}`,
    );
    const secret = created.body.secret as string;
    const { orderId } = await placeOrder(topology);
    const started = Date.now();
    const delivery = await waitFor(15_000, async () =>
      topology.webhookSink
        .deliveries()
        .find((d) => d.path === path && (JSON.parse(d.body) as EventEnvelope).aggregate?.id === orderId),
    );
    expect(delivery !== undefined, `no order.v1.placed delivery for ${orderId} at the sink after 15 s`);
    const { id } = verifyWebhook({ body: delivery!.body, headers: delivery!.headers, secret });
    const eventType = (JSON.parse(delivery!.body) as EventEnvelope).eventType;
    return `${eventType} for ${orderId} delivered in ${Date.now() - started} ms, signature valid (webhook-id ${id})`;
  },
};

const euCustomer: DemoStep = {
  name: 'a customer with country DE is routed to the eu zone and created there',
  async run({ topology }) {
    const token = await tokenFor(topology, demoSubject('demo-de'));
    const created = await api({
      base: topology.endpoints.edge,
      method: 'POST',
      path: '/v1/customers',
      token,
      country: 'DE',
      body: { email: 'kunde@example.de', name: 'Demo Kunde', country: 'DE' },
    });
    expect(
      created.status === 201,
      `create customer answered ${created.status}: ${JSON.stringify(created.body)}`,
    );
    expect(
      created.servedBy?.startsWith('eu/') === true,
      `served by ${created.servedBy}, expected the eu zone`,
    );
    return `customer ${created.body.id} (home zone ${created.body.homeZone}) created by ${created.servedBy}`;
  },
};

/** Items of every regional table of a zone whose content mentions one of `needles` (a scan: the local tables are small). */
async function itemsMentioning(
  topology: LocalTopology,
  zoneName: string,
  needles: readonly string[],
): Promise<string[]> {
  const zone = topology.model.zones.find((z) => z.name === zoneName);
  const tableName = commerceTableName(topology.model.appName, zoneName);
  const found: string[] = [];
  for (const region of zone?.regions ?? []) {
    const client = localDynamoClient(topology.endpoints.dynamodb, region);
    try {
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
        );
        for (const item of page.Items ?? []) {
          const text = JSON.stringify(item);
          if (needles.some((needle) => text.includes(needle)))
            found.push(`${region}: ${item.pk?.S}/${item.sk?.S}`);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } finally {
      client.destroy();
    }
  }
  return found;
}

const misdirected: DemoStep = {
  name: "an EU customer's data sent to a global cell gets 421 and nothing is written",
  async run({ topology }) {
    const globalEndpoint = topology.endpoints.zones?.global;
    if (!globalEndpoint) return 'skipped: no global zone';
    const subject = demoSubject('demo-de');
    const idempotencyKey = ulid();
    const email = `${subject}@example.de`;
    const token = await tokenFor(topology, subject);
    const answer = await api({
      base: globalEndpoint,
      method: 'POST',
      path: '/v1/customers',
      token,
      idempotencyKey,
      body: { email, name: 'Demo Kundin', country: 'DE' },
    });
    expect(answer.status === 421, `answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    // Give a stray write the time to land and replicate, then look for any trace of the request:
    // the customer, its audit entry, its outbox event, its idempotency record.
    await sleep(500);
    const traces = await itemsMentioning(topology, 'global', [subject, idempotencyKey, email]);
    expect(traces.length === 0, `the global tables hold items of the refused request: ${traces.join(', ')}`);
    const pointer = answer.body.endpoint ?? answer.body.zone;
    return `421 from ${answer.servedBy} pointing to ${pointer}; no item of the request in the global tables`;
  },
};

export const COMMERCE_STEPS: readonly DemoStep[] = [checkout, webhook, euCustomer, misdirected];
