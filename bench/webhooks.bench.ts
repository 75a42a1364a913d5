/**
 * Webhooks bench (issue 4):
 *  1. Relay throughput on DynamoDB Local: write N outbox items, read the
 *     table stream (DynamoDB Streams API, Lambda record shape), run the
 *     production relay over it in Lambda-sized batches (100 records) with an
 *     in-memory event bus. Two cases: publish only (no webhook endpoint) and
 *     publish + fan-out to one subscribed endpoint (one conditional put of a
 *     delivery record + enqueue + mark per event). Median of R fresh runs.
 *  2. Sign + verify cost per message (~1 KiB envelope): ours
 *     (lambdas/webhooks/signature.ts, node:crypto) beside the official
 *     `standardwebhooks` package, in the same process, median of R runs.
 *
 *   npx tsx bench/webhooks.bench.ts              # 500 events, 3 runs (+1 warm-up), 20000 sign+verify per run
 *   npx tsx bench/webhooks.bench.ts --smoke      # small counts, for CI
 *   npx tsx bench/webhooks.bench.ts --json       # machine-readable result on stdout
 * DYNAMODB_ENDPOINT=http://127.0.0.1:8000 reuses a running DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { type EventEnvelope, newEvent } from '../lambdas/core/events/envelope';
import { outboxItem } from '../lambdas/adapters/outbox-repository';
import { InMemoryPublisher } from '../local/in-memory-publisher';
import { createEventPipeline } from '../lambdas/event-pipeline/pipeline';
import { generateSecret, signatureHeaders, verifyWebhook } from '../lambdas/webhooks/signature';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { InProcessQueue } from '../local/in-process-queue';
import { ensureTable } from '../local/tables';
import { median, round } from '../loadtests/stats';
import { readWholeStream } from '../test/lambdas/outbox/support/stream';

const BATCH = 100; // Lambda's default BatchSize for DynamoDB streams

const count = z.coerce.number().int('must be a positive integer').min(1, 'must be a positive integer');
const argsSchema = z.strictObject({
  smoke: z.boolean().default(false),
  json: z.boolean().default(false),
  events: count.optional(),
  runs: count.optional(),
  signs: count.optional(),
});

export interface WebhooksBenchOptions {
  /** Machine-readable result on stdout (progress on stderr). */
  readonly json: boolean;
  /** Outbox events per relay run. */
  readonly events: number;
  readonly runs: number;
  /** Sign + verify rounds per run. */
  readonly signs: number;
}

/** Parsed when `main` runs, never at import. */
export function parseWebhooksBenchArgs(argv: readonly string[]): WebhooksBenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      smoke: { type: 'boolean' },
      json: { type: 'boolean' },
      events: { type: 'string' },
      runs: { type: 'string' },
      signs: { type: 'string' },
    },
  });
  const args = argsSchema.parse(values);
  return {
    json: args.json,
    events: args.events ?? (args.smoke ? 200 : 500),
    runs: args.runs ?? (args.smoke ? 2 : 3),
    signs: args.signs ?? (args.smoke ? 2000 : 20000),
  };
}

function sampleEvent(i: number): EventEnvelope {
  return newEvent({
    eventType: 'order.v1.placed',
    correlationId: randomUUID(),
    producer: { region: 'us-east-1', zone: 'global' },
    aggregate: { type: 'order', id: `ord-${i}`, version: 1 },
    data: {
      orderId: `ord-${i}`,
      customerId: `cust-${i % 97}`,
      lines: Array.from({ length: 6 }, (_, n) => ({
        productId: `sku-${String(n).padStart(4, '0')}`,
        name: `Merino base layer size ${n}`,
        quantity: 1 + (n % 3),
        unitPriceMinor: 1500 + n,
      })),
      totalMinor: 12345,
      currency: 'EUR',
    },
  });
}

interface RelayRun {
  /** Baseline in the same table: conditional PutItems of delivery-sized items (with gsi1 keys), 16 in flight. */
  readonly rawPutsPerSecond: number;
  readonly writeMs: number;
  readonly readMs: number;
  readonly relayMs: number;
  readonly eventsPerSecond: number;
}

