import {
  faultEffective,
  HOST_TOO_SLOW_MS,
  hostTooSlow,
  inconclusiveWhen,
  minSuccessCriterion,
  errorsDuringFailover,
  successDuringFault,
  lostAcknowledgedWrites,
  measureRpo,
  measureRto,
  predictedRto,
  replicationLagAt,
  servingChanges,
  verdictOf,
} from '../../chaos/metrics';
import { loadTopology } from '../../lib/topology';
import { PRIMARY, SECONDARY, timeline } from './synthetic';

describe('drill metrics', () => {
  describe('RTO', () => {
    it('is the time from the fault to the first window served elsewhere at >= 99% success', () => {
      // Prepare: fault at 10.0 s; errors 10-15 s; secondary serves from 16 s
      const buckets = timeline(30, (s) =>
        s < 10 ? [10, 10, PRIMARY] : s < 16 ? [10, 2, SECONDARY] : [10, 10, SECONDARY],
      );
      // Act
      const rto = measureRto(buckets, 10_000, PRIMARY);
      // Assess
      expect(rto).toEqual({ rtoSeconds: 6, recoveredAtSecond: 16, servedBy: SECONDARY });
    });

    it('does not count a window still served by the failed cell, even at 100% success', () => {
      // A health-check fault: the primary keeps answering until the router moves traffic at 19 s
      const buckets = timeline(30, (s) => (s < 19 ? [10, 10, PRIMARY] : [10, 10, SECONDARY]));
      expect(measureRto(buckets, 10_000, PRIMARY).rtoSeconds).toBe(9);
    });

    it('needs the whole window above the success bar (one bad second restarts it)', () => {
      // Seconds 11 (90%) and 13 (98%) are below the bar: the first clean 3-second window starts at 14
      const buckets = timeline(30, (s) =>
        s < 10 ? [10, 10, PRIMARY] : s === 13 ? [100, 98, SECONDARY] : [100, 100, SECONDARY],
      );
      const withDip = buckets.map((b) => (b.second === 11 ? { ...b, success: 90 } : b));
      expect(measureRto(withDip, 10_000, PRIMARY).recoveredAtSecond).toBe(14);
    });

    it('is undefined when traffic never recovers', () => {
      const buckets = timeline(20, (s) => (s < 10 ? [10, 10, PRIMARY] : [10, 0, PRIMARY]));
      expect(measureRto(buckets, 10_000, PRIMARY).rtoSeconds).toBeUndefined();
    });
  });

  it('RPO: canaries acknowledged before the fault and missing in the survivor, with the lag at the fault', () => {
    const canaries = [
      { id: 'a', acknowledgedAtMs: 1000 },
      { id: 'b', acknowledgedAtMs: 9400 },
      { id: 'c', acknowledgedAtMs: 9800 },
      { id: 'd', acknowledgedAtMs: 12_000 },
    ];
    const rpo = measureRpo(canaries, new Set(['a']), 10_000, 450);
    expect(rpo).toEqual({ missingInSurvivor: ['b', 'c'], rpoMs: 600, replicationLagAtFaultMs: 450 });
    expect(measureRpo(canaries, new Set(['a', 'b', 'c']), 10_000, 20).rpoMs).toBe(0);
  });

  it('lost acknowledged writes are the 2xx writes that cannot be read back', () => {
    expect(lostAcknowledgedWrites(['o1', 'o2', 'o3'], new Set(['o1', 'o3']))).toEqual(['o2']);
    expect(lostAcknowledgedWrites(['o1'], new Set(['o1']))).toEqual([]);
  });

  it('counts failed requests between the fault and recovery', () => {
    const buckets = timeline(30, (s) =>
      s < 10 ? [10, 10, PRIMARY] : s < 16 ? [10, 2, SECONDARY] : [10, 9, SECONDARY],
    );
    expect(errorsDuringFailover(buckets, 10_000, 16)).toBe(48);
  });

  it('reads the replication lag at or just before the fault second', () => {
    const observations = timeline(5, () => [1, 1, PRIMARY]).map((b, i) => ({
      ...b,
      replicationLagMs: i === 3 ? null : i * 100,
    }));
    expect(replicationLagAt(observations, 3500)).toBe(200);
    expect(replicationLagAt([], 0)).toBeNull();
  });

  it('predicts the RTO from the topology model (interval x threshold + TTL), scaled by the local time scale', () => {
    const model = loadTopology();
    const { config } = model;
    const expected =
      config.healthCheck.intervalSeconds * config.healthCheck.failureThreshold + config.dns.ttlSeconds;
    expect(predictedRto(model, 0.1)).toEqual({
      cloudSeconds: expected,
      scaledSeconds: expected * 0.1,
      timeScale: 0.1,
    });
    // One scaling for the local topology and the drills: millisecond resolution, no float residue.
    expect(predictedRto(model, 0.07).scaledSeconds).toBe(6.3);
  });

  it('lists serving-cell changes and derives the verdict', () => {
    const buckets = timeline(6, (s) =>
      s < 2 ? [5, 5, PRIMARY] : s < 3 ? [5, 0, PRIMARY] : [5, 5, SECONDARY],
    );
    expect(servingChanges(buckets)).toEqual([
      { second: 0, cell: PRIMARY },
      { second: 3, cell: SECONDARY },
    ]);
    expect(verdictOf([{ name: 'a', ok: true, detail: '' }], false)).toBe('pass');
    expect(verdictOf([{ name: 'a', ok: false, detail: '' }], false)).toBe('fail');
    expect(verdictOf([{ name: 'a', ok: true, detail: '' }], true)).toBe('aborted');
    const undecided = { name: 'b', ok: false, inconclusive: true, detail: '' };
    expect(verdictOf([{ name: 'a', ok: true, detail: '' }, undecided], false)).toBe('inconclusive');
    expect(verdictOf([faultEffective('fault effective', false, '0 attempts failed')], false)).toBe(
      'inconclusive',
    );
    expect(faultEffective('fault effective', true, '3 attempts failed')).toEqual({
      name: 'fault effective',
      ok: true,
      detail: '3 attempts failed',
    });
    // The host's measured slowness is said beside a fault that did not take effect, and only then.
    const slow = hostTooSlow({ p50Ms: 2534 });
    expect(faultEffective('fault effective', false, '0 attempts failed', slow).detail).toContain(
      "the host was too slow to judge it: the drill load's median request took 2534 ms",
    );
    expect(faultEffective('fault effective', false, '0 attempts failed').detail).not.toMatch(
      /host was too slow/,
    );
    // A definite failure outweighs an undecided check.
    expect(verdictOf([{ name: 'a', ok: false, detail: '' }, undecided], false)).toBe('fail');
  });
});

