import { loadTopology, zoneByName } from '../../lib/topology';
import type { LocalCellServer } from '../../local/cell';
import { EdgeRouter, type RoutedCell } from '../../local/edge-router';
import type { HealthChecker } from '../../local/health-checker';

/** Routing decisions only (no sockets): failover order, fail-open, and the simulated DNS cache. */
describe('local/edge-router EdgeRouter', () => {
  const model = loadTopology('topology.yaml');
  const global = zoneByName(model, 'global');
  const health = new Map<string, boolean>();

  const cells = new Map<string, RoutedCell>(
    model.cells.map((cell) => {
      const key = EdgeRouter.key(cell.zone, cell.region);
      health.set(key, true);
      const checker = {
        get isHealthy() {
          return health.get(key)!;
        },
      } as unknown as HealthChecker;
      return [key, { server: { url: 'http://127.0.0.1:1' } as LocalCellServer, checker }];
    }),
  );

  beforeEach(() => {
    for (const key of health.keys()) health.set(key, true);
  });

  it('answers the primary while it is healthy, else the secondary', () => {
    // Prepare
    const router = new EdgeRouter(model, cells, 0);
    // Act
    const before = router.resolve(global, 1000);
    health.set('global/us-east-1', false);
    const after = router.resolve(global, 2000);
    // Assess
    expect(before).toBe('us-east-1');
    expect(after).toBe('us-west-2');
    expect(router.failovers).toEqual([
      expect.objectContaining({ zone: 'global', from: 'us-east-1', to: 'us-west-2' }),
    ]);
  });

  it('fails open to the primary when no cell is healthy, and reports that nothing serves', () => {
    // Prepare
    const router = new EdgeRouter(model, cells, 0);
    health.set('global/us-east-1', false);
    health.set('global/us-west-2', false);
    // Act
    const answer = router.authoritativeAnswer(global);
    const serving = router.serving(global);
    // Assess
    expect(answer).toEqual({ region: 'us-east-1', healthy: false });
    expect(serving).toBeNull();
  });

  it('keeps a cached answer for the TTL, like a client resolver', () => {
    // Prepare
    const router = new EdgeRouter(model, cells, 6000);
    router.resolve(global, 0);
    health.set('global/us-east-1', false);
    // Act
    const withinTtl = router.resolve(global, 5999);
    const afterTtl = router.resolve(global, 6000);
    // Assess
    expect(withinTtl).toBe('us-east-1');
    expect(afterTtl).toBe('us-west-2');
  });

  it('routes requests by the x-client-country header', () => {
    // Prepare
    const router = new EdgeRouter(model, cells, 0);
    const request = (country?: string) =>
      new Request('http://edge/v1/health', { headers: country ? { 'x-client-country': country } : {} });
    // Act
    const zones = [request('DE'), request('US'), request()].map((r) => router.zoneForRequest(r).name);
    // Assess
    expect(zones).toEqual(['eu', 'global', 'global']);
  });
});
