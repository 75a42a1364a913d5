import { readFileSync } from 'node:fs';

/**
 * Resident memory of the local topology: the sum of VmRSS over its processes
 * (this Node process and the DynamoDB Local JVM), read from /proc (Linux).
 */

export interface ProcessMemory {
  readonly pid: number;
  readonly rssBytes: number | null;
}

export function residentBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export function topologyMemory(pids: readonly number[]): {
  processes: ProcessMemory[];
  totalBytes: number;
} {
  const processes = pids.map((pid) => ({ pid, rssBytes: residentBytes(pid) }));
  return { processes, totalBytes: processes.reduce((sum, p) => sum + (p.rssBytes ?? 0), 0) };
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}
