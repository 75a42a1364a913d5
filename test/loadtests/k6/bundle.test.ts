import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { K6_SCRIPTS } from '../../../loadtests/engine/k6-bundle';
import { buildK6Scripts } from '../../../scripts/build-k6';

const ROOT = resolve(__dirname, '..', '..', '..');

describe('k6 scripts', () => {
  it('type-check against @types/k6', () => {
    const result = spawnSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'loadtests', 'k6', 'tsconfig.json')],
      { encoding: 'utf8' },
    );
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('bundle into one self-contained module per profile (and the distributed one) importing only k6', async () => {
    // Prepare
    const outDir = mkdtempSync(join(tmpdir(), 'k6-bundle-'));
    try {
      // Act
      const files = await buildK6Scripts(outDir);
      // Assess
      expect(files).toHaveLength(K6_SCRIPTS.length);
      for (const file of files) {
        const code = readFileSync(file, 'utf8');
        const imports = [...code.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
        expect(imports.every((source) => source === 'k6' || source!.startsWith('k6/'))).toBe(true);
        expect(code).toMatch(/export\s*\{[^}]*handleSummary[^}]*\}/s);
        expect(code).toMatch(/export\s*\{[^}]*options[^}]*\}/s);
        expect(code).toContain('Idempotency-Key');
        // Every script exports the latency histogram the distributed merge needs (one counter per bucket).
        expect(code).toContain('flow_latency_le_');
      }
      const distributed = readFileSync(join(outDir, 'distributed.js'), 'utf8');
      expect(distributed).toMatch(/__ENV\.PROFILE/);
      expect(distributed).toContain('RATE_SCALE');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
