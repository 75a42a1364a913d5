import { canonicalJson, sha256Hex } from './canonical-json';

/**
 * The audit chain: append-only entries, each carrying the SHA-256 of the
 * previous entry of its chain (one chain per cell region, so the two regions
 * of a zone never contend for, or fork, the same chain). Entries hold no
 * personal data: customers are named by their pseudonymous id and profile
 * changes by field names, so a GDPR erasure never has to rewrite history.
 */

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditFacts {
  /** Who: the token subject, or `system`. */
  readonly actor: string;
  /** What: a verb such as `order.place`. */
  readonly action: string;
  readonly resource: { readonly type: string; readonly id: string };
  readonly outcome: 'success' | 'failure';
  readonly correlationId: string;
  readonly before?: Record<string, unknown> | null;
  readonly after?: Record<string, unknown> | null;
  readonly context?: Record<string, unknown>;
}

export interface AuditRecord extends AuditFacts {
  readonly chain: string;
  readonly seq: number;
  /** When: ISO-8601. */
  readonly at: string;
  /** Where: the cell. */
  readonly where: { readonly zone: string; readonly region: string };
  readonly prevHash: string;
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export interface SealedEntry {
  readonly record: AuditRecord;
  /** The canonical JSON that was hashed; stored verbatim so verification needs no re-serialisation rules. */
  readonly recordJson: string;
  readonly hash: string;
}

export function sealEntry(record: AuditRecord): SealedEntry {
  const recordJson = canonicalJson({ ...record, before: record.before ?? null, after: record.after ?? null });
  return { record, recordJson, hash: sha256Hex(recordJson) };
}

export function nextRecord(
  head: ChainHead | undefined,
  facts: AuditFacts,
  chain: string,
  at: string,
  where: AuditRecord['where'],
): AuditRecord {
  return {
    ...facts,
    chain,
    seq: (head?.seq ?? 0) + 1,
    at,
    where,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
}

/** What the table holds for one entry, as read back for verification. */
export interface StoredEntry {
  readonly seq: number;
  readonly recordJson: string;
  readonly hash: string;
}

export type VerifyResult =
  | { readonly valid: true; readonly entries: number; readonly headSeq: number }
  | {
      readonly valid: false;
      readonly entries: number;
      readonly firstBrokenSeq: number;
      readonly reason: string;
    };

/**
 * Walks a chain in sequence order and reports the first broken link: an entry
 * whose content no longer matches its hash (edit), whose predecessor is
 * missing or different (deletion, reorder), a head pointing past the last
 * entry (tail deletion), or entries without a head (the head deleted with a tail).
 */
export function verifyChain(entries: readonly StoredEntry[], head: ChainHead | undefined): VerifyResult {
  let previousHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    const broken = (reason: string): VerifyResult => ({
      valid: false,
      entries: entries.length,
      firstBrokenSeq: expectedSeq,
      reason,
    });
    if (entry.seq !== expectedSeq)
      return broken(`entry ${expectedSeq} is missing (next entry is ${entry.seq})`);
    if (sha256Hex(entry.recordJson) !== entry.hash)
      return broken(`entry ${entry.seq} was altered: its content does not match its hash`);
    let record: Partial<AuditRecord>;
    try {
      record = JSON.parse(entry.recordJson) as Partial<AuditRecord>;
    } catch {
      return broken(`entry ${entry.seq} is not valid JSON`);
    }
    if (record.seq !== entry.seq) return broken(`entry ${entry.seq} claims sequence ${record.seq}`);
    if (record.prevHash !== previousHash)
      return broken(`entry ${entry.seq} does not link to the hash of entry ${entry.seq - 1}`);
    previousHash = entry.hash;
    expectedSeq += 1;
  }
  const lastSeq = expectedSeq - 1;
  if (!head && lastSeq > 0) {
    // Every append writes the head in the same transaction, so entries without one mean it was deleted.
    return {
      valid: false,
      entries: entries.length,
      firstBrokenSeq: lastSeq + 1,
      reason: `the chain head is missing though the chain has ${lastSeq} entries; entries after ${lastSeq} may have been deleted with it`,
    };
  }
  if (head && (head.seq !== lastSeq || head.hash !== previousHash)) {
    return {
      valid: false,
      entries: entries.length,
      firstBrokenSeq: lastSeq + 1,
      reason: `chain head says entry ${head.seq} but the chain ends at entry ${lastSeq}`,
    };
  }
  return { valid: true, entries: entries.length, headSeq: lastSeq };
}
