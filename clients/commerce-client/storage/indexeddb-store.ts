/// <reference lib="dom" />
// The browser store needs the DOM's IndexedDB types; Node code never calls this module without a fake.
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import { type DurableStore, jsonCopy, type StoredEntry } from './durable-store';

const STORE = 'entries';

interface Schema extends DBSchema {
  [STORE]: { key: string; value: unknown };
}

/**
 * A durable store for browsers and kiosk web views: one IndexedDB object store, through the `idb`
 * wrapper. Each `set`/`delete` is its own read-write transaction with `durability: 'strict'` and
 * resolves when the transaction has committed, so a write awaited before a request survives a crash
 * or a closed tab.
 */
export class IndexedDbStore implements DurableStore {
  private database: Promise<IDBPDatabase<Schema>> | undefined;

  /** @param name the IndexedDB database name; one per app (two apps sharing a name share the outbox). */
  constructor(readonly name: string) {
    if (!name) throw new Error('IndexedDbStore needs a database name, e.g. "commerce-kiosk"');
  }

  async get(key: string): Promise<unknown> {
    return (await this.open()).get(STORE, key);
  }

  async set(key: string, value: unknown): Promise<void> {
    const transaction = (await this.open()).transaction(STORE, 'readwrite', { durability: 'strict' });
    await Promise.all([transaction.store.put(jsonCopy(value), key), transaction.done]);
  }

  async delete(key: string): Promise<void> {
    const transaction = (await this.open()).transaction(STORE, 'readwrite', { durability: 'strict' });
    await Promise.all([transaction.store.delete(key), transaction.done]);
  }

  async list(prefix: string): Promise<StoredEntry[]> {
    const transaction = (await this.open()).transaction(STORE, 'readonly');
    const entries: StoredEntry[] = [];
    // '\uffff' sorts after every character a key can hold, so the range is "starts with prefix".
    let cursor = await transaction.store.openCursor(IDBKeyRange.bound(prefix, `${prefix}\uffff`));
    while (cursor) {
      entries.push({ key: cursor.key, value: cursor.value });
      cursor = await cursor.continue();
    }
    await transaction.done;
    return entries;
  }

  /** Closes the connection (tests, or a page that is going away). The next call reopens it. */
  async close(): Promise<void> {
    const database = this.database;
    this.database = undefined;
    if (database) (await database).close();
  }

  private open(): Promise<IDBPDatabase<Schema>> {
    this.database ??= openDB<Schema>(this.name, 1, {
      upgrade(database) {
        database.createObjectStore(STORE);
      },
      terminated: () => {
        // the browser closed the connection (storage cleared, say): reopen on next use
        this.database = undefined;
      },
    });
    return this.database;
  }
}
