/**
 * Load and fault tooling in this repository only ever targets the local
 * machine: a typo must not turn a drill into an attack on someone's server.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

export function isLoopbackUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  const host = parsed.hostname;
  return LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

export class NonLoopbackTargetError extends Error {
  override name = 'NonLoopbackTargetError';
  constructor(url: string) {
    super(`refusing ${url}: local load and fault tools target loopback only (127.0.0.1, ::1, localhost)`);
  }
}

export function assertLoopback(url: string): string {
  if (!isLoopbackUrl(url)) throw new NonLoopbackTargetError(url);
  return url;
}