describe('inconclusiveWhen', () => {
  it('turns only a missed criterion inconclusive, and only when a reason is given', () => {
    const missed = { name: 'a', ok: false, detail: '3 missing' };
    const met = { name: 'a', ok: true, detail: 'all present' };
    expect(inconclusiveWhen(missed, 'replication still catching up')).toEqual({
      name: 'a',
      ok: false,
      inconclusive: true,
      detail: '3 missing; replication still catching up',
    });
    expect(inconclusiveWhen(missed, undefined)).toEqual(missed);
    expect(inconclusiveWhen(met, 'replication still catching up')).toEqual(met);
  });
});

describe('a host too slow to judge timings', () => {
  const slow = { p50Ms: HOST_TOO_SLOW_MS + 1 };
  const quick = { p50Ms: 20 };

  it('is said only when the load median request is above the bound, and names the figure', () => {
    expect(hostTooSlow(quick)).toBeUndefined();
    expect(hostTooSlow({ p50Ms: HOST_TOO_SLOW_MS })).toBeUndefined();
    expect(hostTooSlow(undefined)).toBeUndefined();
    expect(hostTooSlow(slow)).toMatch(/median request took 251 ms \(bound 250 ms\)/);
  });

  it('makes a missed success rate inconclusive, never a met one, nor one with no request at all', () => {
    const missed = { requests: 100, succeeded: 90 };
    expect(minSuccessCriterion('served', missed, quick)).toMatchObject({ ok: false });
    expect(minSuccessCriterion('served', missed, quick).inconclusive).toBeUndefined();
    expect(minSuccessCriterion('served', missed, slow)).toMatchObject({ ok: false, inconclusive: true });
    expect(minSuccessCriterion('served', { requests: 100, succeeded: 100 }, slow)).toMatchObject({
      ok: true,
    });
    const nothing = minSuccessCriterion('served', { requests: 0, succeeded: 0 }, slow);
    expect([nothing.ok, nothing.inconclusive]).toEqual([false, undefined]);
  });
});

describe('successDuringFault', () => {
  it('counts only the seconds from the fault up to (not including) the rollback', () => {
    // Prepare: 10 requests a second; 2 fail in each second of the window [5 s, 8 s).
    const buckets = timeline(12, (s) => (s >= 5 && s < 8 ? [10, 8, PRIMARY] : [10, 10, PRIMARY]));
    // Act + Assess
    expect(successDuringFault(buckets, 5_000, 8_000)).toEqual({ requests: 30, succeeded: 24 });
    expect(successDuringFault(buckets, 5_000, undefined)).toEqual({ requests: 70, succeeded: 64 });
    expect(successDuringFault(buckets, undefined, 8_000)).toEqual({ requests: 0, succeeded: 0 });
  });
});
