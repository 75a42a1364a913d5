import {
  GENESIS_HASH,
  nextRecord,
  sealEntry,
  type StoredEntry,
  verifyChain,
} from '../../../lambdas/core/audit-chain';

function chainOf(length: number): StoredEntry[] {
  const entries: StoredEntry[] = [];
  let head: { seq: number; hash: string } | undefined;
  for (let i = 0; i < length; i += 1) {
    const record = nextRecord(
      head,
      {
        actor: 'u',
        action: 'cart.update',
        resource: { type: 'cart', id: 'c1' },
        outcome: 'success',
        correlationId: `corr-${i}`,
        after: { n: i },
      },
      'us-east-1-s0',
      '2026-11-21T10:00:00.000Z',
      { zone: 'global', region: 'us-east-1' },
    );
    const sealed = sealEntry(record);
    entries.push({ seq: record.seq, recordJson: sealed.recordJson, hash: sealed.hash });
    head = { seq: record.seq, hash: sealed.hash };
  }
  return entries;
}

describe('audit chain verification', () => {
  it('accepts an intact chain and links the first entry to the genesis hash', () => {
    const entries = chainOf(4);
    expect(JSON.parse(entries[0]!.recordJson).prevHash).toBe(GENESIS_HASH);
    const last = entries[3]!;
    expect(verifyChain(entries, { seq: 4, hash: last.hash })).toEqual({
      valid: true,
      entries: 4,
      headSeq: 4,
    });
  });

  it('names an edited entry', () => {
    const entries = chainOf(4);
    entries[1] = { ...entries[1]!, recordJson: entries[1]!.recordJson.replace('"n":1', '"n":9') };
    expect(verifyChain(entries, undefined)).toMatchObject({ valid: false, firstBrokenSeq: 2 });
  });

  it('names a deleted entry', () => {
    const entries = chainOf(4);
    entries.splice(2, 1);
    expect(verifyChain(entries, undefined)).toMatchObject({ valid: false, firstBrokenSeq: 3 });
  });

  it('catches a deleted tail through the head', () => {
    const entries = chainOf(4);
    const head = { seq: 4, hash: entries[3]!.hash };
    expect(verifyChain(entries.slice(0, 3), head)).toMatchObject({ valid: false, firstBrokenSeq: 4 });
  });

  it('catches a tail deleted together with the head', () => {
    const entries = chainOf(4);
    expect(verifyChain(entries.slice(0, 3), undefined)).toMatchObject({
      valid: false,
      firstBrokenSeq: 4,
      reason: expect.stringContaining('the chain head is missing'),
    });
    expect(verifyChain([], undefined)).toMatchObject({ valid: true, entries: 0 });
  });
});
