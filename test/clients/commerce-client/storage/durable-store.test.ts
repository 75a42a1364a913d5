import 'fake-indexeddb/auto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DurableStore, MemoryStore } from '../../../../clients/commerce-client/storage/durable-store';
import { FileStore } from '../../../../clients/commerce-client/storage/file-store';
import { IndexedDbStore } from '../../../../clients/commerce-client/storage/indexeddb-store';

/**
 * One contract for every DurableStore. The file store and the IndexedDB store (fake-indexeddb, an
 * in-memory implementation of the IndexedDB API, in Node) also show that a second instance over the
 * same directory or database name, as after a restart, reads what the first one wrote.
 */

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

async function freshDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'commerce-client-store-'));
  directories.push(directory);
  return directory;
}

let databases = 0;
const kinds: Array<[string, () => Promise<{ store: DurableStore; reopen?: () => DurableStore }>]> = [
  ['MemoryStore', async () => ({ store: new MemoryStore() })],
  [
    'FileStore',
    async () => {
      const directory = await freshDirectory();
      return { store: new FileStore(directory), reopen: () => new FileStore(directory) };
    },
  ],
  [
    'IndexedDbStore',
    async () => {
      const name = `test-db-${++databases}`;
      return { store: new IndexedDbStore(name), reopen: () => new IndexedDbStore(name) };
    },
  ],
];

describe.each(kinds)('%s', (_name, make) => {
  it('sets, gets, overwrites and deletes JSON values', async () => {
    const { store } = await make();
    expect(await store.get('a')).toBeUndefined();
    await store.set('a', { n: 1, list: [1, 'two'], nested: { ok: true } });
    expect(await store.get('a')).toEqual({ n: 1, list: [1, 'two'], nested: { ok: true } });
    await store.set('a', 'replaced');
    expect(await store.get('a')).toBe('replaced');
    await store.delete('a');
    expect(await store.get('a')).toBeUndefined();
    await store.delete('a'); // deleting nothing is fine
  });

  it('lists by prefix in key order, keys with / and : included', async () => {
    const { store } = await make();
    for (const key of ['outbox/02', 'outbox/01', 'outboxed', 'catalog/v1/products?limit=1', 'outbox/10:x']) {
      await store.set(key, key);
    }
    const listed = await store.list('outbox/');
    expect(listed.map((e) => e.key)).toEqual(['outbox/01', 'outbox/02', 'outbox/10:x']);
    expect(listed.map((e) => e.value)).toEqual(['outbox/01', 'outbox/02', 'outbox/10:x']);
    expect((await store.list('catalog/')).map((e) => e.key)).toEqual(['catalog/v1/products?limit=1']);
  });

  it('hands out copies: changing a value read does not change the stored one', async () => {
    const { store } = await make();
    await store.set('k', { n: 1 });
    const read = (await store.get('k')) as { n: number };
    read.n = 2;
    expect(await store.get('k')).toEqual({ n: 1 });
  });

  it('keeps the last of concurrent writes to one key', async () => {
    const { store } = await make();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set('race', i)));
    expect(await store.get('race')).toBe(19);
  });

  it('is read back by a new instance (a restart)', async () => {
    const { store, reopen } = await make();
    if (!reopen) return; // MemoryStore is not durable by design
    await store.set('outbox/1', { status: 'queued' });
    await store.set('outbox/2', { status: 'sending' });
    await store.delete('outbox/2');
    if (store instanceof IndexedDbStore) await store.close();
    const again = reopen();
    expect(await again.list('outbox/')).toEqual([{ key: 'outbox/1', value: { status: 'queued' } }]);
  });
});

describe('FileStore atomic writes', () => {
  it('leaves no temporary file behind and ignores one left by a crash mid-write', async () => {
    const directory = await freshDirectory();
    const store = new FileStore(directory);
    await store.set('outbox/1', { v: 1 });
    await store.set('outbox/1', { v: 2 });
    expect((await readdir(directory)).sort()).toEqual(['outbox%2F1.json']);

    // a crash between "write temp" and "rename": the temp file holds a torn, newer value
    await writeFile(join(directory, '.deadbeef.outbox%2F1.tmp'), '{"v": 3, "tor');
    expect(await store.get('outbox/1')).toEqual({ v: 2 });
    expect(await new FileStore(directory).list('outbox/')).toEqual([{ key: 'outbox/1', value: { v: 2 } }]);
  });

  it('refuses a value that is not JSON', async () => {
    const store = new FileStore(await freshDirectory());
    await expect(store.set('k', undefined)).rejects.toThrow(/not JSON/);
  });
});
