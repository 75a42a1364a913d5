import { ulid } from 'ulid';
import { SERVED_BY_HEADER } from './edge-router';
import { CLIENT_COUNTRY_HEADER } from './geography';
import type { LocalTopology } from './topology';

/** Building blocks of the demo steps: how a client calls the edge, the control API and the token issuer. */

export interface DemoContext {
  readonly topology: LocalTopology;
  readonly log: (line: string) => void;
}

export interface DemoStep {
  readonly name: string;
  run(context: DemoContext): Promise<string>;
}

export interface DemoResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  return { status: response.status, servedBy: response.headers.get(SERVED_BY_HEADER) };
}

export async function control(topology: LocalTopology, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${topology.endpoints.control}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!response.ok) throw new Error(`control ${path} answered ${response.status}: ${await response.text()}`);
}

export function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** Polls `probe` until it returns a value or the deadline passes. */
export async function waitFor<T>(
  deadlineMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(50);
  }
  return undefined;
}

export interface ApiCall {
  readonly base: string;
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly token?: string;
  readonly country?: string;
  readonly body?: unknown;
  /** @default a fresh ULID on POST */
  readonly idempotencyKey?: string;
}

/** One API request like a client sends it (bearer token, Idempotency-Key on writes, geography header). */
export async function api(call: ApiCall) {
  const method = call.method ?? 'GET';
  const headers: Record<string, string> = {};
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.country) headers[CLIENT_COUNTRY_HEADER] = call.country;
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    headers['idempotency-key'] = call.idempotencyKey ?? ulid();
  }
  const response = await fetch(`${call.base}${call.path}`, {
    method,
    headers,
    ...(method === 'POST' ? { body: JSON.stringify(call.body ?? {}) } : {}),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: response.status, servedBy: response.headers.get(SERVED_BY_HEADER), body };
}

/**
 * A bearer token from the local identity provider (POST /control/tokens). Without `homeZone` the token is
 * a sign-up's: the cells accept it only for creating the profile, where the body's country decides.
 */
export async function tokenFor(
  topology: LocalTopology,
  subject: string,
  claims: { readonly homeZone?: string; readonly scopes?: readonly string[] } = {},
): Promise<string> {
  const response = await fetch(`${topology.endpoints.control}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ subject, ...claims }),
  });
  if (!response.ok) throw new Error(`token request answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export const demoSubject = (prefix: string) => `${prefix}-${ulid().toLowerCase()}`;
