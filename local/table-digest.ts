import { createHash } from 'node:crypto';
import { fingerprint } from './attribute-values';

const DIGEST_BYTES = 32;

/**
 * SIMULATED replication's convergence digest of one region's table, kept from its stream: the XOR of
 * sha256(key, item) over every item the stream has shown to exist. Each stream record takes out its old
 * image and puts in its new one (NEW_AND_OLD_IMAGES), so the digest follows the table in O(1) per write
 * instead of a full scan per look, and two tables holding the same items have the same digest whatever
 * order their writes came in. It is as fresh as the records read so far: equal digests with nothing
 * pending mean the tables were equal at the last poll, which is why a drill's quiescence also waits for a
 * barrier item written after its load to cross both ways.
 */
export class TableDigest {
  private readonly accumulator = Buffer.alloc(DIGEST_BYTES);
  private records = 0;

  /** One stream record of the item `keyText`: `oldImage` absent on INSERT, `newImage` absent on REMOVE. */
  apply(keyText: string, oldImage: unknown, newImage: unknown): void {
    if (oldImage !== undefined) this.toggle(keyText, oldImage);
    if (newImage !== undefined) this.toggle(keyText, newImage);
    this.records += 1;
  }

  /** Hex of the accumulator; equal for two tables holding the same items. */
  get hex(): string {
    return this.accumulator.toString('hex');
  }

  /** Stream records folded in so far. */
  get recordsRead(): number {
    return this.records;
  }

  private toggle(keyText: string, image: unknown): void {
    const hash = createHash('sha256').update(keyText).update('\n').update(fingerprint(image)).digest();
    for (let i = 0; i < DIGEST_BYTES; i++) this.accumulator[i]! ^= hash[i]!;
  }
}
