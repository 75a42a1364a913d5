import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalControlClient, LocalFaultInjector } from '../../../chaos/injectors/local';
import { NonLoopbackTargetError } from '../../../loadtests/loopback';

/**
 * A minimal /control/state: global's cells, its writers when the topology fences it, and the writes
 * delivered toward the primary so far.
 */
function controlState(writers: string[] | undefined, deliveredTowardPrimary: number) {
  return {
    cells: ['us-east-1', 'us-west-2'].map((region, i) => ({
      zone: 'global',
      region,
      role: i === 0 ? 'primary' : 'secondary',
      running: true,
      forcedUnhealthy: false,
      addedLatencyMs: 0,
      healthy: true,
    })),
    serving: { global: 'us-east-1' },
    replication: {
      global: {
        paused: false,
        lagMs: 0,
        pending: 0,
        toward: { 'us-east-1': { pending: 0, behindMs: null, delivered: deliveredTowardPrimary } },
      },
    },
    webhookSink: { fault: { mode: 'none' }, received: 0 },
    ...(writers ? { fencing: { global: { writers, promotions: [], changes: [] } } } : {}),
  };
}

/** What the stand-in control API answers; `deliveredPerLook` writes are delivered per look at `/state`. */
interface FakeAnswer {
  writers?: string[];
  failbackRefusals: number;
  delivered: number;
  deliveredPerLook: number;
}

/**
 * A stand-in control API that records what it is asked to do (state reads are not recorded). `/state`
 * answers global fenced with the primary as writer unless a test says otherwise.
 */
