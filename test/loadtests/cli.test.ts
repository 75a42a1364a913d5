import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [require.resolve('tsx/cli'), 'loadtests/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });

describe('load test CLI', () => {
  it('prints its usage for --help and exits 0', () => {
    const run = cli('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: npx tsx loadtests\/cli\.ts --profile <smoke\|load\|/);
  });

  it('names each missing or bad option, shows the usage and exits 2', () => {
    const run = cli('--profile', 'nope', '--base-url', 'http://example.com');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--profile: ');
    expect(run.stderr).toContain('--base-url: must be a loopback http(s) URL');
    expect(run.stderr).toContain('usage:');
    expect(cli('--profile', 'smoke').stderr).toContain('--base-url: is required');
  });

  it('rejects an unknown option with the usage', () => {
    const run = cli('--bogus');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Unknown option '--bogus'");
    expect(run.stderr).toContain('usage:');
  });
});
