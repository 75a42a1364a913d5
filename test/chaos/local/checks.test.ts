import { settled } from '../../../chaos/local/checks';

describe('settled: criteria that depend on replication', () => {
  const failed = { name: '0 lost acknowledged writes', ok: false, detail: '9/10 readable' };
  const quiet = { quiesced: true, waitedMs: 800, detail: 'replication quiesced after 0.8 s' };
  const busy = { quiesced: false, waitedMs: 60_000, detail: 'replication did not quiesce within 60 s' };

  it('keeps a failure when replication had quiesced: the write is lost, not late', () => {
    expect(settled(failed, quiet)).toEqual(failed);
  });

  it('turns a failure into inconclusive when replication had not quiesced, saying why', () => {
    expect(settled(failed, busy)).toEqual({
      ...failed,
      inconclusive: true,
      detail: '9/10 readable; replication did not quiesce within 60 s',
    });
  });

  it('keeps a pass whatever the wait said', () => {
    const passed = { ...failed, ok: true, detail: '10/10 readable' };
    expect(settled(passed, busy)).toEqual(passed);
  });
});
