import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';
import { fingerprint, toSdkImage } from './attribute-values';
import type { StreamRecordHandler } from './stream-poller';
import { TableDigest } from './table-digest';

/**
 * SIMULATED global table replication for one zone: each region's table stream
 * is applied to the other region (INSERT/MODIFY -> PutItem, REMOVE ->
 * DeleteItem), asynchronously, with the lag measured and injectable, a
 * pause switch for drills (pausing is what makes RPO visible), and a region
 * loss: cut both ways at an instant, the withheld writes delivered when the
 * region is restored (`loseRegion`, `restoreRegion`).
 *
 * Design choices (see local/README.md):
 * - No marker attributes on items. Global tables (version 2019.11.21) leave
 *   items untouched, and the API must read in the secondary exactly what it
 *   wrote in the primary. Instead the replicator keeps two in-memory ledgers,
 *   which is sound locally because DynamoDB Local runs in memory and dies with
 *   the topology:
 *   - echoes: every write it applies is remembered by (region, key, image
 *     fingerprint); when that write shows up on the target's own stream it is
 *     recognised and not sent back. This is what prevents ping-pong.
 *   - versions: per region and key, the time of the newest version seen. A
 *     replicated write older than the target's current version is dropped
 *     (last writer wins; ties broken by region name), so both regions converge
 *     on the same item even when both were written during a failover.
 * - Version times are the moments the replicator first read the record from
 *   the stream: DynamoDB Local's ApproximateCreationDateTime is truncated to
 *   the minute. Lag is therefore "read -> applied" plus at most one poll
 *   interval, a slight underestimate, stated in the status output.
 * - Version times are strictly increasing per origin region: one poll can
 *   return several writes of the same item, read in the same millisecond, and
 *   each later write must beat the earlier one (a tie used to drop it). A
 *   stream shard gives one item's writes in order, so this order is the
 *   origin's write order.
 * - Writes of one item that are due together are coalesced: only the newest is
 *   applied, the older ones are counted as superseded. Last writer wins would
 *   overwrite them anyway, so the replica ends the same; a reader of it may miss
 *   an intermediate version, never the final one (a global table promises
 *   convergence per item, not every version). Applying each version in turn let
 *   a few hot items (stock, audit heads, delivery records) cap the applier at one
 *   version per round trip, and on a loaded host the backlog toward a restored
 *   region grew for minutes (run A of stop 25: 491 to 2,267 writes pending).
 * - Regional drill flags (`CELL#drill#<region>`) are replicated like every
 *   other item, as a global table would: /v1/health reads only its own
 *   region's key, so a copy in the peer region changes nothing.
 */

const ECHO_TTL_MS = 60_000;
/** Writes of different items applied at once by one direction (see `nextBatch`). */
const APPLY_CONCURRENCY = 16;

interface PendingWrite {
  readonly kind: 'put' | 'delete';
  readonly keyText: string;
  readonly record: StreamRecord;
  readonly versionTime: number;
  readonly observedAt: number;
  /**
   * Puts a region's own newer write back over an older replicated one that landed after it (see
   * `handler`); applied without the last-writer check, which already counts the newer write.
   */
  readonly repair?: true;
}

/** State shared by a zone's two replication directions. */
class ReplicationLedger {
  private readonly echoes = new Map<string, { expiresAt: number; versionTime: number }>();
  private readonly versions = new Map<string, { time: number; origin: string }>();
  private readonly localWrites = new Map<string, PendingWrite>();

  rememberEcho(region: string, echoText: string, versionTime: number): void {
    this.echoes.set(`${region}|${echoText}`, { expiresAt: Date.now() + ECHO_TTL_MS, versionTime });
  }

  /** The version of the write, once, when the record is a write the replicator itself applied to this region. */
  consumeEcho(region: string, echoText: string): number | undefined {
    const id = `${region}|${echoText}`;
    const echo = this.echoes.get(id);
    if (echo === undefined) return undefined;
    this.echoes.delete(id);
    return echo.expiresAt >= Date.now() ? echo.versionTime : undefined;
  }

  /** The newest write a region made itself to a key, as read from its stream. */
  noteLocalWrite(region: string, write: PendingWrite): void {
    this.localWrites.set(`${region}|${write.keyText}`, write);
  }

