import { defaultMetrics, powertoolsApiMetrics } from '../../../lambdas/api/http/metrics';
import { createHarness, type Harness } from './harness';

describe('EMF request metrics', () => {
  let h: Harness;
  const published: Record<string, unknown>[] = [];
  beforeAll(async () => {
    h = await createHarness();
    const metrics = defaultMetrics('global', 'us-east-1');
    jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      published.push(metrics.serializeMetrics() as unknown as Record<string, unknown>);
      metrics.clearMetrics();
      return metrics;
    });
    h.rebuild({ metrics: powertoolsApiMetrics(metrics) });
  });
  afterAll(() => h.drop());

  const metricNames = (emf: Record<string, unknown>) =>
    (
      (emf._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]!.Metrics ??
      []
    ).map((m) => m.Name);

  it('emits requests and latency with zone and region dimensions', async () => {
    await h.call('GET', '/v1/products/sku-0001');
    const emf = published.at(-1)!;
    expect(metricNames(emf)).toEqual(expect.arrayContaining(['Requests', 'Latency']));
    expect(emf).toMatchObject({ zone: 'global', region: 'us-east-1', Requests: 1 });
  });

  it('counts idempotent replays, idempotency conflicts and residency refusals', async () => {
    const token = await h.token('cust-metrics');
    await h.call('POST', '/v1/carts', { token, key: 'm-1', body: {} });
    await h.call('POST', '/v1/carts', { token, key: 'm-1', body: {} });
    expect(metricNames(published.at(-1)!)).toContain('IdempotentReplays');
    await h.call('POST', '/v1/carts', { token, key: 'm-1', body: { currency: 'USD' } });
    expect(metricNames(published.at(-1)!)).toEqual(
      expect.arrayContaining(['IdempotencyConflicts', 'ClientErrors']),
    );
    await h.call('GET', '/v1/orders', { token: await h.token('cust-eu', { homeZone: 'eu' }) });
    expect(metricNames(published.at(-1)!)).toContain('ResidencyRefusals');
    await h.call('GET', '/v1/orders', { token: await h.token('cust-unknown', { homeZone: null }) });
    expect(metricNames(published.at(-1)!)).toContain('ResidencyRefusals');
  });
});
