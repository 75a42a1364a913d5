import { REPLICATION_LATENCY_ALARM_MS } from '../../lib/topology';
import { type ControlState, controlStateSchema } from '../../local/contract';
import type { LocalTopology } from '../../local/topology';
import { bootTestTopology } from '../support/local-topology';
import { waitUntil } from '../support/wait';

/**
 * The local topology with `writerFence` on, from an operator's and a client's side: one writer per zone,
 * promotion by the production promoter when the primary fails, the old primary fenced when it comes back,
 * failback only as a step and only once caught up. Every call's status is checked before its effect.
 */
jest.setTimeout(120_000);

/** Long enough for several health-check intervals and DNS TTLs at time scale 0.1 on a loaded machine. */
const BOUND_MS = 45_000;

async function control(topology: LocalTopology, path: string, body?: unknown) {
  const response = await fetch(`${topology.endpoints.control}${path}`, {
    method: path === '/state' ? 'GET' : 'POST',
    ...(path === '/state'
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function state(topology: LocalTopology) {
  const { status, json } = await control(topology, '/state');
  expect(status).toBe(200);
  return controlStateSchema.parse(json);
}

describe('writer fencing in the local topology (--writer-fence)', () => {
  let topology: LocalTopology;
  let token: string;
  const cellUrl = (region: string) => topology.endpoints.cells.find((c) => c.region === region)!.url;
  const zoneUrl = () => topology.endpoints.zones!.global!;

  /** A write (create a cart) as a client sends it; `key` makes each attempt its own request. */
  async function createCart(baseUrl: string, key: string) {
    const response = await fetch(`${baseUrl}/v1/carts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'idempotency-key': key,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    const json = (await response.json()) as Record<string, unknown>;
    return { status: response.status, code: json.code, servedBy: response.headers.get('x-served-by') };
  }

  beforeAll(async () => {
    topology = await bootTestTopology({ writerFence: true });
    const issued = await control(topology, '/tokens', { subject: 'fence-shopper', homeZone: 'global' });
    expect(issued.status).toBe(200);
    token = issued.json.token as string;
  }, 90_000);
  afterAll(() => topology?.stop());

  it('starts as a deployment does: the primary writes, the secondary refuses with 503 not_writer', async () => {
    // Act
    const fenced = (await state(topology)).fencing;
    const onPrimary = await createCart(cellUrl('us-east-1'), 'fence-start-primary');
    const onSecondary = await createCart(cellUrl('us-west-2'), 'fence-start-secondary');
    // Assess
    expect(fenced?.global?.writers).toEqual(['us-east-1']);
    expect(onPrimary.status).toBe(201);
    expect([onSecondary.status, onSecondary.code]).toEqual([503, 'not_writer']);
  });

  it('an unfenced zone has no step to take: promote answers 409 and names the fenced zones', async () => {
    // Act
    const { status, json } = await control(topology, '/zones/eu/promote');
    // Assess
    expect(status).toBe(409);
    expect(json.detail).toMatch(/zone eu is not fenced \(fenced zones: global\)/);
  });

  it('the promoter moves the writer when the primary fails; the old primary stays fenced when it returns; failback waits for catch-up', async () => {
    let attempt = 0;
    const nextKey = () => {
      attempt += 1;
      return `fence-${attempt}`;
    };
    // Act 1: the primary stops. The promoter (alarm on its health) turns the secondary ON.
    const stopped = await control(topology, '/cells/global/us-east-1/stop');
    expect(stopped.status).toBe(200);
    await waitUntil(
      async () => (await state(topology)).fencing?.global?.writers[0] === 'us-west-2',
      BOUND_MS,
      100,
    );
    // The zone's name follows the controls: a write through it lands on the secondary.
    let promoted = await createCart(zoneUrl(), nextKey());
    await waitUntil(
      async () => {
        promoted = await createCart(zoneUrl(), nextKey());
        return promoted.status === 201;
      },
      BOUND_MS,
      200,
    );
    // Assess 1
    const afterPromotion = await state(topology);
    expect(afterPromotion.fencing?.global?.writers).toEqual(['us-west-2']);
    expect(afterPromotion.fencing?.global?.promotions.map((p) => p.action)).toContain('promoted');
    expect(promoted.servedBy).toBe('global/us-west-2');

    // Act 2: the old primary comes back and passes its health check.
    const started = await control(topology, '/cells/global/us-east-1/start');
    expect(started.status).toBe(200);
    await waitUntil(
      async () => (await state(topology)).cells.find((c) => c.region === 'us-east-1')?.healthy === true,
      BOUND_MS,
      100,
    );
    const onOldPrimary = await createCart(cellUrl('us-east-1'), nextKey());
    // Several DNS TTLs later (6 s each at this time scale) the zone's name still answers the secondary.
    await new Promise((resolve) => setTimeout(resolve, 2 * topology.state().details.timing.dnsTtlMs));
    const viaZone = await createCart(zoneUrl(), nextKey());
    // Assess 2: health alone fails nothing back.
    expect([onOldPrimary.status, onOldPrimary.code]).toEqual([503, 'not_writer']);
    expect([viaZone.status, viaZone.servedBy]).toEqual([201, 'global/us-west-2']);
    expect((await state(topology)).fencing?.global?.writers).toEqual(['us-west-2']);

    // Act 3: failback while replication is held back, or behind by more than the ReplicationLatency
    // alarm's threshold, is refused; once it is behind by less it is taken, even with writes in flight.
    expect((await control(topology, '/replication/global/pause')).status).toBe(200);
    const refused = await control(topology, '/zones/global/failback');
    expect((await control(topology, '/replication/global/resume')).status).toBe(200);
    expect(
      (await control(topology, '/replication/global/lag', { ms: 2 * REPLICATION_LATENCY_ALARM_MS })).status,
    ).toBe(200);
    expect((await createCart(zoneUrl(), nextKey())).status).toBe(201);
    await waitUntil(
      async () => ((await state(topology)).replication.global?.lagMs ?? 0) > REPLICATION_LATENCY_ALARM_MS,
      BOUND_MS,
      200,
    );
    const refusedBehind = await control(topology, '/zones/global/failback');
    // Writes in flight: each held 4.5 s (below the threshold). Failback is tried the moment a fresh write of
    // the secondary is pending toward the primary (read from its stream, not yet applied), so it stays pending
    // for seconds after the call: the gate must take failback with it on its way, not wait for it. (A writer
    // looping beside the tries left gaps on a loaded host: run C of stop 25 found nothing pending.)
    const lagMs = REPLICATION_LATENCY_ALARM_MS - 500;
    expect((await control(topology, '/replication/global/lag', { ms: lagMs })).status).toBe(200);
    const toward = async () => (await state(topology)).replication.global?.toward?.['us-east-1'];
    const deliveredBefore = (await toward())?.delivered ?? 0;
    const inFlightWrites: number[] = [];
    let failback = { status: 0, json: {} as Record<string, unknown> };
    let pendingAtFailback = 0;
    try {
      await waitUntil(
        async () => {
          // Each try starts with nothing pending, so the one write pending is the fresh one.
          await waitUntil(async () => (await toward())?.pending === 0, BOUND_MS, 200);
          inFlightWrites.push((await createCart(cellUrl('us-west-2'), nextKey())).status);
          await waitUntil(async () => ((await toward())?.pending ?? 0) > 0, BOUND_MS, 50);
          failback = await control(topology, '/zones/global/failback');
          // The answer is the state right after the switch: writes still on their way to the primary.
          pendingAtFailback =
            (failback.json.replication as ControlState['replication'] | undefined)?.global?.toward?.[
              'us-east-1'
            ]?.pending ?? 0;
          return failback.status === 200;
        },
        BOUND_MS,
        200,
      );
    } finally {
      expect((await control(topology, '/replication/global/lag', { ms: 0 })).status).toBe(200);
    }
    // The secondary's fence re-reads its control within its cache (1 s): then it refuses writes.
    let onSecondary = await createCart(cellUrl('us-west-2'), nextKey());
    await waitUntil(
      async () => {
        onSecondary = await createCart(cellUrl('us-west-2'), nextKey());
        return onSecondary.status === 503;
      },
      BOUND_MS,
      200,
    );
    const onPrimary = await createCart(cellUrl('us-east-1'), nextKey());
    // What a failback's wait watches move: every in-flight write (a cart at least) delivered toward the primary.
    await waitUntil(
      async () => ((await state(topology)).replication.global?.toward?.['us-east-1']?.pending ?? 1) === 0,
      BOUND_MS,
      200,
    );
    const deliveredDuring = ((await toward())?.delivered ?? 0) - deliveredBefore;
    // Assess 3
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toMatch(/has not caught up: replication is paused/);
    expect(refusedBehind.status).toBe(409);
    expect(refusedBehind.json.detail).toMatch(/replication toward it is \d+ ms behind/);
    expect(inFlightWrites.length).toBeGreaterThan(0);
    expect(pendingAtFailback).toBeGreaterThan(0);
    expect(deliveredDuring).toBeGreaterThanOrEqual(inFlightWrites.filter((status) => status === 201).length);
    expect((await state(topology)).fencing?.global?.writers).toEqual(['us-east-1']);
    expect(onSecondary.code).toBe('not_writer');
    expect(onPrimary.status).toBe(201);
  });

  it('holds the promotion when the secondary is unhealthy too (a whole zone down): the writer does not move', async () => {
    // Arrange: the secondary fails first, then the primary
    expect((await control(topology, '/cells/global/us-west-2/health', { healthy: false })).status).toBe(200);
    await waitUntil(
      async () => (await state(topology)).cells.find((c) => c.region === 'us-west-2')?.healthy === false,
      BOUND_MS,
      100,
    );
    // Act
    expect((await control(topology, '/cells/global/us-east-1/health', { healthy: false })).status).toBe(200);
    await waitUntil(
      async () =>
        ((await state(topology)).fencing?.global?.promotions ?? []).some((p) => p.action === 'held'),
      BOUND_MS,
      100,
    );
    // Assess
    const held = (await state(topology)).fencing?.global;
    expect(held?.writers).toEqual(['us-east-1']);
    expect(held?.promotions.find((p) => p.action === 'held')?.detail).toMatch(
      /secondary is not healthy either/,
    );
    expect((await control(topology, '/reset')).status).toBe(200);
  });

  it('reset rolls the controls back to a fresh deployment (primary ON)', async () => {
    // Arrange: the writer moved by hand
    const promoted = await control(topology, '/zones/global/promote');
    expect(promoted.status).toBe(200);
    expect((await state(topology)).fencing?.global?.writers).toEqual(['us-west-2']);
    // Act
    const reset = await control(topology, '/reset');
    // Assess
    expect(reset.status).toBe(200);
    expect((await state(topology)).fencing?.global?.writers).toEqual(['us-east-1']);
  });
});
