import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientLink } from '../../local/client-link';

describe('local/client-link ClientLink (SIMULATED device network)', () => {
  let server: Server;
  let base: string;
  let served = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      served += 1;
      response.writeHead(request.url === '/v1/checkout' ? 201 : 200).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses every request while cut, as fetch fails offline, and counts them', async () => {
    // Prepare
    const link = new ClientLink('kiosk');
    const servedBefore = served;
    link.cut();
    // Act
    const refused = await link.fetch(`${base}/v1/products`).catch((error: Error) => error);
    link.restore();
    const after = await link.fetch(`${base}/v1/products`);
    // Assess
    expect(refused).toBeInstanceOf(TypeError);
    expect(link.refused).toBe(1);
    expect(after.status).toBe(200);
    expect(served).toBe(servedBefore + 1);
  });

  it('cutAfter delivers the matching response, then cuts before the next request', async () => {
    // Prepare
    const link = new ClientLink('kiosk');
    link.cutAfter((url, response) => response.status === 201 && new URL(url).pathname === '/v1/checkout');
    // Act
    const before = await link.fetch(`${base}/v1/carts`);
    const stillUp = link.isCut;
    const placed = await link.fetch(`${base}/v1/checkout`, { method: 'POST' });
    const next = await link.fetch(`${base}/v1/carts`).catch((error: Error) => error);
    // Assess
    expect(before.status).toBe(200);
    expect(stillUp).toBe(false);
    expect(placed.status).toBe(201);
    expect(next).toBeInstanceOf(TypeError);
    expect(link.isCut).toBe(true);
    link.restore();
    expect((await link.fetch(`${base}/v1/carts`)).status).toBe(200); // one shot: not cut again
  });
});
