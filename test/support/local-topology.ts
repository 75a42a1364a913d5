import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../lib/topology';
import type { LocalTopologyOptions } from '../../local/options';
import { type LocalTopology, startLocalTopology } from '../../local/topology';
import { dynamoEndpoint } from './dynamodb';
import { onFreeBasePort } from './ports';

/**
 * The default topology booted on a free base port, on the jest run's
 * DynamoDB Local, under its own app name (so its tables never collide with
 * another test file's). Time scale 0.1 unless given.
 */
export async function bootTestTopology(
  options: Omit<LocalTopologyOptions, 'basePort' | 'topologyFile' | 'dynamoDbEndpoint'> = {},
): Promise<LocalTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'test-topology-'));
  const appName = `t${randomBytes(4).toString('hex')}`;
  const yaml = readFileSync(join(REPO_ROOT, 'topology.yaml'), 'utf8').replace(
    /^appName: .*$/m,
    `appName: ${appName}`,
  );
  const topologyFile = join(dir, 'topology.yaml');
  writeFileSync(topologyFile, yaml);
  return onFreeBasePort((basePort) =>
    startLocalTopology({
      timeScale: 0.1,
      endpointsFile: null,
      ...options,
      basePort,
      topologyFile,
      dynamoDbEndpoint: dynamoEndpoint(),
    }),
  );
}