async function fakeControl(): Promise<{ url: string; calls: string[]; server: Server; answer: FakeAnswer }> {
  const calls: string[] = [];
  const answer: FakeAnswer = {
    writers: ['us-east-1'],
    failbackRefusals: 0,
    delivered: 0,
    deliveredPerLook: 0,
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url === '/control/state') {
        res.writeHead(200, { 'content-type': 'application/json' });
        answer.delivered += answer.deliveredPerLook;
        res.end(JSON.stringify(controlState(answer.writers, answer.delivered)));
        return;
      }
      calls.push(`${req.method} ${req.url} ${body}`);
      if (req.url === '/control/zones/global/failback' && answer.failbackRefusals > 0) {
        answer.failbackRefusals -= 1;
        res.writeHead(409, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ status: 409, code: 'not_now', detail: 'not caught up: 3 writes pending' }));
        return;
      }
      if (req.url === '/control/zones/global/failback') answer.writers = ['us-east-1'];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // The endpoints file names the control base as <edge>/control; routes are relative to it.
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/control`,
    calls,
    server,
    answer,
  };
}

describe('local fault injector (control API)', () => {
  let control: Awaited<ReturnType<typeof fakeControl>>;
  beforeAll(async () => {
    control = await fakeControl();
  });
  afterAll(() => new Promise((r) => control.server.close(r)));
  beforeEach(() => {
    control.calls.splice(0);
    control.answer.writers = ['us-east-1'];
    control.answer.failbackRefusals = 0;
    control.answer.deliveredPerLook = 0;
  });

  it.each([
    [
      { kind: 'cell-stop', zone: 'global', region: 'us-east-1' } as const,
      'POST /control/cells/global/us-east-1/stop {}',
      'POST /control/cells/global/us-east-1/start {}',
    ],
    [
      { kind: 'cell-unhealthy', zone: 'global', region: 'us-east-1' } as const,
      'POST /control/cells/global/us-east-1/health {"healthy":false}',
      'POST /control/cells/global/us-east-1/health {"healthy":true}',
    ],
    [
      { kind: 'cell-latency', zone: 'global', region: 'us-east-1', ms: 1500 } as const,
      'POST /control/cells/global/us-east-1/latency {"ms":1500}',
      'POST /control/cells/global/us-east-1/latency {"ms":0}',
    ],
    [
      { kind: 'replication-pause', zone: 'global' } as const,
      'POST /control/replication/global/pause {}',
      'POST /control/replication/global/resume {}',
    ],
    [
      { kind: 'webhook-sink', fault: { mode: 'fail', count: 5, status: 503 } } as const,
      'POST /control/webhook-sink/fault {"mode":"fail","count":5,"status":503}',
      'POST /control/webhook-sink/fault {"mode":"none"}',
    ],
    [
      { kind: 'cdn-stop', vendor: 'cloudflare' } as const,
      'POST /control/cdn/cloudflare/stop {}',
      'POST /control/cdn/cloudflare/start {}',
    ],
  ])(
    '%o: injects and rolls back once through the contract routes',
    async (fault, injectCall, rollbackCall) => {
      const injector = new LocalFaultInjector(new LocalControlClient(control.url), fault);
      await injector.inject();
      await injector.rollback();
      await injector.rollback();
      expect(control.calls).toEqual([injectCall, rollbackCall]);
      expect(injector.describe().simulated).toBe(true);
    },
  );

  it.each([
    ['the writer moved (the promoter ran)', ['us-west-2'], 2, true],
    ['the writer never moved', ['us-east-1'], 0, false],
    ['the topology does not fence the zone', undefined, 0, false],
  ])(
    "a cell fault's rollback fails a fenced zone back as a step, retried while refused: %s",
    async (_case, writers, refusals, failsBack) => {
      // Arrange
      control.answer.writers = writers;
      control.answer.failbackRefusals = refusals;
      const injector = new LocalFaultInjector(new LocalControlClient(control.url), {
        kind: 'cell-stop',
        zone: 'global',
        region: 'us-east-1',
      });
      // Act
      await injector.inject();
      await injector.rollback();
      // Assess
      const failback = 'POST /control/zones/global/failback {}';
      expect(control.calls).toEqual([
        'POST /control/cells/global/us-east-1/stop {}',
        'POST /control/cells/global/us-east-1/start {}',
        ...(failsBack ? Array.from({ length: refusals + 1 }, () => failback) : []),
      ]);
    },
  );

  describe('a failback waits while replication toward the primary catches up, not a fixed time', () => {
    const patience = { stallMs: 600, ceilingMs: 4_000, sayEveryMs: 300 };
    const cellStop = { kind: 'cell-stop', zone: 'global', region: 'us-east-1' } as const;

    it('keeps trying past the stall bound while writes are delivered, says where it stands, and fails back', async () => {
      // Arrange: refused for about 2 s (10 tries 200 ms apart), more than three stall bounds, while writes arrive
      control.answer.writers = ['us-west-2'];
      control.answer.failbackRefusals = 10;
      control.answer.deliveredPerLook = 5;
      const said: string[] = [];
      const injector = new LocalFaultInjector(new LocalControlClient(control.url), cellStop, patience);
      // Act
      await injector.inject();
      await injector.rollback((line) => said.push(line));
      // Assess
      expect(control.calls.filter((c) => c.includes('/failback'))).toHaveLength(11);
      expect(control.answer.writers).toEqual(['us-east-1']);
      expect(said.length).toBeGreaterThanOrEqual(1);
      expect(said[0]).toMatch(
        /waiting for global to fail back to its primary: not caught up: 3 writes pending/,
      );
    });

    it('gives up once nothing has been delivered for the stall bound, and says so', async () => {
      // Arrange: refused for good, nothing moving
      control.answer.writers = ['us-west-2'];
      control.answer.failbackRefusals = 1_000;
      const injector = new LocalFaultInjector(new LocalControlClient(control.url), cellStop, patience);
      await injector.inject();
      // Act / Assess: the stall, not the ceiling, ended it
      await expect(injector.rollback()).rejects.toThrow(
        /global to fail back to its primary \(not caught up: 3 writes pending; nothing delivered for 0.6 s\); went on without it/,
      );
    });

    it('gives up at the ceiling when writes keep arriving and it is never caught up', async () => {
      // Arrange
      control.answer.writers = ['us-west-2'];
      control.answer.failbackRefusals = 1_000;
      control.answer.deliveredPerLook = 1;
      const injector = new LocalFaultInjector(new LocalControlClient(control.url), cellStop, patience);
      await injector.inject();
      // Act / Assess: undone late, once (a second rollback, as the orchestrator's `finally` makes, waits no more)
      await expect(injector.rollback()).rejects.toThrow(
        /still moving at the 4 s ceiling\); went on without it/,
      );
      const calls = control.calls.length;
      await injector.rollback();
      expect(control.calls).toHaveLength(calls);
    });
  });

  it('split-brain: in a fenced zone, pauses replication, cuts the primary off from ARC and promotes; undone in reverse, then fails back', async () => {
    // Arrange: the promotion moves the writer (the fake's state follows it)
    const injector = new LocalFaultInjector(new LocalControlClient(control.url), {
      kind: 'split-brain',
      zone: 'global',
    });
    // Act
    await injector.inject();
    control.answer.writers = ['us-west-2'];
    await injector.rollback();
    // Assess
    expect(control.calls).toEqual([
      'POST /control/replication/global/pause {}',
      'POST /control/cells/global/us-east-1/arc {"reachable":false}',
      'POST /control/zones/global/promote {}',
      'POST /control/cells/global/us-east-1/arc {"reachable":true}',
      'POST /control/replication/global/resume {}',
      'POST /control/zones/global/failback {}',
    ]);
  });

  it('split-brain: in an unfenced zone, only pauses and resumes replication', async () => {
    // Arrange
    control.answer.writers = undefined;
    const injector = new LocalFaultInjector(new LocalControlClient(control.url), {
      kind: 'split-brain',
      zone: 'global',
    });
    // Act
    await injector.inject();
    await injector.rollback();
    // Assess
    expect(control.calls).toEqual([
      'POST /control/replication/global/pause {}',
      'POST /control/replication/global/resume {}',
    ]);
  });

  it('region-loss: cuts replication before stopping the cell, and restores it as a step: catch-up, then serve', async () => {
    // Prepare: a control API whose region loss catches up on the second look at /state.
    const calls: string[] = [];
    let looks = 0;
    const state = (phase: string | undefined) => ({
      cells: [],
      serving: {},
      replication: {
        global: {
          paused: phase === 'cut',
          lagMs: 0,
          pending: 0,
          ...(phase
            ? {
                regionLoss: {
                  region: 'us-east-1',
                  phase,
                  cutAtMs: 1,
                  withheldFromLostRegion: phase === 'caught-up' ? 0 : 3,
                  withheldForLostRegion: 0,
                },
              }
            : {}),
        },
      },
      webhookSink: { fault: { mode: 'none' }, received: 0 },
    });
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls.push(`${req.method} ${req.url}`);
        const phase = req.url === '/control/state' ? (looks++ === 0 ? 'catching-up' : 'caught-up') : 'cut';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(state(phase)));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/control`;
    try {
      const injector = new LocalFaultInjector(new LocalControlClient(url), {
        kind: 'region-loss',
        zone: 'global',
        region: 'us-east-1',
      });
      // Act
      await injector.inject();
      const injected = [...calls];
      await injector.rollback();
      // Assess
      expect(injected).toEqual([
        'POST /control/replication/global/lose',
        'POST /control/cells/global/us-east-1/stop',
      ]);
      expect(calls.slice(injected.length)).toEqual([
        'POST /control/replication/global/restore',
        'GET /control/state',
        'GET /control/state',
        'POST /control/cells/global/us-east-1/start',
        'POST /control/replication/global/resume',
        'GET /control/state', // the failback step looks: the zone is not fenced here, nothing to do
      ]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('rejects a fault outside the contract before calling anything', () => {
    expect(
      () =>
        new LocalFaultInjector(new LocalControlClient(control.url), {
          kind: 'cell-latency',
          zone: 'global',
          region: 'us-east-1',
          ms: 120_000,
        }),
    ).toThrow();
    expect(control.calls).toEqual([]);
  });

  it('refuses a control API that is not on loopback', () => {
    expect(() => new LocalControlClient('http://10.1.2.3:9000')).toThrow(NonLoopbackTargetError);
  });
});
