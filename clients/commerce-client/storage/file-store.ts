import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DurableStore, StoredEntry } from './durable-store';

/**
 * A durable store for Node kiosks: one JSON file per key in `directory`.
 *
 * Every write goes to a temporary file in the same directory, is fsynced, then renamed over the
 * key's file (rename is atomic on POSIX file systems), and the directory is fsynced so the rename
 * itself survives a power cut. A crash therefore leaves either the old value or the new one, never
 * a torn file; leftover temporary files are ignored and removed by the next write of that key.
 * Writes to one key are serialized, so the last `set` called is the one kept.
 */
export class FileStore implements DurableStore {
  private readonly queues = new Map<string, Promise<void>>();
  private ready: Promise<void> | undefined;

  constructor(readonly directory: string) {
    if (!directory) throw new Error('FileStore needs a directory: pass the folder that holds the kiosk data');
  }

  async get(key: string): Promise<unknown> {
    await this.queues.get(key);
    try {
      return JSON.parse(await readFile(this.fileOf(key), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  set(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    if (text === undefined) return Promise.reject(new TypeError(`FileStore: value of ${key} is not JSON`));
    return this.serialized(key, () => this.writeAtomically(key, text));
  }

  delete(key: string): Promise<void> {
    return this.serialized(key, async () => {
      try {
        await unlink(this.fileOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      await this.syncDirectory();
    });
  }

  async list(prefix: string): Promise<StoredEntry[]> {
    await this.ensureDirectory();
    const keys = (await readdir(this.directory))
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .map((name) => decodeURIComponent(name.slice(0, -'.json'.length)))
      .filter((key) => key.startsWith(prefix))
      .sort();
    const entries: StoredEntry[] = [];
    for (const key of keys) {
      const value = await this.get(key);
      if (value !== undefined) entries.push({ key, value });
    }
    return entries;
  }

  private fileOf(key: string): string {
    if (!key) throw new Error('FileStore: empty key');
    return join(this.directory, `${encodeURIComponent(key)}.json`);
  }

  private serialized(key: string, write: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(write, write);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }

  private async writeAtomically(key: string, text: string): Promise<void> {
    await this.ensureDirectory();
    const target = this.fileOf(key);
    const temporary = join(
      this.directory,
      `.${randomBytes(6).toString('hex')}.${encodeURIComponent(key)}.tmp`,
    );
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await this.syncDirectory();
  }

  private ensureDirectory(): Promise<void> {
    this.ready ??= mkdir(this.directory, { recursive: true }).then(() => undefined);
    return this.ready;
  }

  /** Makes a rename or unlink durable. Some platforms (Windows) cannot open a directory: best effort there. */
  private async syncDirectory(): Promise<void> {
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(this.directory, 'r');
      await handle.sync();
    } catch {
      // not supported on this platform; the rename is still atomic
    } finally {
      await handle?.close();
    }
  }
}
