import { CatalogCache } from '../../../clients/commerce-client/catalog-cache';
import { createCommerceClient } from '../../../clients/commerce-client/client';
import type { LocalTopology } from '../../../local/topology';
import { bootTestTopology } from '../../support/local-topology';
import { manualClock } from './support/clients';

/**
 * The client against the real API on the local topology (production handlers, SIMULATED
 * infrastructure): discovery from the topology, catalog revalidation with ETag/304, and failover to
 * the zone's other cell without waiting for the edge's (DNS stand-in) health checks.
 */
jest.setTimeout(120_000);

describe('the commerce client on the local topology', () => {
  let topology: LocalTopology;
  beforeAll(async () => {
    topology = await bootTestTopology();
  });
  afterAll(() => topology?.stop());
  afterEach(() => topology.control.reset());

  const zoneEndpoint = () => topology.endpoints.zones!.global!;
  const globalCells = () => topology.endpoints.cells.filter((c) => c.zone === 'global');

  it("learns its zone's cells from GET /v1/discovery: the topology's cells with their real local endpoints", async () => {
    // Prepare
    const commerce = createCommerceClient({ baseUrl: zoneEndpoint() });
    // Act
    const { response } = await commerce.api.GET('/v1/products', { params: { query: { limit: 1 } } });
    // Assess
    expect(response.status).toBe(200);
    const document = commerce.router.discovery;
    expect(document).toMatchObject({ zone: 'global', zoneEndpoint: zoneEndpoint() });
    expect(document?.cells).toEqual(
      globalCells().map((c) => ({ region: c.region, role: c.role, endpoint: c.url })),
    );
    expect(document?.zones).toEqual(
      Object.entries(topology.endpoints.zones!).map(([zone, endpoint]) => ({ zone, endpoint })),
    );
    expect(commerce.router.activeEndpoint).toBe(globalCells().find((c) => c.role === 'primary')!.url);
  });

  it('revalidates its catalog copy with If-None-Match and gets 304 from the API', async () => {
    // Prepare
    const clock = manualClock(Date.now());
    const commerce = createCommerceClient({ baseUrl: zoneEndpoint(), now: clock.now });
    const cache = new CatalogCache({ client: commerce, now: clock.now });
    const first = await cache.listProducts({ limit: 3 });
    expect(first.source).toBe('network');
    // Act: past max-age (60 s), the copy is revalidated
    clock.advance(61_000);
    const second = await cache.listProducts({ limit: 3 });
    // Assess
    expect(second.source).toBe('revalidated');
    expect(second.data).toEqual(first.data);
  });

  it('moves to the secondary cell inside the call when the primary stops, before the edge fails over', async () => {
    // Prepare
    const commerce = createCommerceClient({ baseUrl: zoneEndpoint(), resilience: { initialDelayMs: 1 } });
    const warm = await commerce.api.GET('/v1/products', { params: { query: { limit: 1 } } });
    expect(warm.response.status).toBe(200);
    const primary = globalCells().find((c) => c.role === 'primary')!;
    const secondary = globalCells().find((c) => c.role === 'secondary')!;
    await topology.control.stopCell('global', primary.region);
    // Act
    const after = await commerce.api.GET('/v1/products', { params: { query: { limit: 1 } } });
    // Assess: served by the secondary while the edge still routes the zone to the stopped primary
    expect(after.response.status).toBe(200);
    expect(after.response.headers.get('x-served-by')).toBe(`global/${secondary.region}`);
    expect(commerce.router.activeEndpoint).toBe(secondary.url);
    expect(topology.state().serving.global).toBe(primary.region);
  });
});
