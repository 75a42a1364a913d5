import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { TEST_MODEL } from '../support';
import { ALL_MISTAKES, defineCommerceApp, type Mistakes } from './violating-app';

const ROOT = resolve(__dirname, '../../../..');

/** The test topology as a file: the script reads a topology path like the real command. */
function writeTopology(dir: string): string {
  const path = join(dir, 'topology.json');
  writeFileSync(path, JSON.stringify(TEST_MODEL.config));
  return path;
}

function runScript(mistakes: Mistakes) {
  const dir = mkdtempSync(join(tmpdir(), 'residency-cli-'));
  const assembly = join(dir, 'cdk.out');
  const app = new App({ outdir: assembly });
  defineCommerceApp(app, mistakes);
  app.synth();
  const out = join(dir, 'report');
  const run = spawnSync(
    process.execPath,
    [
      require.resolve('tsx/cli'),
      'scripts/residency.ts',
      '--assembly',
      assembly,
      '--topology',
      writeTopology(dir),
      '--out',
      out,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return { dir, out, run };
}

describe('scripts/residency.ts', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 on a compliant assembly and writes Markdown, JSON, HTML and per-zone SCPs', () => {
    const { dir, out, run } = runScript({});
    dirs.push(dir);

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const file of [
      'residency-report.md',
      'residency-report.json',
      'residency-report.html',
      'scp/zone-eu.json',
    ]) {
      expect(existsSync(join(out, file))).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(out, 'residency-report.json'), 'utf8')).compliant).toBe(true);
  });

  it('exits 1 on violations and names each rule and resource', () => {
    const { dir, run } = runScript(ALL_MISTAKES);
    dirs.push(dir);

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('[ResidencyCdnBoundary] Edge/Cdn/Resource');
    expect(run.stdout).toContain('[ResidencyCustomerManagedKey] EuCell/Webhooks/Resource');
  });

  it('exits 2 without an assembly', () => {
    const run = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), 'scripts/residency.ts', '--assembly', '/nonexistent'],
      { cwd: ROOT, encoding: 'utf8' },
    );

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('npx cdk synth');
  });
});
