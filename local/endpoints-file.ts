import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { REPO_ROOT } from '../lib/topology';
import type { BootedTopology } from './boot';
import { ENDPOINTS_FILE, type LocalEndpoints, localEndpointsSchema } from './contract';

/**
 * The endpoints file (`.local/endpoints.json` unless `--endpoints-file`): every
 * URL, the time scale and the process ids of a running topology, validated by
 * `localEndpointsSchema`. Written by the topology, read by its clients
 * (`npm run token:dev`); both resolve the path here, so they agree on it.
 */

/** Relative paths are relative to the repository root, wherever the command runs from. */
export function resolveEndpointsFile(file: string = ENDPOINTS_FILE): string {
  return isAbsolute(file) ? file : resolve(REPO_ROOT, file);
}

export function localEndpoints(
  booted: BootedTopology,
  facts: { readonly edge: string; readonly timeScale: number; readonly topologyFile: string },
): LocalEndpoints {
  const { units, sink, dynamoEndpoint, dynamoPid, zoneEndpoints } = booted;
  return localEndpointsSchema.parse({
    edge: facts.edge,
    control: `${facts.edge}/control`,
    status: `${facts.edge}/status`,
    webhookSink: sink.url,
    dynamodb: dynamoEndpoint,
    timeScale: facts.timeScale,
    topologyFile: facts.topologyFile,
    cells: units.map((u) => ({
      zone: u.cell.zone,
      region: u.cell.region,
      role: u.cell.role,
      url: u.server.url,
      port: u.server.port,
    })),
    zones: zoneEndpoints,
    ...(booted.cdn.zones.length > 0 ? { cdn: booted.cdn.endpoints() } : {}),
    pids: [process.pid, ...(dynamoPid ? [dynamoPid] : [])],
  } satisfies LocalEndpoints);
}

/** Writes the file (creating its directory) and returns its absolute path. */
export function writeEndpointsFile(endpoints: LocalEndpoints, file: string): string {
  const path = resolveEndpointsFile(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(endpoints, null, 2)}\n`);
  return path;
}

export class EndpointsFileError extends Error {
  override name = 'EndpointsFileError';
}

/** The running topology's endpoints; a missing or stale file says how to get a valid one. */
export function readEndpointsFile(file: string = ENDPOINTS_FILE): LocalEndpoints {
  const path = resolveEndpointsFile(file);
  if (!existsSync(path)) {
    throw new EndpointsFileError(
      `${path} not found: start the local topology first (npm run local), or pass the --endpoints-file it was started with`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EndpointsFileError(
      `${path} is not JSON (${(error as Error).message}); restart the local topology to rewrite it`,
    );
  }
  const parsed = localEndpointsSchema.safeParse(json);
  if (!parsed.success) {
    throw new EndpointsFileError(
      `${path} is not a local topology's endpoints file (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); restart the local topology to rewrite it`,
    );
  }
  return parsed.data;
}
