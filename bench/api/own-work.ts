import { demoProducts } from '../../lambdas/adapters/catalog-seed';
import { createApp } from '../../lambdas/api/app';
import { type DevKeys, devVerifier } from '../../local/dev-auth';
import { LocalPaymentProvider } from '../../local/payment-provider';
import { instantDocumentClient } from '../support/instant-document-client';
import { DynamoClock, measureInterleaved, type Stats } from '../support/interleave';
import { TelemetrySink } from '../support/telemetry-sink';
import { benchCellConfig, productionTelemetry } from './bench-cell';

/** get-product and checkout against an app whose DynamoDB answers at once: the API's own CPU work. */
export async function measureOwnWork(
  keys: DevKeys,
  auth: Readonly<Record<string, string>>,
  requests: number,
): Promise<Record<'getProduct' | 'checkout', Stats>> {
  const memory = new Map<string, Record<string, unknown>>();
  const [product] = demoProducts(1_000_000);
  memory.set('PRODUCT#sku-0001|PRODUCT', {
    pk: 'PRODUCT#sku-0001',
    sk: 'PRODUCT',
    entity: 'product',
    ...product,
  });
  memory.set('CART#mem-cart|CART', {
    pk: 'CART#mem-cart',
    sk: 'CART',
    entity: 'cart',
    id: 'mem-cart',
    customerId: 'bench-customer',
    currency: 'EUR',
    status: 'open',
    lines: [{ productId: 'sku-0001', name: 'x', quantity: 1, unitPriceMinor: 100 }],
    totalMinor: 100,
    version: 2,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  });
  const config = benchCellConfig('memory');
  const memoryApp = createApp({
    config,
    documentClient: instantDocumentClient(memory),
    ...productionTelemetry(config, new TelemetrySink()),
    authVerifier: devVerifier(keys),
    paymentProvider: new LocalPaymentProvider(),
  });
  return measureInterleaved(
    requests,
    {
      getProduct: {
        run: async () => {
          const response = await memoryApp.request('/v1/products/sku-0001');
          if (response.status !== 200) throw new Error(`memory get-product ${response.status}`);
        },
      },
      checkout: {
        run: async (i) => {
          const response = await memoryApp.request('/v1/checkout', {
            method: 'POST',
            headers: { ...auth, 'idempotency-key': `mem-${i}` },
            body: JSON.stringify({ cartId: 'mem-cart' }),
          });
          if (response.status !== 201)
            throw new Error(`memory checkout ${response.status} ${await response.text()}`);
        },
      },
    },
    { clock: new DynamoClock() },
  );
}
