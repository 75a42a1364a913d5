import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { fingerprint } from '../../local/attribute-values';
import { ZoneReplicator } from '../../local/replicator';
import { TableDigest } from '../../local/table-digest';
import { StreamPoller } from '../../local/stream-poller';
import { ensureTable } from '../../local/tables';
import { dynamoEndpoint, testDynamoClient } from '../support/dynamodb';
import { waitUntil } from '../support/wait';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('local/replicator ZoneReplicator', () => {
  const regions = ['us-east-1', 'us-west-2'] as const;
  const tableName = `test-${randomUUID().slice(0, 8)}-repl`;
  const clients = new Map<string, DynamoDBClient>();
  let replicator: ZoneReplicator;
  const pollers: StreamPoller[] = [];
  /** Holds us-west-2's stream records before the replicator reads them (a slow poller), while unresolved. */
  let westGate: Promise<void> = Promise.resolve();

  const client = (region: string) => clients.get(region)!;
  const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'ITEM' } });
  const read = async (region: string, pk: string) =>
    (
      await client(region).send(
        new GetItemCommand({ TableName: tableName, Key: key(pk), ConsistentRead: true }),
      )
    ).Item;
  const put = (region: string, pk: string, value: string) =>
    client(region).send(
      new PutItemCommand({ TableName: tableName, Item: { ...key(pk), value: { S: value } } }),
    );

  /**
   * Replication has caught up: a barrier written in each region after everything else has crossed to the
   * other (so each stream was read up to there), nothing is pending, and the tables match. `pending 0`
   * alone is not enough: a write its stream has not been read yet is not pending.
   */
  const settled = async () => {
    const barrier = `barrier-${randomUUID().slice(0, 8)}`;
    for (const region of regions) await put(region, `${barrier}-${region}`, 'barrier');
    await waitUntil(
      async () => {
        for (const [from, to] of [regions, [...regions].reverse()])
          if ((await read(to!, `${barrier}-${from}`)) === undefined) return false;
        return (
          replicator.stats().pending === 0 &&
          replicator.stats().converged &&
          (await replicator.convergence()).converged
        );
      },
      20_000,
      100,
    );
  };

  beforeAll(async () => {
    for (const region of regions) {
      clients.set(region, testDynamoClient(region));
      await ensureTable(client(region), tableName);
    }
    const table = (region: string) => ({ region, client: client(region), tableName });
    replicator = new ZoneReplicator('global', table(regions[0]), table(regions[1]));
    for (const region of regions) {
      const { Table } = await client(region).send(new DescribeTableCommand({ TableName: tableName }));
      const poller = new StreamPoller({
        name: `replicator ${region}`,
        endpoint: dynamoEndpoint(),
        region,
        streamArn: Table!.LatestStreamArn!,
        source: { region, eventSourceArn: Table!.LatestStreamArn! },
        handler:
          region === 'us-west-2'
            ? async (event) => {
                await westGate;
                return (await replicator.handlerFor(region)(event)) ?? undefined;
              }
            : replicator.handlerFor(region),
        pollIntervalMs: 20,
      });
      poller.start();
      pollers.push(poller);
    }
    replicator.start();
  });

  afterAll(async () => {
    await Promise.all(pollers.map((p) => p.stop()));
    await replicator.stop();
    for (const region of regions) {
      await client(region)
        .send(new DeleteTableCommand({ TableName: tableName }))
        .catch(() => undefined);
      client(region).destroy();
    }
  });

  afterEach(() => {
    replicator.resume();
    replicator.injectLag(0);
  });

  it('applies inserts, updates and deletes of the primary to the secondary and measures the lag', async () => {
    // Act
    await put('us-east-1', 'crud', 'v1');
    await waitUntil(async () => (await read('us-west-2', 'crud'))?.value?.S === 'v1');
    await put('us-east-1', 'crud', 'v2');
    await waitUntil(async () => (await read('us-west-2', 'crud'))?.value?.S === 'v2');
    await client('us-east-1').send(new DeleteItemCommand({ TableName: tableName, Key: key('crud') }));
    await waitUntil(async () => (await read('us-west-2', 'crud')) === undefined);
    // A write is visible in the target a moment before the applier takes it off its queue.
    await waitUntil(() => replicator.stats().pending === 0).catch(() => undefined);
    // Assess
    const stats = replicator.stats();
    expect(stats.directions[0]).toMatchObject({ from: 'us-east-1', to: 'us-west-2' });
    expect(stats.directions[0]!.applied).toBeGreaterThanOrEqual(3);
    expect(stats.lagMs).not.toBeNull();
    expect(stats.pending).toBe(0);
  });

  it('replicates the secondary back to the primary without ping-pong', async () => {
    // Prepare
    const before = replicator.stats().directions.map((d) => d.applied);
    // Act
    await put('us-west-2', 'reverse', 'from-west');
    await waitUntil(async () => (await read('us-east-1', 'reverse'))?.value?.S === 'from-west');
    await sleep(500);
    // Assess: one write applied east, its echo recognised on the east stream and not sent back west.
    const after = replicator.stats().directions;
    expect(after[1]!.applied - before[1]!).toBe(1);
    expect(after[0]!.applied - before[0]!).toBe(0);
    expect(after[0]!.skippedEchoes).toBeGreaterThanOrEqual(1);
  });

  it('holds writes while paused (pending grows) and applies them on resume', async () => {
    // Prepare
    replicator.pause();
    // Act
    await put('us-east-1', 'paused-1', 'x');
    await put('us-east-1', 'paused-2', 'y');
    await waitUntil(() => replicator.stats().pending === 2);
    await sleep(300);
    const whilePaused = await read('us-west-2', 'paused-1');
    const lagWhilePaused = replicator.stats().lagMs ?? 0;
    replicator.resume();
    await waitUntil(async () => (await read('us-west-2', 'paused-2')) !== undefined);
    // A write is visible in the target a moment before the applier takes it off its queue.
    await waitUntil(() => replicator.stats().pending === 0).catch(() => undefined);
    // Assess
    expect(whilePaused).toBeUndefined();
    expect(lagWhilePaused).toBeGreaterThanOrEqual(300);
    expect(replicator.stats().pending).toBe(0);
  });

  it("a region loss withholds the lost region's unreplicated writes (none dropped) and delivers both backlogs on restore", async () => {
    // Prepare: a write of the primary in flight (read from its stream, not yet applied) when the region is lost.
    replicator.injectLag(600_000);
    await put('us-east-1', 'lost-in-flight', 'east');
    await waitUntil(() => replicator.stats().directions[0]!.pending >= 1);
    // Act: the primary region is lost; the survivor keeps taking writes.
    replicator.loseRegion('us-east-1');
    replicator.injectLag(0);
    await put('us-west-2', 'written-on-survivor', 'west');
    await waitUntil(() => replicator.stats().directions[1]!.pending >= 1);
    const duringCut = replicator.stats();
    const survivorDuringCut = await read('us-west-2', 'lost-in-flight');
    const lostDuringCut = await read('us-east-1', 'written-on-survivor');
    replicator.restoreRegion();
    await waitUntil(() => replicator.stats().regionLoss?.phase === 'caught-up');
    // Assess: withheld, not dropped, during the cut; both backlogs delivered once caught up.
    expect(duringCut.paused).toBe(true);
    expect(duringCut.regionLoss).toMatchObject({ region: 'us-east-1', phase: 'cut' });
    expect(duringCut.regionLoss!.withheldFromLostRegion).toBeGreaterThanOrEqual(1);
    expect(duringCut.regionLoss!.withheldForLostRegion).toBeGreaterThanOrEqual(1);
    expect(survivorDuringCut).toBeUndefined();
    expect(lostDuringCut).toBeUndefined();
    expect((await read('us-west-2', 'lost-in-flight'))?.value?.S).toBe('east');
    expect((await read('us-east-1', 'written-on-survivor'))?.value?.S).toBe('west');
    replicator.resume();
    expect(replicator.stats().regionLoss).toBeUndefined();
    await settled();
  });

  it('refuses to lose a region the zone does not replicate', () => {
    expect(() => replicator.loseRegion('eu-west-1')).toThrow(/not eu-west-1/);
  });

  it('applies every write of an item read in one poll, so the later write wins (no tie dropped it)', async () => {
    // Prepare: replication held so both writes of each item are read by the same poll, in order.
    replicator.pause();
    const pks = Array.from({ length: 20 }, (_, i) => `same-poll-${i}`);
    const skippedBefore = replicator.stats().directions[0]!.skippedOlder;
    // Act
    for (const pk of pks) {
      await put('us-east-1', pk, 'created');
      await put('us-east-1', pk, 'line-added');
    }
    await waitUntil(() => replicator.stats().pending === 40);
    replicator.resume();
    await waitUntil(() => replicator.stats().pending === 0);
    // Assess: every item's later write reached the secondary; nothing was skipped as older.
    const values = await Promise.all(pks.map(async (pk) => (await read('us-west-2', pk))?.value?.S));
    expect(values.filter((v) => v !== 'line-added')).toEqual([]);
    expect(replicator.stats().directions[0]!.skippedOlder).toBe(skippedBefore);
    const convergence = await replicator.convergence();
    expect(convergence).toMatchObject({ converged: true, differing: 0 });
  });

  it('a hot item written many times while others wait: the newest version lands, every other item too, and the older versions are counted as superseded', async () => {
    // Prepare: held back, so one item's 30 versions and 30 other items are all due together, interleaved.
    replicator.pause();
    const before = replicator.stats().directions[0]!;
    const others = Array.from({ length: 30 }, (_, i) => `beside-hot-${i}`);
    // Act
    for (const [i, pk] of others.entries()) {
      await put('us-east-1', 'hot', `version-${i}`);
      await put('us-east-1', pk, 'written');
    }
    await waitUntil(() => replicator.stats().pending === 60);
    replicator.resume();
    await waitUntil(() => replicator.stats().pending === 0);
    // Assess: the replica ends where the primary is; each write was either applied or superseded, none lost.
    const after = replicator.stats().directions[0]!;
    expect((await read('us-west-2', 'hot'))?.value?.S).toBe('version-29');
    const values = await Promise.all(others.map(async (pk) => (await read('us-west-2', pk))?.value?.S));
    expect(values.filter((v) => v !== 'written')).toEqual([]);
    expect(after.superseded - before.superseded).toBeGreaterThan(0);
    expect(after.applied + after.superseded - (before.applied + before.superseded)).toBe(60);
    expect(after.skippedOlder).toBe(before.skippedOlder);
    expect(await replicator.convergence()).toMatchObject({ converged: true, differing: 0 });
  });

  it('reports the keys on which the two regions differ', async () => {
    // Prepare: a write held back by the pause leaves the regions apart.
    replicator.pause();
    await put('us-east-1', 'apart', 'only-east');
    await waitUntil(() => replicator.stats().pending === 1);
    // Act
    const apart = await replicator.convergence();
    replicator.resume();
    await waitUntil(() => replicator.stats().pending === 0);
    const together = await replicator.convergence();
    // Assess
    expect(apart).toMatchObject({ converged: false, differing: 1, sample: ['apart|ITEM'] });
    expect(together.converged).toBe(true);
  });

  /** The digest of a region's table computed from a full scan, the way the replicator keeps it from the stream. */
  const scannedDigest = async (region: string) => {
    const digest = new TableDigest();
    const { Items = [] } = await client(region).send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true }),
    );
    for (const item of Items) digest.apply(fingerprint({ pk: item.pk, sk: item.sk }), undefined, item);
    return digest.hex;
  };

  it('keeps a digest of each table from its stream: apart while a write is held, equal once applied, equal to a full scan', async () => {
    // Prepare: settled, then a write and a delete held back by the pause.
    await settled();
    await put('us-east-1', 'digest-doomed', 'to-delete');
    await settled();
    replicator.pause();
    await put('us-west-2', 'digest-held', 'only-west');
    await client('us-west-2').send(
      new DeleteItemCommand({ TableName: tableName, Key: key('digest-doomed') }),
    );
    await waitUntil(() => replicator.stats().pending === 2);
    // Act
    const apart = replicator.stats();
    const westScannedApart = await scannedDigest('us-west-2');
    replicator.resume();
    await settled();
    const together = replicator.stats();
    // Assess: the held writes set the digests apart and the flag false; once applied they agree, and each
    // equals the digest of what the table really holds.
    expect(apart.converged).toBe(false);
    expect(apart.digests['us-east-1']).not.toBe(apart.digests['us-west-2']);
    expect(apart.digests['us-west-2']).toBe(westScannedApart);
    expect(together.converged).toBe(true);
    expect(together.digests['us-east-1']).toBe(together.digests['us-west-2']);
    expect(together.digests['us-east-1']).toBe(await scannedDigest('us-east-1'));
  });

  it('converges when a replicated write lands after a newer local write its region has not streamed yet', async () => {
    // Prepare: us-west-2's stream is not read for a moment, so its own write is not known yet when the
    // older write from us-east-1 is applied over it (what a slow poller does under load).
    let releaseWest: () => void = () => undefined;
    westGate = new Promise((resolve) => {
      releaseWest = resolve;
    });
    replicator.pause();
    await put('us-east-1', 'race', 'older-east');
    await waitUntil(() => replicator.stats().directions[0]!.pending === 1);
    await put('us-west-2', 'race', 'newer-west');
    replicator.resume();
    await waitUntil(async () => (await read('us-west-2', 'race'))?.value?.S === 'older-east');
    // Act: the west stream now shows its own newer write, then the older replicated one.
    releaseWest();
    await settled();
    // Assess: both regions hold the newer write, as last writer wins says.
    expect((await read('us-east-1', 'race'))?.value?.S).toBe('newer-west');
    expect((await read('us-west-2', 'race'))?.value?.S).toBe('newer-west');
    expect(replicator.stats().directions[1]!.repaired).toBeGreaterThanOrEqual(1);
  });

  it('converges on the last writer when both regions write the same key', async () => {
    // Prepare: replication held back so both regions write before either copy lands.
    replicator.pause();
    await put('us-east-1', 'conflict', 'older-east');
    await waitUntil(() => replicator.stats().pending === 1);
    await sleep(20);
    await put('us-west-2', 'conflict', 'newer-west');
    await waitUntil(() => replicator.stats().pending === 2);
    // Act
    replicator.resume();
    await waitUntil(() => replicator.stats().pending === 0);
    await sleep(500);
    // Assess
    expect((await read('us-east-1', 'conflict'))?.value?.S).toBe('newer-west');
    expect((await read('us-west-2', 'conflict'))?.value?.S).toBe('newer-west');
  });
});
