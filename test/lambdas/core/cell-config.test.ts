import { type CellFacts, cellConfigSchema, cellEnvironment } from '../../../lambdas/core/cell-config';

/** The one builder of a cell's variables (used by the CDK construct and the local topology). */
describe('cellEnvironment', () => {
  const facts: CellFacts = {
    appName: 'commerce',
    zone: 'global',
    region: 'us-east-1',
    role: 'primary',
    tableName: 'commerce-global-commerce',
    zoneEndpoints: { global: 'https://api.global.shop.example.com' },
    zoneCells: [
      { region: 'us-east-1', role: 'primary', endpoint: 'https://api.us-east-1.global.shop.example.com' },
    ],
    zoneGeographies: { global: ['default'] },
    appVersion: '1.2.3',
    auth: {
      issuer: 'https://login.example.com/',
      audience: 'commerce-api',
      jwksUrl: 'https://login.example.com/jwks',
    },
    eventBusName: 'commerce-global',
    webhookQueueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/q',
    writerFence: {
      routingControlArn: 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/rc',
      clusterEndpoints: [{ endpoint: 'https://host-aaaaaa.us-east-1.example.com/v1', region: 'us-east-1' }],
    },
  };

  it('sets every variable the runtime schema reads when every fact is given, and the schema reads them back', () => {
    // Act
    const env = cellEnvironment({ ...facts, auth: { ...facts.auth!, jwksJson: '{"keys":[]}' } });
    const config = cellConfigSchema.parse(env);
    // Assess
    expect(Object.keys(env).sort()).toEqual(Object.keys(cellConfigSchema.shape).sort());
    expect(config).toMatchObject({
      APP_NAME: 'commerce',
      CELL_ROLE: 'primary',
      TABLE_NAME: 'commerce-global-commerce',
      ZONE_ENDPOINTS: { global: 'https://api.global.shop.example.com' },
      ZONE_CELLS: [
        { region: 'us-east-1', role: 'primary', endpoint: 'https://api.us-east-1.global.shop.example.com' },
      ],
      ZONE_GEOGRAPHIES: { global: ['default'] },
      AUTH_JWKS_URL: 'https://login.example.com/jwks',
      EVENT_BUS_NAME: 'commerce-global',
      WRITER_FENCE: 'arc',
      ARC_CLUSTER_ENDPOINTS: [
        { endpoint: 'https://host-aaaaaa.us-east-1.example.com/v1', region: 'us-east-1' },
      ],
    });
  });

  it('leaves unset facts out, so the schema defaults apply', () => {
    // Act
    const {
      auth: _auth,
      appVersion: _version,
      eventBusName: _bus,
      webhookQueueUrl: _queue,
      ...required
    } = facts;
    const env = cellEnvironment(required);
    // Assess
    expect(env).not.toHaveProperty('AUTH_ISSUER');
    expect(env).not.toHaveProperty('APP_VERSION');
    expect(Object.values(env).every((value) => typeof value === 'string')).toBe(true);
    expect(cellConfigSchema.parse(env)).toMatchObject({
      APP_VERSION: 'dev',
      AUTH_ISSUER: 'https://auth.local.invalid/',
    });
  });
});
