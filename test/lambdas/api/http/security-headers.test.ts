import { handle } from 'hono/aws-lambda';
import {
  API_CONTENT_SECURITY_POLICY,
  STRICT_TRANSPORT_SECURITY,
} from '../../../../lambdas/api/http/security-headers';
import { PERSONAL_DATA_PATH_PREFIXES } from '../../../../lambdas/core/data-classification';
import { createHarness, type Harness } from '../harness';

/** Security headers on API responses, through the app (and through the Lambda adapter for TLS). */
describe('security headers of the API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.drop());

  it('sends nosniff and a deny-all CSP on every response, success and problem alike', async () => {
    // Act
    const responses = await Promise.all(
      ['/v1/health', '/v1/products', '/v1/carts/nope', '/v1/nowhere'].map((path) =>
        h.app.request(`http://localhost${path}`),
      ),
    );
    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 200, 401, 404]);
    for (const response of responses) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toBe(API_CONTENT_SECURITY_POLICY);
    }
  });

  it.each(PERSONAL_DATA_PATH_PREFIXES.map((prefix) => [prefix]))(
    'sends Cache-Control: no-store on personal data (%s), also on success',
    async (prefix) => {
      const token = await h.token(`no-store-${prefix.replace(/\W/g, '')}`);
      const response = await h.app.request(`http://localhost${prefix}/x`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBeLessThan(500);
      expect(response.headers.get('cache-control')).toBe('no-store');
    },
  );

  it('sends a successful personal-data read with no-store, and leaves the public catalog cacheable', async () => {
    // Prepare
    const token = await h.token('cacheable');
    const created = await h.call('POST', '/v1/carts', { token, key: 'cache-1', body: {} });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    // Act
    const cart = await h.app.request(`http://localhost/v1/carts/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const catalog = await h.app.request('http://localhost/v1/products');
    // Assess
    expect(cart.status).toBe(200);
    expect(cart.headers.get('cache-control')).toBe('no-store');
    expect(catalog.headers.get('cache-control')).toMatch(/max-age/);
  });

  it('sends Strict-Transport-Security only when the request came over TLS', async () => {
    const plain = await h.app.request('http://localhost/v1/health');
    const tls = await h.app.request('https://api.us-east-1.global.shop.example.com/v1/health');
    const spoofed = await h.app.request('http://localhost/v1/health', {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    expect(spoofed.headers.get('strict-transport-security')).toBeNull();
    expect(tls.headers.get('strict-transport-security')).toBe(STRICT_TRANSPORT_SECURITY);
  });

  it('sends Strict-Transport-Security behind API Gateway (the Lambda entry, always TLS)', async () => {
    // Act: an API Gateway REST proxy event through the same adapter lambdas/api/lambda.ts uses.
    const result = (await handle(h.app)(
      {
        resource: '/{proxy+}',
        path: '/v1/health',
        httpMethod: 'GET',
        headers: { Host: 'api.us-east-1.global.shop.example.com' },
        multiValueHeaders: {},
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        pathParameters: null,
        stageVariables: null,
        body: null,
        isBase64Encoded: false,
        requestContext: {
          domainName: 'api.us-east-1.global.shop.example.com',
          path: '/prod/v1/health',
          stage: 'prod',
          httpMethod: 'GET',
          requestId: 'r1',
          identity: { sourceIp: '203.0.113.7' },
        },
      } as never,
      {} as never,
    )) as {
      statusCode: number;
      headers?: Record<string, string>;
      multiValueHeaders?: Record<string, string[]>;
    };
    // Assess
    const headers = Object.fromEntries(
      Object.entries(result.multiValueHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), v.join(', ')]),
    );
    const all = {
      ...headers,
      ...Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    };
    expect(result.statusCode).toBe(200);
    expect(all['strict-transport-security']).toBe(STRICT_TRANSPORT_SECURITY);
    expect(all['x-content-type-options']).toBe('nosniff');
  });
});
