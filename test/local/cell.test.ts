import { cellConfigSchema } from '../../lambdas/core/cell-config';
import { cellEnvironment as cloudCellEnvironment } from '../../lib/constructs/cell-environment';
import { loadTopology } from '../../lib/topology';
import { localCellConfig } from '../../local/cell';
import { authFacts, generateDevKeys } from '../../local/dev-auth';

describe('a local cell configuration', () => {
  it("is the CDK construct's configuration of the same cell, with local endpoints and the local issuer", async () => {
    // Prepare
    const model = loadTopology();
    const cell = model.cells[1]!;
    const keys = await generateDevKeys();
    const zoneEndpoints = { global: 'http://127.0.0.1:4410', eu: 'http://127.0.0.1:4411' };
    // Act
    const cellPorts: Record<string, number> = { 'us-east-1': 4420, 'us-west-2': 4421 };
    const local = localCellConfig(
      model,
      cell,
      zoneEndpoints,
      (c) => `http://127.0.0.1:${cellPorts[c.region] ?? 0}`,
      authFacts(keys),
    );
    const cloud = cellConfigSchema.parse(cloudCellEnvironment(model, cell, 'commerce-global-commerce'));
    // Assess: where the cell runs changes only its endpoints, its identity provider and its version label
    const {
      ZONE_ENDPOINTS,
      ZONE_CELLS,
      AUTH_ISSUER,
      AUTH_AUDIENCE,
      AUTH_JWKS_JSON,
      AUTH_JWKS_URL,
      APP_VERSION,
      ...same
    } = local;
    expect(cloud).toMatchObject(same);
    expect(ZONE_ENDPOINTS).toEqual(zoneEndpoints);
    expect(cloud.ZONE_ENDPOINTS).toEqual({
      global: 'https://api.global.shop.example.com',
      eu: 'https://api.eu.shop.example.com',
    });
    // The zone's cells are the model's, in the same order and roles; only their endpoints differ.
    expect(ZONE_CELLS).toEqual([
      { region: 'us-east-1', role: 'primary', endpoint: 'http://127.0.0.1:4420' },
      { region: 'us-west-2', role: 'secondary', endpoint: 'http://127.0.0.1:4421' },
    ]);
    expect(cloud.ZONE_CELLS).toEqual([
      { region: 'us-east-1', role: 'primary', endpoint: 'https://api.us-east-1.global.shop.example.com' },
      { region: 'us-west-2', role: 'secondary', endpoint: 'https://api.us-west-2.global.shop.example.com' },
    ]);
    expect(JSON.parse(AUTH_JWKS_JSON!)).toEqual(keys.jwks);
    expect([AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL, APP_VERSION]).toEqual([
      'https://auth.local.invalid/',
      'commerce-api',
      undefined,
      'local',
    ]);
  });
});
