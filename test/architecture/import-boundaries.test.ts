import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The boundaries biome.json enforces on every `npm run verify` (lint step): only lambdas/adapters/ talks
 * to DynamoDB, and lambdas/ never imports lib/, local/ or chaos/. These tests prove the rules are live by
 * linting probe files placed where a violation would be, so a config edit that silently disables them fails.
 */
const REPO = join(__dirname, '..', '..');

function lint(relativePath: string, source: string): { ok: boolean; output: string } {
  const file = join(REPO, relativePath);
  writeFileSync(file, source);
  try {
    const output = execFileSync('npx', ['biome', 'lint', relativePath], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, output };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}` };
  } finally {
    rmSync(file, { force: true });
  }
}

const probe = (name: string) => `${name}.lint-probe-${process.pid}.ts`;

describe('import boundaries (biome noRestrictedImports)', () => {
  it('refuses the DynamoDB SDK outside lambdas/adapters/', () => {
    const result = lint(
      `lambdas/api/${probe('dynamodb')}`,
      "import { GetCommand } from '@aws-sdk/lib-dynamodb';\n\nexport const probe = GetCommand;\n",
    );
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/Only lambdas\/adapters\/ talks to DynamoDB/);
  });

  it('allows it inside lambdas/adapters/', () => {
    const result = lint(
      `lambdas/adapters/${probe('dynamodb')}`,
      "import { GetCommand } from '@aws-sdk/lib-dynamodb';\n\nexport const probe = GetCommand;\n",
    );
    expect(result).toEqual({ ok: true, output: expect.any(String) });
  });

  it('refuses lib/, local/ and chaos/ anywhere under lambdas/', () => {
    for (const target of ['../../lib/topology', '../../local/replicator', '../../chaos/catalog']) {
      const result = lint(
        `lambdas/adapters/${probe('root')}`,
        `import * as other from '${target}';\n\nexport const probe = other;\n`,
      );
      expect({ target, ok: result.ok }).toEqual({ target, ok: false });
      expect(result.output).toMatch(/lambdas\/ is the runtime root/);
    }
  });
});
