import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { sha256Hex } from '../../../lambdas/core/canonical-json';
import { cartWith, createHarness, type Harness } from './harness';

describe('audit chain verification detects tampering', () => {
  let h: Harness;
  let admin: string;
  let chain: string;
  let entries: Record<string, unknown>[];
  beforeAll(async () => {
    h = await createHarness();
    admin = await h.adminToken();
    const token = await h.token('cust-audit');
    const cartId = await cartWith(h, token, 'sku-0001', 1, 'audit');
    for (let q = 2; q <= 5; q += 1) {
      await h.call('PUT', `/v1/carts/${cartId}/items/sku-0001`, {
        token,
        key: `audit-q${q}`,
        body: { quantity: q },
      });
    }
    // All entries of one resource are in one chain, in order.
    const items = await h.scanAll();
    const cartEntries = items.filter(
      (i) => i.entity === 'audit' && String(i.gsi1pk) === `AUDITRES#cart#${cartId}`,
    );
    chain = String(cartEntries[0]!.pk).slice('AUDIT#'.length);
    entries = items
      .filter((i) => i.entity === 'audit' && i.pk === `AUDIT#${chain}`)
      .sort((a, b) => (a.seq as number) - (b.seq as number));
  });
  afterAll(() => h.drop());

  const verify = async () =>
    (await (await h.call('GET', '/v1/admin/audit/verify', { token: admin })).json()) as {
      valid: boolean;
      chains: { chain: string; valid: boolean; firstBrokenSeq?: number; reason?: string }[];
    };
  const put = (item: Record<string, unknown>) =>
    h.documentClient.send(new PutCommand({ TableName: h.tableName, Item: item }));

  it('is valid before tampering', async () => {
    expect(entries.length).toBeGreaterThanOrEqual(5);
    expect(await verify()).toMatchObject({ valid: true });
  });

  it('reports the first broken link when an entry is edited', async () => {
    const victim = entries[2]!;
    await put({ ...victim, recordJson: String(victim.recordJson).replace('cust-audit', 'someone-else') });
    const result = await verify();
    expect(result.valid).toBe(false);
    expect(result.chains.find((c) => c.chain === chain)).toMatchObject({
      valid: false,
      firstBrokenSeq: victim.seq,
    });
    await put(victim);
    expect((await verify()).valid).toBe(true);
  });

  it('reports an edit even when the attacker recomputes that entry’s hash', async () => {
    const victim = entries[1]!;
    const forged = String(victim.recordJson).replace('"success"', '"failure"');
    await put({ ...victim, recordJson: forged, hash: sha256Hex(forged) });
    const result = await verify();
    expect(result.chains.find((c) => c.chain === chain)).toMatchObject({
      valid: false,
      firstBrokenSeq: (victim.seq as number) + 1,
    });
    await put(victim);
  });

  it('reports the first broken link when an entry is deleted', async () => {
    const victim = entries[3]!;
    await h.documentClient.send(
      new DeleteCommand({ TableName: h.tableName, Key: { pk: victim.pk, sk: victim.sk } }),
    );
    const result = await verify();
    expect(result.chains.find((c) => c.chain === chain)).toMatchObject({
      valid: false,
      firstBrokenSeq: victim.seq,
    });
    await put(victim);
    expect((await verify()).valid).toBe(true);
  });

  it('reports a deleted last entry through the chain head', async () => {
    const victim = entries[entries.length - 1]!;
    await h.documentClient.send(
      new DeleteCommand({ TableName: h.tableName, Key: { pk: victim.pk, sk: victim.sk } }),
    );
    const result = await verify();
    expect(result.chains.find((c) => c.chain === chain)).toMatchObject({
      valid: false,
      firstBrokenSeq: victim.seq,
    });
    await put(victim);
  });
});
