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

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * The launcher processes above this one that exist only to start it (`npm run`/`npx`, the `sh -c`
 * npm uses, the tsx CLI that re-executes node with its loader): they live as long as the topology,
 * so an honest memory figure counts them too.
 */
export function launcherPids(from = process.ppid): number[] {
  const launchers: number[] = [];
  for (let pid: number | undefined = from; pid && pid > 1; pid = parentOf(pid)) {
    const command = commandOf(pid);
    if (!/(^|\/)(tsx|npm|npx)( |$)|\/\.bin\/tsx |npm (exec|run)|^sh -c /.test(command)) break;
    launchers.push(pid);
  }
  return launchers;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
