import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { TEST_MODEL } from '../support';
import { ALL_MISTAKES, defineCommerceApp, type Mistakes } from './violating-app';
import { testAppProps } from '../../app/synth-fixture';

const ROOT = resolve(__dirname, '../../../..');

/** The test topology as a file: the script reads a topology path like the real command. */
function writeTopology(dir: string, topology: unknown = TEST_MODEL.config): string {
  const path = join(dir, 'topology.json');
  writeFileSync(path, JSON.stringify(topology));
  return path;
}

/** TEST_MODEL with Cloudflare as the second CDN vendor. */
const WITH_CLOUDFLARE = {
  ...TEST_MODEL.config,
  edge: {
    ...TEST_MODEL.config.edge,
    cloudflare: { accountId: '0123456789abcdef0123456789abcdef', zone: { create: true } },
  },
};

/** A cdktf output directory holding one Terraform JSON document. */
function writeTerraform(dir: string, config: unknown): string {
  const outdir = join(dir, 'cdktf.out');
  mkdirSync(join(outdir, 'stacks', 'cdn'), { recursive: true });
  writeFileSync(
    join(outdir, 'manifest.json'),
    JSON.stringify({ stacks: { cdn: { synthesizedStackPath: 'stacks/cdn/cdk.tf.json' } } }),
  );
  writeFileSync(join(outdir, 'stacks', 'cdn', 'cdk.tf.json'), JSON.stringify(config));
  return outdir;
}

function runScript(mistakes: Mistakes, extraArgs: (dir: string) => string[] = () => []) {
  const dir = mkdtempSync(join(tmpdir(), 'residency-cli-'));
  const assembly = join(dir, 'cdk.out');
  const app = new App({ outdir: assembly, ...testAppProps() });
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
      ...extraArgs(dir),
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

  it('covers Cloudflare from its Terraform JSON: exit 1 on a personal-data path behind it, exit 2 when the JSON is missing', () => {
    const fixture = JSON.parse(
      readFileSync(join(ROOT, 'test/lib/residency/fixtures/cloudflare-personal-path.tf.json'), 'utf8'),
    );
    const flagged = runScript({}, (dir) => [
      '--topology',
      writeTopology(dir, WITH_CLOUDFLARE),
      '--terraform',
      writeTerraform(dir, fixture),
    ]);
    dirs.push(flagged.dir);
    expect(flagged.run.status).toBe(1);
    expect(flagged.run.stdout).toContain('(cloudfront, cloudflare)');
    expect(flagged.run.stdout).toContain(
      '[ResidencyCloudflareBoundary] cdn/shop: Cloudflare hostname shop.shop.example.com: personal-data path /v1/carts reaches an origin',
    );

    const missing = runScript({}, (dir) => [
      '--topology',
      writeTopology(dir, WITH_CLOUDFLARE),
      '--terraform',
      join(dir, 'nothing-here'),
    ]);
    dirs.push(missing.dir);
    expect(missing.run.status).toBe(2);
    expect(missing.run.stderr).toContain('npm run cdn:synth');
  });
});