  lastLocalWrite(region: string, keyText: string): PendingWrite | undefined {
    return this.localWrites.get(`${region}|${keyText}`);
  }

  noteVersion(region: string, keyText: string, time: number, origin: string): void {
    this.versions.set(`${region}|${keyText}`, { time, origin });
  }

  /** Last writer wins: is the incoming version newer than what the target region holds? */
  isNewer(region: string, keyText: string, time: number, origin: string): boolean {
    const current = this.versions.get(`${region}|${keyText}`);
    if (!current) return true;
    return time > current.time || (time === current.time && origin > current.origin);
  }

  sweep(now = Date.now()): void {
    for (const [id, echo] of this.echoes) if (echo.expiresAt < now) this.echoes.delete(id);
  }
}

function echoText(record: DynamoDBRecord): string {
  const image = record.eventName === 'REMOVE' ? undefined : record.dynamodb?.NewImage;
  return `${record.eventName === 'REMOVE' ? 'delete' : 'put'}|${fingerprint(record.dynamodb?.Keys)}|${fingerprint(image ?? null)}`;
}

export interface DirectionStats {
  readonly from: string;
  readonly to: string;
  readonly applied: number;
  readonly skippedEchoes: number;
  readonly skippedOlder: number;
  /** Older writes of an item not applied because a newer write of it was due with them (see `nextBatch`). */
  readonly superseded: number;
  /** Newer local writes put back over an older replicated write that landed after them. */
  readonly repaired: number;
  readonly pending: number;
  readonly lastLagMs: number | null;
  readonly maxLagMs: number | null;
  readonly oldestPendingAgeMs: number | null;
  readonly lastError: string | undefined;
}