async function relayRun(
  client: DynamoDBClient,
  endpoint: string,
  subscribers: number,
  eventCount: number,
): Promise<RelayRun> {
  const tableName = `bench-${randomUUID().slice(0, 8)}-commerce`;
  await ensureTable(client, tableName);
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  try {
    const events = Array.from({ length: eventCount }, (_, i) => sampleEvent(i));
    let started = performance.now();
    for (let i = 0; i < events.length; i += 25) {
      await documentClient.send(
        new BatchWriteCommand({
          RequestItems: {
            [tableName]: events.slice(i, i + 25).map((e) => ({ PutRequest: { Item: outboxItem(e) } })),
          },
        }),
      );
    }
    const writeMs = performance.now() - started;

    const queue = new InProcessQueue();
    const publisher = new InMemoryPublisher(eventCount);
    // The production composition of the relay, fan-out and stores, as the Lambda entries wire it.
    const pipeline = createEventPipeline({
      documentClient,
      tableName,
      cellRegion: 'us-east-1',
      mode: 'cloud',
      queue,
      publisher,
      resolve: async () => ['93.184.216.34'],
    });
    for (let i = 0; i < subscribers; i++)
      await pipeline.endpoints.create({ url: `https://hooks${i}.example.com/in` });

    started = performance.now();
    const records: DynamoDBRecord[] = await readWholeStream(client, endpoint, tableName);
    const readMs = performance.now() - started;

    started = performance.now();
    for (let i = 0; i < records.length; i += BATCH) {
      const result = await pipeline.relayHandler({ Records: records.slice(i, i + BATCH) });
      if (result.batchItemFailures.length) throw new Error('relay reported failures during the bench');
    }
    const relayMs = performance.now() - started;
    if (publisher.published !== eventCount)
      throw new Error(`published ${publisher.published} of ${eventCount}`);
    if (queue.size !== eventCount * subscribers)
      throw new Error(`enqueued ${queue.size} of ${eventCount * subscribers}`);

    started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < events.length) {
        const event = events[next++]!;
        await documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: `RAW#${event.eventId}`,
              sk: 'RAW',
              gsi1pk: 'RAW',
              gsi1sk: event.eventId,
              envelope: event,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const rawPutsPerSecond = (events.length / (performance.now() - started)) * 1000;
    return { rawPutsPerSecond, writeMs, readMs, relayMs, eventsPerSecond: (eventCount / relayMs) * 1000 };
  } finally {
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  }
}

function signVerifyRuns(runCount: number, signCount: number) {
  const body = JSON.stringify(sampleEvent(1));
  const secret = generateSecret();
  const official = new Webhook(secret);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let run = 0; run < runCount; run++) {
    const now = Date.now();
    const seconds = Math.floor(now / 1000);
    let started = performance.now();
    for (let i = 0; i < signCount; i++) {
      const id = `msg_${i}`;
      const headers = signatureHeaders({ id, timestampSeconds: seconds, body, secrets: [secret] });
      verifyWebhook({ body, headers, secret, now });
    }
    ours.push(((performance.now() - started) * 1000) / signCount);

    started = performance.now();
    for (let i = 0; i < signCount; i++) {
      const id = `msg_${i}`;
      const signature = official.sign(id, new Date(now), body);
      official.verify(body, {
        'webhook-id': id,
        'webhook-timestamp': String(seconds),
        'webhook-signature': signature,
      });
    }
    theirs.push(((performance.now() - started) * 1000) / signCount);
  }
  return {
    bodyBytes: Buffer.byteLength(body),
    oursUs: median(ours),
    standardwebhooksUs: median(theirs),
    ours,
    theirs,
  };
}

