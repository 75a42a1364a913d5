import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The committed clients/commerce-client/generated/openapi.ts must be what openapi-typescript makes
 * of contracts/openapi.json today. The check regenerates in memory (in a child process: the
 * generator's dependencies are ES modules, which jest's CommonJS runtime cannot load).
 */
const ROOT = resolve(__dirname, '../../../..');

function check(...extra: string[]) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/commerce-client.ts', 'types', '--check', ...extra],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
}

describe('generated contract types', () => {
  it('match contracts/openapi.json: run `npm run client:types` when this fails', () => {
    const result = check();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('is up to date');
  });

  it('are reported stale when the contract changes (the check can fail)', () => {
    const contract = JSON.parse(readFileSync(join(ROOT, 'contracts/openapi.json'), 'utf8')) as {
      paths: Record<string, unknown>;
    };
    contract.paths['/v1/discovery'] = {
      get: { operationId: 'discovery', responses: { '200': { description: 'the zone and its cells' } } },
    };
    const directory = mkdtempSync(join(tmpdir(), 'contract-'));
    try {
      const changed = join(directory, 'openapi.json');
      writeFileSync(changed, JSON.stringify(contract));
      const result = check('--contract', changed);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('is stale');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
