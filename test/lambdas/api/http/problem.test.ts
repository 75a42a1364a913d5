import { Logger } from '@aws-lambda-powertools/logger';
import { createHarness, type Harness } from '../harness';

/**
 * A client that closes its connection while its body is being read is not an
 * API error: it is logged at INFO, never as ERROR "unhandled error", and the
 * request's Idempotency-Key stays free for the retry.
 */
describe('error handling of a client that goes away mid-body', () => {
  let h: Harness;
  const logger = new Logger({ logLevel: 'INFO' });
  const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);

  beforeAll(async () => {
    h = await createHarness({ logger });
  });
  afterAll(() => h.drop());

  it('logs INFO "client closed the request", no ERROR, and a retry with the same key runs', async () => {
    // Prepare: what @hono/node-server hands the app when the socket closes: the body stream fails
    // with node's `aborted` (ECONNRESET) and the request's signal is aborted.
    const token = await h.token('leaver');
    const abort = new AbortController();
    let fail: (reason: Error) => void = () => undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"currency":'));
        fail = (reason) => controller.error(reason);
      },
    });
    const request = new Request('http://localhost/v1/carts', {
      method: 'POST',
      body,
      duplex: 'half',
      signal: abort.signal,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': 'leaver-1',
      },
    } as RequestInit);
    // Act
    const pending = h.app.fetch(request);
    await new Promise((r) => setImmediate(r));
    abort.abort();
    fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    const answer = await pending;
    const retry = await h.call('POST', '/v1/carts', { token, key: 'leaver-1', body: {} });
    // Assess
    expect(answer.status).toBeLessThan(500);
    expect(error).not.toHaveBeenCalled();
    expect(info).toHaveBeenCalledWith(
      'client closed the request',
      expect.objectContaining({ reason: 'aborted' }),
    );
    expect(retry.status).toBe(201);
  });
});
