import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

/**
 * BENCH ONLY. The raw baseline of the API bench, made faithful by
 * construction: `CommandRecorder` wraps the document client the API uses and
 * records every command it sends (class, input, outcome, and which commands
 * overlapped); `TwinReplayer` sends the same commands, in the same global
 * order, to a twin table that started in the same state. The twin therefore
 * passes through the same states, so every replayed command meets the same
 * conditions, carries the same item sizes and returns the same result as the
 * API's. It checks that they did, outcome by outcome (`fidelity`), and
 * `compareTwins` compares the two tables item by item at the end.
 *
 * Fairness: the recorder only clones the input and keeps the result on the
 * API's side; the replayer builds its commands before, and compares outcomes
 * after, the part the caller times.
 */

type CommandClass = new (input: never) => unknown;

interface RecordedCommand {
  readonly label: string;
  /** Which request sent it: requests run one at a time, so a request's commands are contiguous. */
  readonly request: number;
  readonly commandClass: CommandClass;
  readonly input: unknown;
  /** Commands sent while an earlier one of the same request was still in flight replay concurrently with it. */
  readonly concurrentWithPrevious: boolean;
  /** What the API's call returned or threw (settled before the next request starts). */
  settled?: Settled;
}

type Settled = { readonly result: unknown } | { readonly error: unknown };

/** What a command returned, without the transport metadata: the replay must return the same. */
interface Outcome {
  readonly error?: string;
  readonly result?: unknown;
}

function outcomeOf(settled: Settled): Outcome {
  if ('error' in settled) {
    const { name, CancellationReasons } = settled.error as {
      name: string;
      CancellationReasons?: { Code?: string }[];
    };
    return {
      error: CancellationReasons ? `${name}[${CancellationReasons.map((r) => r.Code).join(',')}]` : name,
    };
  }
  const {
    $metadata: _metadata,
    ConsumedCapacity: _capacity,
    ...rest
  } = settled.result as Record<string, unknown>;
  return { result: rest };
}

async function settle(promise: Promise<unknown>): Promise<Settled> {
  try {
    return { result: await promise };
  } catch (error) {
    return { error };
  }
}

export class CommandRecorder {
  readonly commands: RecordedCommand[] = [];
  private label = 'setup';
  private request = 0;
  private inFlight = 0;

  /** Marks the start of a request; its commands carry `label` (e.g. `checkout`). */
  nextRequest(label: string): void {
    this.label = label;
    this.request += 1;
  }

  /** The operations of the last request labelled `label`, e.g. `Put, Get, TransactWrite(8 items)`. */
  operationsOf(label: string): string[] {
    const { commands } = this;
    const last = [...commands].reverse().find((c) => c.label === label);
    if (!last) return [];
    return commands
      .filter((c) => c.request === last.request)
      .map((c) => {
        const name = c.commandClass.name.replace(/Command$/, '');
        const items = (c.input as { TransactItems?: unknown[] }).TransactItems;
        return `${c.concurrentWithPrevious ? '|| ' : ''}${name}${items ? `(${items.length} items)` : ''}`;
      });
  }

  /** A client that behaves like `client` and records what goes through it. */
  wrap(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
    const send = async (command: { constructor: CommandClass; input: unknown }) => {
      const recorded: RecordedCommand = {
        label: this.label,
        request: this.request,
        commandClass: command.constructor,
        // Kept by reference, not cloned, so recording costs the API next to nothing; an input changed
        // after sending would replay differently, and the outcome check would report it.
        input: command.input,
        concurrentWithPrevious: this.inFlight > 0,
      };
      this.commands.push(recorded);
      this.inFlight += 1;
      try {
        const result = await client.send(command as never);
        recorded.settled = { result };
        return result;
      } catch (error) {
        recorded.settled = { error };
        throw error;
      } finally {
        this.inFlight -= 1;
      }
    };
    return new Proxy(client, {
      get: (target, property, receiver) =>
        property === 'send' ? send : Reflect.get(target, property, receiver),
    });
  }
}

/**
 * Rewrites every mention of one table name (a `TableName` value or a `RequestItems` key) to another.
 * A transaction's `ClientRequestToken` gets a fresh value: DynamoDB scopes the token to the account and
 * region, not the table, so the API's token sent again with the twin's items is a parameter mismatch.
 */
function retarget(value: unknown, from: string, to: string, key?: string): unknown {
  if (key === 'ClientRequestToken' && typeof value === 'string') return randomUUID();
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => retarget(v, from, to));
  // Plain objects by tag, not prototype: inputs cloned in another realm (jest's vm context) have another Object.prototype.
  if (Object.prototype.toString.call(value) === '[object Object]') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k === from ? to : k,
        retarget(v, from, to, k),
      ]),
    );
  }
  return value;
}

export interface ReplayFidelity {
  readonly replayed: number;
  readonly mismatches: readonly string[];
}

const READ_COMMANDS = new Set([
  'GetCommand',
  'QueryCommand',
  'BatchGetCommand',
  'ScanCommand',
  'TransactGetCommand',
]);

export class TwinReplayer {
  private next = 0;
  private replayed = 0;
  private readonly mismatches: string[] = [];
  private unchecked: { recorded: RecordedCommand; replay: Settled }[] = [];

