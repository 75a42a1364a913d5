import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthChecker } from '../../local/health-checker';

/** Route 53 semantics: `failureThreshold` consecutive failures to turn unhealthy, as many successes to recover. */
describe('local/health-checker HealthChecker', () => {
  let server: Server;
  let status = 200;
  let url: string;

  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/health`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    status = 200;
  });

  const checker = (changes: boolean[]) =>
    new HealthChecker({
      name: 'test',
      url,
      intervalMs: 60_000,
      failureThreshold: 3,
      timeoutMs: 2000,
      onChange: (healthy) => changes.push(healthy),
    });

  it('turns unhealthy only after the threshold of consecutive failures', async () => {
    // Prepare
    const changes: boolean[] = [];
    const subject = checker(changes);
    await subject.start();
    status = 503;
    // Act
    await subject.check();
    await subject.check();
    const afterTwo = subject.isHealthy;
    await subject.check();
    // Assess
    expect(afterTwo).toBe(true);
    expect(subject.isHealthy).toBe(false);
    expect(changes).toEqual([false]);
    await subject.stop();
  });

  it('needs as many consecutive successes to recover, and a failure in between restarts the count', async () => {
    // Prepare
    const changes: boolean[] = [];
    const subject = checker(changes);
    status = 503;
    await subject.start();
    // Act
    status = 200;
    await subject.check();
    await subject.check();
    status = 500;
    await subject.check();
    status = 200;
    await subject.check();
    await subject.check();
    const beforeThird = subject.isHealthy;
    await subject.check();
    // Assess
    expect(beforeThird).toBe(false);
    expect(subject.isHealthy).toBe(true);
    expect(changes).toEqual([true]);
    await subject.stop();
  });

  it('counts a refused connection as a failure', async () => {
    // Prepare: a port that was free a moment ago and has nobody listening.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const subject = new HealthChecker({
      name: 'refused',
      url: `http://127.0.0.1:${port}/v1/health`,
      intervalMs: 60_000,
      failureThreshold: 1,
      timeoutMs: 1000,
    });
    // Act
    await subject.start();
    // Assess
    expect(subject.isHealthy).toBe(false);
    expect(subject.snapshot().lastStatus).toBe('ECONNREFUSED');
    await subject.stop();
  });
});
