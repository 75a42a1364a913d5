/**
 * Where the client keeps what must survive a restart: the outbox of intents, the catalog cache, the
 * discovery document and home zone, webhook dedupe records and the events cursor.
 *
 * A store holds JSON values under string keys. `set` and `delete` resolve only once the change is
 * durable (flushed to disk, or an IndexedDB transaction committed), so a caller that awaits them may
 * send a request next knowing a crash cannot lose what it wrote.
 */
export interface DurableStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every entry whose key starts with `prefix`, in ascending key order. */
  list(prefix: string): Promise<StoredEntry[]>;
}

export interface StoredEntry {
  readonly key: string;
  readonly value: unknown;
}

/** A deep copy through JSON: what a durable store would give back after a restart. */
export function jsonCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * In memory only: for tests and for callers that accept losing the outbox on restart (a storefront
 * tab, say). Values are copied in and out, as a durable store would.
 */
export class MemoryStore implements DurableStore {
  private readonly entries = new Map<string, unknown>();

  async get(key: string): Promise<unknown> {
    return jsonCopy(this.entries.get(key));
  }

  async set(key: string, value: unknown): Promise<void> {
    this.entries.set(key, jsonCopy(value));
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async list(prefix: string): Promise<StoredEntry[]> {
    return [...this.entries.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value: jsonCopy(value) }));
  }
}
