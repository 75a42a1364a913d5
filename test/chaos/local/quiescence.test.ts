import type { ReplicationState } from '../../../local/contract';
import { type QuiescenceProbe, waitForQuiescence } from '../../../chaos/local/quiescence';

/**
 * A fake zone: barrier items "arrive" in the other region after `arriveAfterPolls` looks, and the
 * replication state is scripted per poll, so every way the wait can end is shown without a topology.
 */
function probe(options: {
  states: (ReplicationState | undefined)[];
  arriveAfterPolls?: number;
  boundMs?: number;
  secondary?: boolean;
}): QuiescenceProbe & { readonly written: string[]; polls(): number; looks(): number } {
  const written: string[] = [];
  let looks = 0;
  let poll = 0;
  return {
    written,
    polls: () => poll,
    looks: () => looks,
    zone: {
      name: 'global',
      primary: { region: 'us-east-1' },
      ...(options.secondary === false ? {} : { secondary: { region: 'us-west-2' } }),
    },
    boundMs: options.boundMs ?? 5000,
    replication: () => options.states[Math.min(poll++, options.states.length - 1)],
    items: {
      put: async (kind, region, id) => {
        written.push(`${kind}:${region}:${id}`);
        return true;
      },
      presentIn: async (_kind, _region, ids) =>
        new Set(looks++ >= (options.arriveAfterPolls ?? 0) * 2 ? ids : []),
    },
  };
}

const idle: ReplicationState = { paused: false, lagMs: 12, pending: 0 };

describe('waiting for replication to quiesce', () => {
  it('is quiesced once a barrier crossed each way and nothing is pending', async () => {
    // Prepare
    const zone = probe({ states: [idle] });
    // Act
    const result = await waitForQuiescence(zone);
    // Assess
    expect(result.quiesced).toBe(true);
    expect(result.detail).toContain('barriers crossed both ways');
    expect(zone.written.map((w) => w.split(':').slice(0, 2).join(':'))).toEqual([
      'barrier:us-east-1',
      'barrier:us-west-2',
    ]);
  });

  it('keeps polling while writes are pending, though the barriers crossed', async () => {
    // The first state answers "is there replication at all?"; then one state per poll.
    const zone = probe({ states: [idle, { ...idle, pending: 40 }, { ...idle, pending: 3 }, idle] });
    const result = await waitForQuiescence(zone);
    expect(result.quiesced).toBe(true);
    expect(zone.polls()).toBe(4);
  });

  it('keeps polling while a barrier is on its way, though nothing is pending', async () => {
    const zone = probe({ states: [idle], arriveAfterPolls: 2 });
    const result = await waitForQuiescence(zone);
    expect(result.quiesced).toBe(true);
    // Looked for both barriers in each of three polls: absent, absent, arrived.
    expect(zone.looks()).toBe(6);
  });

  it('waits for a convergence digest that says the regions differ, and trusts pending when there is none', async () => {
    const diverged = await waitForQuiescence(
      probe({ states: [{ ...idle, converged: false }], boundMs: 600 }),
    );
    const converged = await waitForQuiescence(probe({ states: [{ ...idle, converged: true }] }));
    expect(diverged.quiesced).toBe(false);
    expect(diverged.detail).toContain('converged false');
    expect(converged.quiesced).toBe(true);
  });

  it('gives up at the bound and says what it saw, rather than waiting forever', async () => {
    const result = await waitForQuiescence(
      probe({ states: [{ paused: true, lagMs: 9000, pending: 17 }], arriveAfterPolls: 1000, boundMs: 600 }),
    );
    expect(result.quiesced).toBe(false);
    expect(result.detail).toMatch(/did not quiesce within 0.6 s \(pending 17, lag 9000 ms, PAUSED/);
    expect(result.detail).toContain('barrier not yet across us-east-1 -> us-west-2');
  });

  it('has nothing to wait for in a zone without replication', async () => {
    const result = await waitForQuiescence(probe({ states: [undefined], secondary: false }));
    expect(result).toEqual({ quiesced: true, waitedMs: 0, detail: 'zone global has no replication' });
  });
});
