import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');

describe('bin/app.ts', () => {
  it('prints every topology problem and exits 1 without a stack trace', () => {
    // Prepare: a topology with two problems.
    const dir = mkdtempSync(join(tmpdir(), 'bad-topology-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'appName: commerce',
        'domain: shop.example.com',
        'hostedZone: { create: true }',
        'accounts: { aws: "111111111111" }',
        'zones:',
        '  - { name: global, residency: none, primaryRegion: us-east-1, geographies: [default] }',
        'healthCheck: { intervalSeconds: 15 }',
        'dns: { ttlSeconds: 300 }',
      ].join('\n'),
    );
    // Act
    const run = spawnSync(resolve(REPO, 'node_modules/.bin/tsx'), ['bin/app.ts'], {
      cwd: REPO,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ topology: file }), CDK_OUTDIR: dir },
      encoding: 'utf8',
    });
    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('2 problems');
    expect(run.stderr).toContain('healthCheck.intervalSeconds: is 15');
    expect(run.stderr).toContain('dns.ttlSeconds: is 300');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
