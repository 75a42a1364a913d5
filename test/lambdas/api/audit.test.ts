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

describe('audit queries', () => {
  let h: Harness;
  let admin: string;
  let cartId: string;
  beforeAll(async () => {
    h = await createHarness();
    admin = await h.adminToken();
    const token = await h.token('cust-audit-pages');
    cartId = await cartWith(h, token, 'sku-0002', 1, 'pages');
    for (let q = 2; q <= 4; q += 1)
      await h.call('PUT', `/v1/carts/${cartId}/items/sku-0002`, {
        token,
        key: `pages-q${q}`,
        body: { quantity: q },
      });
  });
  afterAll(() => h.drop());

  const query = async (search: string) => {
    const response = await h.call('GET', `/v1/admin/audit?${search}`, { token: admin });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("pages through a resource's entries oldest first", async () => {
    const actions: string[] = [];
    const seqs: number[] = [];
    let cursor: string | undefined;
    do {
      const { status, body } = await query(
        `resourceType=cart&resourceId=${cartId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(status).toBe(200);
      const page = body as { items: { action: string; seq: number }[]; nextCursor?: string };
      expect(page.items.length).toBeLessThanOrEqual(2);
      actions.push(...page.items.map((e) => e.action));
      seqs.push(...page.items.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(actions).toEqual(['cart.create', 'cart.update', 'cart.update', 'cart.update', 'cart.update']);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(5);
  });

  it.each([
    ['neither filter', 'limit=5'],
    ['both filters', `correlationId=c1&resourceType=cart&resourceId=x`],
    ['a resource type without an id', 'resourceType=cart'],
    ['a cursor with a correlation id', 'correlationId=c1&cursor=abc'],
    ['a limit over 100', 'correlationId=c1&limit=101'],
  ])('answers 400 validation_failed for %s', async (_case, search) => {
    expect(await query(search)).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
  });

  it('answers 400 invalid_cursor for a cursor of another resource', async () => {
    const { body } = await query(`resourceType=cart&resourceId=${cartId}&limit=1`);
    const { nextCursor } = body as { nextCursor: string };
    expect(await query(`resourceType=cart&resourceId=other-cart&cursor=${nextCursor}`)).toMatchObject({
      status: 400,
      body: { code: 'invalid_cursor' },
    });
  });
});