/** One direction: reads `from`'s stream (through a poller calling `handler`) and applies to `to`. */
export class ReplicationDirection {
  private readonly queue: PendingWrite[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private counters = { applied: 0, skippedEchoes: 0, skippedOlder: 0, superseded: 0, repaired: 0 };
  /** Set by the zone: queues a write on the direction that writes into this direction's source region. */
  repairOwnRegion: (write: PendingWrite) => void = () => undefined;
  private lastLagMs: number | null = null;
  private maxLagMs: number | null = null;
  private lastError: string | undefined;
  private lastVersionTime = 0;
  /** The `from` region's table as its stream has shown it (echoes included: they are its items too). */
  readonly sourceDigest = new TableDigest();

  constructor(
    readonly from: string,
    readonly to: string,
    private readonly target: { client: DynamoDBClient; tableName: string },
    private readonly ledger: ReplicationLedger,
    private readonly control: { isPaused(): boolean; injectedLagMs(): number },
  ) {}

  /** Plug into the `from` region's stream poller. Returns at once: records are queued, applied asynchronously. */
  readonly handler: StreamRecordHandler = async (event: DynamoDBStreamEvent) => {
    const observedAt = Date.now();
    for (const record of event.Records) {
      const versionTime = this.nextVersionTime(observedAt);
      const keys = record.dynamodb?.Keys;
      if (!keys) continue;
      const keyText = fingerprint(keys);
      this.sourceDigest.apply(keyText, record.dynamodb?.OldImage, record.dynamodb?.NewImage);
      const echoVersion = this.ledger.consumeEcho(this.from, echoText(record));
      if (echoVersion !== undefined) {
        this.counters.skippedEchoes += 1;
        // The replicated write was applied after a newer write of this region that the stream had not
        // shown yet, so the table now holds the older one. A global table orders the two by their
        // timestamps; here the newer local write is put back, in this region only.
        const local = this.ledger.lastLocalWrite(this.from, keyText);
        if (local && local.versionTime > echoVersion) {
          this.counters.repaired += 1;
          this.repairOwnRegion({ ...local, repair: true });
        }
        continue;
      }
      // A local write in `from`: it is now that region's newest version of the key.
      this.ledger.noteVersion(this.from, keyText, versionTime, this.from);
      const kind = record.eventName === 'REMOVE' ? 'delete' : 'put';
      const write: PendingWrite = { kind, keyText, record: record.dynamodb ?? {}, versionTime, observedAt };
      this.ledger.noteLocalWrite(this.from, write);
      this.queue.push(write);
    }
    this.wake?.();
  };

  /** The read time, nudged past the last version this origin issued (a microsecond apart at most). */
  private nextVersionTime(observedAt: number): number {
    this.lastVersionTime = Math.max(observedAt, this.lastVersionTime + 0.001);
    return this.lastVersionTime;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Writes still queued that were read from the stream at or before `atMs` (a region loss's catch-up). */
  pendingReadBy(atMs: number): number {
    return this.queue.reduce((n, write) => n + (write.observedAt <= atMs ? 1 : 0), 0);
  }

  stats(now = Date.now()): DirectionStats {
    const oldest = this.queue[0];
    return {
      from: this.from,
      to: this.to,
      ...this.counters,
      pending: this.queue.length,
      lastLagMs: this.lastLagMs,
      maxLagMs: this.maxLagMs,
      oldestPendingAgeMs: oldest ? now - oldest.observedAt : null,
      lastError: this.lastError,
    };
  }

  start(): void {
    this.stopping = false;
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  /** Wake the applier (after resume or a lag change). */
  nudge(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const next = this.queue[0];
      const waitMs = next ? next.observedAt + this.control.injectedLagMs() - Date.now() : 1000;
      if (!next || this.control.isPaused() || waitMs > 0) {
        await this.sleep(this.control.isPaused() || !next ? 1000 : waitMs);
        continue;
      }
      const { batch, superseded } = this.nextBatch();
      const outcomes = await Promise.allSettled(batch.map((write) => this.apply(write)));
      const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
      const applied = new Set([
        ...superseded,
        ...batch.filter((_, i) => outcomes[i]!.status === 'fulfilled'),
      ]);
      this.counters.superseded += superseded.length;
      // Remove what was applied; a failed write keeps its place, ahead of any later write of its key.
      for (let i = this.queue.length - 1; i >= 0; i--)
        if (applied.has(this.queue[i]!)) this.queue.splice(i, 1);
      if (failed.length === 0) {
        this.lastError = undefined;
        continue;
      }
      // Target unavailable: keep the writes queued and retry, as a global table would.
      this.lastError = `${failed[0]!.name}: ${failed[0]!.message}`;
      await this.sleep(250);
    }
  }

  /**
   * The due writes of up to APPLY_CONCURRENCY items, in queue order, and the older writes of those items that
   * the batch supersedes: different items are applied in parallel (a global table does not serialise a
   * region's writes behind one another, and a serial applier fell behind the drills' load on a busy machine);
   * of one item only its newest due write is applied (last writer wins would overwrite the older ones), so a
   * hot item neither holds the others back nor lags behind its own writes. An item whose earlier write is not
   * taken this round (no room, or a repair, which is never coalesced) keeps all its writes for a later round,
   * so one item's writes are never applied out of order.
   */
  private nextBatch(): { batch: PendingWrite[]; superseded: PendingWrite[] } {
    const due = Date.now() - this.control.injectedLagMs();
    const chosen = new Map<string, PendingWrite>();
    const waiting = new Set<string>();
    const superseded: PendingWrite[] = [];
    for (const write of this.queue) {
      if (write.observedAt > due) break;
      if (waiting.has(write.keyText)) continue;
      const earlier = chosen.get(write.keyText);
      if (earlier && !earlier.repair && !write.repair) {
        superseded.push(earlier);
        chosen.set(write.keyText, write);
      } else if (earlier || chosen.size >= APPLY_CONCURRENCY) {
        waiting.add(write.keyText);
      } else {
        chosen.set(write.keyText, write);
      }
    }
    return { batch: [...chosen.values()], superseded };
  }

  /** Queues a write into this direction's target (the other direction's repair of its own region). */
  enqueue(write: PendingWrite): void {
    this.queue.push(write);
    this.wake?.();
  }

  private async apply(write: PendingWrite): Promise<void> {
    if (!write.repair && !this.ledger.isNewer(this.to, write.keyText, write.versionTime, this.from)) {
      this.counters.skippedOlder += 1;
      return;
    }
    const { client, tableName } = this.target;
    const keys = write.record.Keys ?? {};
    if (write.kind === 'put') {
      const image = write.record.NewImage ?? {};
      this.ledger.rememberEcho(this.to, `put|${fingerprint(keys)}|${fingerprint(image)}`, write.versionTime);
      await client.send(new PutItemCommand({ TableName: tableName, Item: toSdkImage(image) }));
    } else {
      this.ledger.rememberEcho(this.to, `delete|${fingerprint(keys)}|null`, write.versionTime);
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: toSdkImage(keys) }));
    }
    if (!write.repair) this.ledger.noteVersion(this.to, write.keyText, write.versionTime, this.from);
    const lag = Date.now() - write.observedAt;
    this.lastLagMs = lag;
    this.maxLagMs = Math.max(this.maxLagMs ?? 0, lag);
    this.counters.applied += 1;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(1, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * A SIMULATED region loss (`ZoneReplicator.loseRegion`): `cut` while the region is gone (nothing crosses
 * either way; its unreplicated writes are withheld, not dropped), `catching-up` from `restoreRegion` until
 * every write withheld by then has been applied, then `caught-up`.
 */
export interface RegionLossStats {
  readonly region: string;
  readonly phase: 'cut' | 'catching-up' | 'caught-up';
  /** Epoch milliseconds of the cut. */
  readonly cutAtMs: number;
  /** Writes of the lost region not yet applied to the survivor (its share of the RPO, as the replicator sees it). */
  readonly withheldFromLostRegion: number;
  /** Writes of the survivor not yet applied to the lost region (what it must catch up on before it serves again). */
  readonly withheldForLostRegion: number;
}

export interface ZoneReplicationStats {
  readonly zone: string;
  readonly paused: boolean;
  readonly regionLoss?: RegionLossStats;
  readonly injectedLagMs: number;
  /** Current exposure: the age of the oldest unapplied write, else the last applied write's lag. */
  readonly lagMs: number | null;
  readonly pending: number;
  /**
   * Each region's table digest (local/table-digest.ts), as far as its stream has been read. Equal digests
   * with nothing pending: both regions hold the same items.
   */
  readonly digests: Readonly<Record<string, string>>;
  /** Nothing pending and both digests equal. */
  readonly converged: boolean;
  readonly directions: readonly DirectionStats[];
}

/** Whether a zone's two tables hold the same items (what a drill checks after the faults are gone). */
export interface ZoneConvergence {
  readonly zone: string;
  readonly converged: boolean;
  /** Items in the primary region's table. */
  readonly items: number;
  /** Keys whose items differ or exist on one side only. */
  readonly differing: number;
  /** Up to ten of those keys, for the report. */
  readonly sample: readonly string[];
}

async function itemsByKey(table: RegionTable): Promise<Map<string, string>> {
  const items = new Map<string, string>();
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({ TableName: table.tableName, ConsistentRead: true, ExclusiveStartKey }),
    );
    for (const item of page.Items ?? []) {
      items.set(`${item.pk?.S}|${item.sk?.S}`, fingerprint(item));
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export interface RegionTable {
  readonly region: string;
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/** Both directions of one zone, with the drill controls (pause, injected lag). */
export class ZoneReplicator {
  private paused = false;
  private lagMs = 0;
  private loss: { region: string; cutAtMs: number; restoringSinceMs?: number } | undefined;
  private readonly ledger = new ReplicationLedger();
  private readonly sweeper: NodeJS.Timeout;
  readonly directions: readonly [ReplicationDirection, ReplicationDirection];

  constructor(
    readonly zone: string,
    private readonly primary: RegionTable,
    private readonly secondary: RegionTable,
  ) {
    const control = { isPaused: () => this.isPaused, injectedLagMs: () => this.lagMs };
    const forward = new ReplicationDirection(
      primary.region,
      secondary.region,
      secondary,
      this.ledger,
      control,
    );
    const backward = new ReplicationDirection(
      secondary.region,
      primary.region,
      primary,
      this.ledger,
      control,
    );
    // A direction repairs its own source region through the direction that writes into that region.
    forward.repairOwnRegion = (write) => backward.enqueue(write);
    backward.repairOwnRegion = (write) => forward.enqueue(write);
    this.directions = [forward, backward];
    this.sweeper = setInterval(() => this.ledger.sweep(), ECHO_TTL_MS);
    this.sweeper.unref();
  }

  /** The handler to plug into `region`'s stream poller. */
  handlerFor(region: string): StreamRecordHandler {
    const direction = this.directions.find((d) => d.from === region);
    if (!direction) throw new Error(`zone ${this.zone} does not replicate from ${region}`);
    return direction.handler;
  }

  start(): void {
    for (const d of this.directions) d.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all(this.directions.map((d) => d.stop()));
  }

  pause(): void {
    this.paused = true;
  }

  /** Ends a pause, and a region loss at once (the control API's reset): everything withheld is applied. */
  resume(): void {
    this.paused = false;
    this.loss = undefined;
    for (const d of this.directions) d.nudge();
  }

  /**
   * SIMULATED loss of `region`: replication stops both ways at this instant, as when a Region becomes
   * unreachable. Its writes that had not crossed yet are withheld, not dropped (a global table delivers
   * them when the Region returns), and so are the survivor's writes for it. Pair with stopping the
   * region's cell; `restoreRegion` delivers both backlogs.
   */
  loseRegion(region: string): void {
    if (region !== this.primary.region && region !== this.secondary.region)
      throw new Error(
        `zone ${this.zone} replicates ${this.primary.region} and ${this.secondary.region}, not ${region}`,
      );
    this.loss = { region, cutAtMs: Date.now() };
  }

  /** The lost region is back: its withheld writes and the survivor's are delivered (see `regionLoss`). */
  restoreRegion(): void {
    if (!this.loss || this.loss.restoringSinceMs !== undefined) return;
    this.loss = { ...this.loss, restoringSinceMs: Date.now() };
    for (const d of this.directions) d.nudge();
  }

  private regionLoss(): RegionLossStats | undefined {
    const loss = this.loss;
    if (!loss) return undefined;
    const fromLost = this.directions.find((d) => d.from === loss.region)!;
    const forLost = this.directions.find((d) => d.to === loss.region)!;
    // While cut, every queued write is withheld; once restoring, only those read before the restore count.
    const by = loss.restoringSinceMs ?? Number.POSITIVE_INFINITY;
    const withheldFromLostRegion = fromLost.pendingReadBy(by);
    const withheldForLostRegion = forLost.pendingReadBy(by);
    const phase =
      loss.restoringSinceMs === undefined
        ? 'cut'
        : withheldFromLostRegion + withheldForLostRegion > 0
          ? 'catching-up'
          : 'caught-up';
    return {
      region: loss.region,
      phase,
      cutAtMs: loss.cutAtMs,
      withheldFromLostRegion,
      withheldForLostRegion,
    };
  }

  /** SIMULATED extra replication delay for drills (0 = as fast as the poller reads). */
  injectLag(ms: number): void {
    this.lagMs = ms;
    for (const d of this.directions) d.nudge();
  }

  /**
   * Compares the two tables item by item (a full scan of each: local sizes only). Meaningful once nothing
   * is pending; a drill waits for `pending 0` and then for this, with a bound.
   */
  async convergence(): Promise<ZoneConvergence> {
    const [a, b] = await Promise.all([itemsByKey(this.primary), itemsByKey(this.secondary)]);
    const differing = [...new Set([...a.keys(), ...b.keys()])].filter((key) => a.get(key) !== b.get(key));
    return {
      zone: this.zone,
      converged: differing.length === 0,
      items: a.size,
      differing: differing.length,
      sample: differing.slice(0, 10),
    };
  }

  /** Paused, or cut by a region loss not yet restored. */
  get isPaused(): boolean {
    return this.paused || (this.loss !== undefined && this.loss.restoringSinceMs === undefined);
  }

  stats(now = Date.now()): ZoneReplicationStats {
    const directions = this.directions.map((d) => d.stats(now));
    const oldest = Math.max(...directions.map((d) => d.oldestPendingAgeMs ?? -1));
    const lastLags = directions.map((d) => d.lastLagMs).filter((v): v is number => v !== null);
    const lastLag = lastLags.length > 0 ? Math.max(...lastLags) : null;
    const regionLoss = this.regionLoss();
    const pending = directions.reduce((sum, d) => sum + d.pending, 0);
    const [forward, backward] = this.directions;
    return {
      zone: this.zone,
      paused: this.isPaused,
      ...(regionLoss ? { regionLoss } : {}),
      injectedLagMs: this.lagMs,
      lagMs: oldest >= 0 ? Math.max(oldest, lastLag ?? 0) : lastLag,
      pending,
      digests: { [forward.from]: forward.sourceDigest.hex, [backward.from]: backward.sourceDigest.hex },
      converged: pending === 0 && forward.sourceDigest.hex === backward.sourceDigest.hex,
      directions,
    };
  }
}
