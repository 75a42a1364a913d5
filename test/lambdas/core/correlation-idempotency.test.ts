import { parseTraceparent, resolveCorrelationId } from '../../../lambdas/core/correlation';
import { decide, requestFingerprint } from '../../../lambdas/core/idempotency';

describe('correlation ids', () => {
  it('rejects malformed and all-zero traceparents', () => {
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')?.traceId).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it('ignores an unsafe x-correlation-id and generates one', () => {
    expect(resolveCorrelationId('bad id\n', undefined).correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('idempotency decisions', () => {
  const fp = requestFingerprint('POST', '/v1/carts', '{}');
  const response = { status: 201, body: '{}', headers: {} };

  it('fingerprints method, path and body', () => {
    expect(requestFingerprint('POST', '/v1/carts', '{ }')).not.toBe(fp);
    expect(requestFingerprint('PUT', '/v1/carts', '{}')).not.toBe(fp);
    expect(requestFingerprint('post', '/v1/carts', '{}')).toBe(fp);
  });

  it('replays, refuses reuse, reports in-use, and takes over a lapsed lock', () => {
    expect(decide({ state: 'completed', fingerprint: fp, response }, fp, 0, 'us-east-1')).toEqual({
      kind: 'replay',
      response,
    });
    expect(decide({ state: 'completed', fingerprint: 'other', response }, fp, 0, 'us-east-1')).toEqual({
      kind: 'reused',
    });
    const running = {
      state: 'in_progress' as const,
      fingerprint: fp,
      lockToken: 't',
      lockedUntil: 100,
      region: 'us-east-1',
    };
    expect(decide(running, fp, 99, 'us-east-1')).toEqual({ kind: 'in_use' });
    expect(decide(running, fp, 101, 'us-east-1')).toEqual({ kind: 'take_over' });
  });

  it("takes over at once a lock the zone's other cell held (it is fenced while this cell writes)", () => {
    const replicated = {
      state: 'in_progress' as const,
      fingerprint: fp,
      lockToken: 't',
      lockedUntil: 100,
      region: 'us-east-1',
    };
    expect(decide(replicated, fp, 0, 'us-west-2')).toEqual({ kind: 'take_over' });
    expect(decide({ ...replicated, fingerprint: 'other' }, fp, 0, 'us-west-2')).toEqual({ kind: 'reused' });
  });
});
