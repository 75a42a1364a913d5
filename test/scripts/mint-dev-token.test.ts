import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalTopology, startLocalTopology } from '../../local/topology';
import { dynamoEndpoint } from '../support/dynamodb';
import { onFreeBasePort } from '../support/ports';

/**
 * `npm run token:dev` as a user runs it (`node --import tsx scripts/mint-dev-token.ts`), against a
 * running local topology whose endpoints file is not the default one: the token it prints is one the
 * cells accept. The topology is a one-cell zone on the suite's DynamoDB Local, under its own app name.
 */

const REPO = join(__dirname, '..', '..');

function mint(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/mint-dev-token.ts', ...args],
      { cwd: REPO, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run token:dev', () => {
  const dir = mkdtempSync(join(tmpdir(), 'token-dev-'));
  const endpointsFile = join(dir, 'endpoints.json');
  let topology: LocalTopology;

  beforeAll(async () => {
    const topologyFile = join(dir, 'topology.json');
    writeFileSync(
      topologyFile,
      JSON.stringify({
        appName: `tok${Date.now().toString(36)}`,
        domain: 'shop.example.com',
        hostedZone: { create: true },
        accounts: { aws: '111111111111' },
        zones: [{ name: 'global', residency: 'none', primaryRegion: 'us-east-1', geographies: ['default'] }],
      }),
    );
    topology = await onFreeBasePort((basePort) =>
      startLocalTopology({
        topologyFile,
        basePort,
        timeScale: 0.1,
        dynamoDbEndpoint: dynamoEndpoint(),
        seedCatalog: false,
        endpointsFile,
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await topology?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a topology started with --endpoints-file and prints a token its cells accept', async () => {
    // Act
    const minted = await mint(['--sub', 'alice', '--home-zone', 'global', '--endpoints-file', endpointsFile]);
    const cart = await fetch(`${topology.endpoints.edge}/v1/carts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${minted.stdout.trim()}`,
        'content-type': 'application/json',
        'idempotency-key': `token-dev-${Date.now()}`,
      },
      body: '{}',
    });
    // Assess
    expect(minted).toMatchObject({ code: 0, stderr: '' });
    expect(cart.status).toBe(201);
  });

  it("says where it looked, and how to point it at the topology's file, when there is no topology", async () => {
    // Act
    const minted = await mint(['--home-zone', 'global', '--endpoints-file', join(dir, 'missing.json')]);
    // Assess
    expect(minted.code).toBe(1);
    expect(minted.stdout).toBe('');
    expect(minted.stderr).toContain(`${join(dir, 'missing.json')} not found`);
    expect(minted.stderr).toContain('--endpoints-file');
  });
});