export async function runWebhooksBench(options: WebhooksBenchOptions): Promise<void> {
  const { events: eventCount, runs: runCount, signs: signCount } = options;
  const log = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  const reuse = process.env.DYNAMODB_ENDPOINT;
  const local = reuse ? undefined : await startDynamoDbLocal();
  const endpoint = reuse ?? local!.endpoint;
  const client = localDynamoClient(endpoint, 'us-east-1');
  try {
    log(
      `webhooks bench: ${eventCount} events x ${runCount} runs, relay batch ${BATCH}, ${signCount} sign+verify per run`,
    );
    await relayRun(client, endpoint, 1, eventCount); // warm-up (JIT, DynamoDB Local), not counted
    const cases: Record<string, RelayRun[]> = { publishOnly: [], publishAndFanOut1: [] };
    for (let run = 0; run < runCount; run++) {
      cases.publishOnly!.push(await relayRun(client, endpoint, 0, eventCount));
      cases.publishAndFanOut1!.push(await relayRun(client, endpoint, 1, eventCount));
      log(
        `  run ${run + 1}/${runCount}: publish only ${round(cases.publishOnly!.at(-1)!.eventsPerSecond, 0)} events/s, ` +
          `with fan-out ${round(cases.publishAndFanOut1!.at(-1)!.eventsPerSecond, 0)} events/s ` +
          `(raw conditional PutItem ${round(cases.publishAndFanOut1!.at(-1)!.rawPutsPerSecond, 0)}/s in the same run)`,
      );
    }
    const relay = Object.fromEntries(
      Object.entries(cases).map(([name, runs]) => [
        name,
        {
          eventsPerSecond: round(median(runs.map((r) => r.eventsPerSecond)), 0),
          runs: runs.map((r) => round(r.eventsPerSecond, 0)),
          writeOutboxMs: round(median(runs.map((r) => r.writeMs)), 0),
          readStreamMs: round(median(runs.map((r) => r.readMs)), 0),
          rawConditionalPutsPerSecond: round(median(runs.map((r) => r.rawPutsPerSecond)), 0),
          /** Events/s per raw PutItem/s, per run: the fan-out costs about 2 writes per event + 1 query per batch. */
          perRawPut: round(median(runs.map((r) => r.eventsPerSecond / r.rawPutsPerSecond)), 2),
        },
      ]),
    );
    const signing = signVerifyRuns(runCount, signCount);
    const result = {
      events: eventCount,
      runs: runCount,
      relayBatchSize: BATCH,
      relay,
      signVerify: {
        bodyBytes: signing.bodyBytes,
        perMessageUs: {
          ours: round(signing.oursUs, 2),
          standardwebhooks: round(signing.standardwebhooksUs, 2),
        },
        runsUs: {
          ours: signing.ours.map((x) => round(x, 2)),
          standardwebhooks: signing.theirs.map((x) => round(x, 2)),
        },
        standardwebhooksOverOurs: round(signing.standardwebhooksUs / signing.oursUs, 2),
      },
    };
    for (const [name, r] of Object.entries(relay)) {
      log(
        `relay ${name.padEnd(18)} ${String(r.eventsPerSecond).padStart(6)} events/s (median; runs ${r.runs.join(', ')}); ` +
          `writing the outbox ${r.writeOutboxMs} ms, reading the stream ${r.readStreamMs} ms; ` +
          `baseline ${r.rawConditionalPutsPerSecond} conditional PutItem/s on the same DynamoDB Local`,
      );
    }
    log(
      `sign+verify (${signing.bodyBytes} B body): ours ${result.signVerify.perMessageUs.ours} µs/msg, ` +
        `standardwebhooks ${result.signVerify.perMessageUs.standardwebhooks} µs/msg ` +
        `(x${result.signVerify.standardwebhooksOverOurs})`,
    );
    if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    client.destroy();
    await local?.stop();
  }
}

/** Exit code: 0 done, 1 the bench failed, 2 bad arguments. */
export async function main(argv: readonly string[]): Promise<number> {
  let options: WebhooksBenchOptions;
  try {
    options = parseWebhooksBenchArgs(argv);
  } catch (error) {
    const message =
      error instanceof z.ZodError
        ? error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')
        : (error as Error).message;
    process.stderr.write(
      `${message}\nusage: npx tsx bench/webhooks.bench.ts [--smoke] [--json] [--events N] [--runs N] [--signs N]\n`,
    );
    return 2;
  }
  try {
    await runWebhooksBench(options);
    return 0;
  } catch (error) {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    return 1;
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => process.exit(code));