  constructor(
    private readonly recorder: CommandRecorder,
    private readonly client: DynamoDBDocumentClient,
    private readonly fromTable: string,
    private readonly toTable: string,
  ) {}

  /**
   * Replays, untimed, every command recorded before the next request labelled
   * `label`, and returns a function that replays that request's commands:
   * the caller times only that function.
   */
  async prepare(label: string): Promise<() => Promise<void>> {
    this.checkReplayed();
    const { commands } = this.recorder;
    const start = commands.findIndex((c, i) => i >= this.next && c.label === label);
    if (start < 0) throw new Error(`nothing recorded under "${label}" to replay`);
    await this.replay(this.next, start)();
    let end = start + 1;
    while (end < commands.length && commands[end]!.request === commands[start]!.request) end += 1;
    this.next = end;
    return this.replay(start, end);
  }

  /**
   * A function that sends, each time it is called, the commands of the last
   * request recorded under `label` to the twin (for throughput runs). Only for
   * read-only requests: repeating a write would move the twin away from the API's table.
   */
  repeatReads(label: string): () => Promise<void> {
    const { commands } = this.recorder;
    const last = [...commands].reverse().find((c) => c.label === label);
    if (!last) throw new Error(`nothing recorded under "${label}" to repeat`);
    const request = commands.filter((c) => c.request === last.request);
    const writes = request.filter((c) => !READ_COMMANDS.has(c.commandClass.name));
    if (writes.length > 0)
      throw new Error(
        `"${label}" writes (${writes.map((c) => c.commandClass.name).join(', ')}); only reads repeat`,
      );
    const inputs = request.map((c) => ({
      commandClass: c.commandClass,
      input: retarget(c.input, this.fromTable, this.toTable),
    }));
    return async () => {
      for (const { commandClass, input } of inputs)
        await this.client.send(new commandClass(input as never) as never);
    };
  }

  /** Replays whatever is left, so the twin can be compared with the API's table. */
  async finish(): Promise<void> {
    await this.replay(this.next, this.recorder.commands.length)();
    this.next = this.recorder.commands.length;
    this.checkReplayed();
  }

  fidelity(): ReplayFidelity {
    this.checkReplayed();
    return { replayed: this.replayed, mismatches: this.mismatches };
  }

  /** Builds the commands [from, to) for the twin now; the returned function only sends them. */
  private replay(from: number, to: number): () => Promise<void> {
    const groups: { recorded: RecordedCommand; command: unknown }[][] = [];
    for (let i = from; i < to; i += 1) {
      const recorded = this.recorder.commands[i]!;
      const input = retarget(recorded.input, this.fromTable, this.toTable);
      if (JSON.stringify(input).includes(this.fromTable))
        throw new Error(`${recorded.commandClass.name} still names ${this.fromTable} after retargeting`);
      const entry = { recorded, command: new recorded.commandClass(input as never) };
      if (recorded.concurrentWithPrevious && groups.length > 0) groups.at(-1)!.push(entry);
      else groups.push([entry]);
    }
    return async () => {
      const settled: Settled[][] = [];
      for (const group of groups) {
        settled.push(
          await Promise.all(group.map(({ command }) => settle(this.client.send(command as never)))),
        );
      }
      // Checked on the next call, outside the part the caller times.
      this.unchecked.push(
        ...groups.flatMap((group, g) =>
          group.map(({ recorded }, j) => ({ recorded, replay: settled[g]![j]! })),
        ),
      );
    };
  }

  private checkReplayed(): void {
    for (const { recorded, replay } of this.unchecked) this.check(recorded, replay);
    this.unchecked = [];
  }

  private check(recorded: RecordedCommand, replay: Settled): void {
    this.replayed += 1;
    const expected = retarget(outcomeOf(recorded.settled!), this.fromTable, this.toTable);
    const actual = outcomeOf(replay);
    if (!isDeepStrictEqual(expected, actual) && this.mismatches.length < 5) {
      this.mismatches.push(
        `${recorded.commandClass.name} (${recorded.label}): API got ${JSON.stringify(expected).slice(0, 200)}, replay got ${JSON.stringify(actual).slice(0, 200)}`,
      );
    }
  }
}

/** Every item of a table, ordered by key. */
async function allItems(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const key = (item: Record<string, unknown>) => `${item.pk}\u0000${item.sk}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Compares the API's table with its twin item by item; returns the item count or the first difference. */
export async function compareTwins(
  client: DynamoDBDocumentClient,
  apiTable: string,
  twinTable: string,
): Promise<{ readonly identical: boolean; readonly items: number; readonly firstDifference?: string }> {
  const [api, twin] = await Promise.all([allItems(client, apiTable), allItems(client, twinTable)]);
  const index = api.findIndex((item, i) => !isDeepStrictEqual(item, twin[i]));
  if (index < 0 && api.length === twin.length) return { identical: true, items: api.length };
  const at = index < 0 ? api.length : index;
  return {
    identical: false,
    items: api.length,
    firstDifference: `item ${at}: API ${JSON.stringify(api[at])?.slice(0, 200)}, twin ${JSON.stringify(twin[at])?.slice(0, 200)}`,
  };
}
