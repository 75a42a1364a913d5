import { createCommerceClient } from '../../../clients/commerce-client/client';

describe('createCommerceClient', () => {
  it('says what is wrong with its options', () => {
    expect(() => createCommerceClient({ baseUrl: 'api.example.com' })).toThrow(
      /baseUrl must be an http\(s\) URL/,
    );
    expect(() =>
      createCommerceClient({ baseUrl: 'https://api.example.com', resilience: { attemptTimeoutMs: 0 } }),
    ).toThrow(/resilience\.attemptTimeoutMs/);
  });

  it('sends the token from the token function on every attempt', async () => {
    const seen: Array<string | null> = [];
    let token = 'first';
    const client = createCommerceClient({
      baseUrl: 'http://api.test',
      token: () => token,
      fetch: async (input, init) => {
        if (String(input).endsWith('/v1/discovery')) return new Response(null, { status: 404 });
        seen.push(new Headers(init?.headers).get('authorization'));
        return Response.json({ items: [] });
      },
    });
    await client.api.GET('/v1/products');
    token = 'refreshed';
    await client.api.GET('/v1/products');
    expect(seen).toEqual(['Bearer first', 'Bearer refreshed']);
  });
});
