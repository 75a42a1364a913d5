import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS } from './dynamodb-local';
import { type RecordSource, toLambdaRecord } from './stream-records';

/**
 * SIMULATED event source mapping: polls one table's stream on DynamoDB Local
 * through the DynamoDB Streams API and invokes a handler with the event Lambda
 * would receive. Semantics kept from Lambda: at-least-once, in order per
 * shard, a parent shard drained before its children, a failed batch retried
 * from the last checkpoint (with backoff), and `batchItemFailures` honoured
 * (processing resumes at the first failed record).
 * Not kept: retry limits and on-failure destinations (a failing batch is
 * retried until it succeeds or the topology stops), parallelization factor.
 */

/** Lambda stream handlers are typed `Promise<void>` or return batch item failures; both plug in. */
export type StreamRecordHandler =
  | ((event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>)
  | ((event: DynamoDBStreamEvent) => Promise<void>);

export interface StreamPollerOptions {
  /** Names the poller in errors, e.g. `outbox global/us-east-1`. */
  readonly name: string;
  readonly endpoint: string;
  /** Region namespace of the table in DynamoDB Local. */
  readonly region: string;
  readonly streamArn: string;
  readonly source: RecordSource;
  readonly handler: StreamRecordHandler;
  /** Idle wait between polls when no shard had records. @default 250 (Lambda: 4 polls a second) */
  readonly pollIntervalMs?: number;
  /** Records per handler invocation (Lambda's BatchSize). @default 100 */
  readonly batchSize?: number;
  readonly onError?: (error: Error) => void;
}

interface ShardState {
  readonly shardId: string;
  readonly parentShardId: string | undefined;
  /** Sequence number of the last record the handler completed. */
  checkpoint: string | undefined;
  iterator: string | undefined;
  done: boolean;
}

export interface StreamPollerStats {
  readonly batches: number;
  readonly records: number;
  readonly failedBatches: number;
  readonly lastError: string | undefined;
  /** The last poll or batch failed and is being retried with backoff. */
  readonly retrying: boolean;
  /** Reading is suspended (`pause`): records wait in the stream, from the last checkpoint. */
  readonly paused: boolean;
}

/** New shards are looked for this often, and at once when a shard closes. */
const SHARD_REFRESH_MS = 5000;
const MAX_BACKOFF_MS = 5000;

export class StreamPoller {
  private readonly client: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardState>();
  private lastShardRefresh = 0;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private suspended = false;
  private polling: Promise<boolean> | undefined;
  private wake: (() => void) | undefined;
  private failuresInARow = 0;
  private counters = { batches: 0, records: 0, failedBatches: 0 };
  private lastError: string | undefined;

  constructor(private readonly options: StreamPollerOptions) {
    this.client = new DynamoDBStreamsClient({
      endpoint: options.endpoint,
      region: options.region,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 2,
    });
  }

  get name(): string {
    return this.options.name;
  }

  get stats(): StreamPollerStats {
    return {
      ...this.counters,
      lastError: this.lastError,
      retrying: this.failuresInARow > 0,
      paused: this.suspended,
    };
  }

  /**
   * Stops reading without forgetting where it was, as when the consumer's region is gone: the batch in
   * flight finishes, then records wait in the stream (DynamoDB Streams keeps them 24 hours) until `resume`,
   * which reads on from the last checkpoint (an iterator that expired meanwhile is re-created from it).
   */
  async pause(): Promise<void> {
    this.suspended = true;
    await this.polling?.catch(() => undefined);
  }

  resume(): void {
    this.suspended = false;
    this.wake?.();
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Waits for the batch in flight to finish, then releases the client. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    this.client.destroy();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      if (this.suspended) {
        await this.sleep(this.options.pollIntervalMs ?? 250);
        continue;
      }
      let delivered = false;
      const failedBefore = this.counters.failedBatches;
      try {
        this.polling = this.pollOnce();
        delivered = await this.polling;
        if (this.counters.failedBatches === failedBefore) this.failuresInARow = 0;
      } catch (error) {
        this.failuresInARow += 1;
        this.lastError = `${(error as Error).name}: ${(error as Error).message}`;
        this.options.onError?.(error as Error);
      }
      const failed = this.failuresInARow > 0;
      if ((failed || !delivered) && !this.stopping) await this.sleep(this.idleDelay());
    }
  }

  private idleDelay(): number {
    const base = this.options.pollIntervalMs ?? 250;
    return this.failuresInARow === 0 ? base : Math.min(MAX_BACKOFF_MS, base * 2 ** this.failuresInARow);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async refreshShards(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.client.send(
        new DescribeStreamCommand({
          StreamArn: this.options.streamArn,
          ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}),
        }),
      );
      for (const shard of StreamDescription?.Shards ?? []) this.track(shard);
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    this.lastShardRefresh = Date.now();
  }

  private track(shard: Shard): void {
    if (!shard.ShardId || this.shards.has(shard.ShardId)) return;
    this.shards.set(shard.ShardId, {
      shardId: shard.ShardId,
      parentShardId: shard.ParentShardId,
      checkpoint: undefined,
      iterator: undefined,
      done: false,
    });
  }

  /** Children wait until their parent shard is drained (ordering per key across shard splits). */
  private ready(shard: ShardState): boolean {
    if (shard.done) return false;
    const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
    return !parent || parent.done;
  }

  /** One pass over the readable shards; true when at least one record was delivered. */
  private async pollOnce(): Promise<boolean> {
    if (Date.now() - this.lastShardRefresh >= SHARD_REFRESH_MS) await this.refreshShards();
    let delivered = false;
    for (const shard of this.shards.values()) {
      if (this.stopping || this.suspended) break;
      if (!this.ready(shard)) continue;
      delivered = (await this.pollShard(shard)) || delivered;
    }
    return delivered;
  }

  private async pollShard(shard: ShardState): Promise<boolean> {
    if (!shard.iterator) {
      const { ShardIterator } = await this.client.send(
        new GetShardIteratorCommand({
          StreamArn: this.options.streamArn,
          ShardId: shard.shardId,
          ...(shard.checkpoint
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.checkpoint }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      shard.iterator = ShardIterator;
      if (!shard.iterator) {
        shard.done = true;
        return false;
      }
    }
    let response: Awaited<ReturnType<typeof this.getRecords>>;
    try {
      response = await this.getRecords(shard.iterator);
    } catch (error) {
      // An expired or trimmed iterator is re-created from the checkpoint on the next pass.
      shard.iterator = undefined;
      throw error;
    }
    const records = response.Records ?? [];
    if (records.length > 0) {
      const completed = await this.deliver(records);
      if (completed < records.length) {
        // Re-read from the checkpoint: the failed records (and the ones after them) come again.
        if (completed > 0) shard.checkpoint = records[completed - 1]?.dynamodb?.SequenceNumber;
        shard.iterator = undefined;
        return completed > 0;
      }
      shard.checkpoint = records[records.length - 1]?.dynamodb?.SequenceNumber;
    }
    shard.iterator = response.NextShardIterator;
    if (!shard.iterator) {
      shard.done = true;
      this.lastShardRefresh = 0;
    }
    return records.length > 0;
  }

  private getRecords(iterator: string) {
    return this.client.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 100 }),
    );
  }

  /** Invokes the handler; returns how many leading records completed (all of them on success). */
  private async deliver(records: NonNullable<Awaited<ReturnType<typeof this.getRecords>>['Records']>) {
    const event: DynamoDBStreamEvent = {
      Records: records.map((record) => toLambdaRecord(record, this.options.source)),
    };
    this.counters.batches += 1;
    try {
      const result = await this.options.handler(event);
      const failed = result?.batchItemFailures ?? [];
      if (failed.length === 0) {
        this.counters.records += records.length;
        return records.length;
      }
      const failedSequence = new Set(failed.map((f) => f.itemIdentifier));
      const firstFailed = records.findIndex((r) => failedSequence.has(r.dynamodb?.SequenceNumber ?? ''));
      const completed = firstFailed === -1 ? records.length : firstFailed;
      this.counters.records += completed;
      if (completed < records.length) this.noteFailure(new Error(`${failed.length} batch item failures`));
      return completed;
    } catch (error) {
      this.noteFailure(error as Error);
      return 0;
    }
  }

  private noteFailure(error: Error): void {
    this.counters.failedBatches += 1;
    this.failuresInARow += 1;
    this.lastError = `handler: ${error.message}`;
    this.options.onError?.(new Error(`${this.options.name}: handler failed: ${error.message}`));
  }
}
