import { type TopologyControl, controlRoutes } from '../../local/control-api';

/**
 * The control API must not be drivable by a web page the operator visits: a
 * cross-site `text/plain` POST, a foreign Origin, a foreign Host (DNS
 * rebinding) are refused and do nothing; the operator's own tools (curl,
 * fetch, the drills) with a JSON body on 127.0.0.1 keep working.
 */
function fakeControl() {
  const calls: string[] = [];
  const control = {
    state: () => ({
      cells: [],
      serving: {},
      replication: {},
      webhookSink: { fault: { mode: 'none' }, received: 0 },
    }),
    reset: async () => void calls.push('reset'),
    pauseReplication: (zone: string) => void calls.push(`pause ${zone}`),
    loseRegion: (zone: string, region: string) => void calls.push(`lose ${zone} ${region}`),
    restoreRegion: (zone: string) => void calls.push(`restore ${zone}`),
    setRelayRunning: async (zone: string, region: string, running: boolean) =>
      void calls.push(`relay ${zone} ${region} ${running ? 'start' : 'stop'}`),
    relayForeignEvents: async (zone: string, region: string, windowMinutes?: number) => {
      calls.push(`relay-foreign-events ${zone} ${region} ${windowMinutes ?? 'default'}`);
      return { examined: 3, relayed: 1, deliveriesEnqueued: 1, failedEventIds: [] };
    },
    issueToken: async () => {
      calls.push('token');
      return { token: 'issued-token', expiresIn: 60 };
    },
  } as unknown as TopologyControl;
  const app = controlRoutes(control);
  const call = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    app.request(`http://127.0.0.1:4400${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  return { calls, call };
}

describe('local control API: loopback callers only', () => {
  const json = { 'content-type': 'application/json', host: '127.0.0.1:4400' };

  it.each([
    [
      'a cross-site text/plain POST (a form or no-cors fetch)',
      { 'content-type': 'text/plain', host: '127.0.0.1:4400', origin: 'https://evil.example' },
      403,
    ],
    ['a text/plain POST without Origin', { 'content-type': 'text/plain', host: '127.0.0.1:4400' }, 415],
    ['a POST without Content-Type', { host: '127.0.0.1:4400' }, 415],
    ['a foreign Origin with JSON', { ...json, origin: 'https://evil.example' }, 403],
    ['Origin null (sandboxed frame, file:)', { ...json, origin: 'null' }, 403],
    ['another local origin', { ...json, origin: 'http://127.0.0.1:3000' }, 403],
    ['a foreign Host (DNS rebinding)', { ...json, host: 'evil.example:4400' }, 403],
    ['a rebinding name that starts like loopback', { ...json, host: '127.0.0.1.evil.example:4400' }, 403],
  ])('refuses %s and issues nothing', async (_what, headers, status) => {
    // Prepare
    const { calls, call } = fakeControl();
    // Act
    const response = await call('POST', '/tokens', headers, '{"subject":"x"}');
    const text = await response.text();
    // Assess
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(text).not.toContain('issued-token');
    expect(calls).toEqual([]);
  });

  it('refuses to show the state to a foreign Host (a rebinding page reading it)', async () => {
    const { call } = fakeControl();
    const response = await call('GET', '/state', { host: 'evil.example:4400' });
    expect(response.status).toBe(403);
  });

  it.each([
    ['127.0.0.1', { ...json }],
    ['localhost', { ...json, host: 'localhost:4400' }],
    ['[::1]', { ...json, host: '[::1]:4400' }],
    ['its own origin', { ...json, origin: 'http://127.0.0.1:4400' }],
  ])('serves the operator on %s', async (_what, headers) => {
    const { calls, call } = fakeControl();
    const token = await call('POST', '/tokens', headers, '{"subject":"ops"}');
    const reset = await call('POST', '/reset', headers);
    const state = await call('GET', '/state', { host: headers.host });
    expect([token.status, reset.status, state.status]).toEqual([200, 200, 200]);
    expect(calls).toEqual(['token', 'reset']);
  });
});

describe('local control API: region loss', () => {
  const json = { 'content-type': 'application/json', host: '127.0.0.1:4400' };

  it('passes the zone and the lost region on, and restores the zone', async () => {
    const { calls, call } = fakeControl();
    const lose = await call('POST', '/replication/global/lose', json, '{"region":"us-east-1"}');
    const restore = await call('POST', '/replication/global/restore', json);
    expect([lose.status, restore.status]).toEqual([200, 200]);
    expect(calls).toEqual(['lose global us-east-1', 'restore global']);
  });

  it('refuses a loss without a region, and does nothing', async () => {
    const { calls, call } = fakeControl();
    const response = await call('POST', '/replication/global/lose', json, '{}');
    expect(response.status).toBe(400);
    expect(calls).toEqual([]);
  });
});

describe('local control API: outbox relay and relay-foreign-events', () => {
  const json = { 'content-type': 'application/json', host: '127.0.0.1:4400' };

  it('stops and starts a cell relay, and runs the task with the window asked for, answering its result', async () => {
    // Prepare
    const { calls, call } = fakeControl();
    // Act
    const stop = await call('POST', '/cells/global/us-east-1/relay/stop', json);
    const start = await call('POST', '/cells/global/us-east-1/relay/start', json);
    const task = await call(
      'POST',
      '/cells/global/us-west-2/relay-foreign-events',
      json,
      '{"windowMinutes":60}',
    );
    const byDefault = await call('POST', '/cells/global/us-west-2/relay-foreign-events', json);
    // Assess
    expect([stop.status, start.status, task.status, byDefault.status]).toEqual([200, 200, 200, 200]);
    expect(await task.json()).toEqual({ examined: 3, relayed: 1, deliveriesEnqueued: 1, failedEventIds: [] });
    expect(calls).toEqual([
      'relay global us-east-1 stop',
      'relay global us-east-1 start',
      'relay-foreign-events global us-west-2 60',
      'relay-foreign-events global us-west-2 default',
    ]);
  });

  it.each([['{"windowMinutes":0}'], ['{"windowMinutes":2000}'], ['{"window":5}']])(
    'refuses the task with %s, and runs nothing',
    async (body) => {
      const { calls, call } = fakeControl();
      const response = await call('POST', '/cells/global/us-west-2/relay-foreign-events', json, body);
      expect(response.status).toBe(400);
      expect(calls).toEqual([]);
    },
  );
});
