import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
/** As an operator runs it: `npm run drill -- <args>` (ensure-deps first, then chaos/cli.ts). */
const drill = (...args: string[]) =>
  spawnSync('npm', ['run', '-s', 'drill', '--', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('drill command line (npm run drill)', () => {
  it.each([['--help'], ['run', '--help'], ['aws-fault', '--help']])(
    '%s exits 0 and lists the run options, --base-port with its default',
    (...args) => {
      // Act
      const run = drill(...args);
      // Assess
      expect(run.status).toBe(0);
      for (const option of ['--local', '--short', '--zone', '--time-scale', '--rate', '--topology', '--out'])
        expect(run.stdout).toContain(option);
      expect(run.stdout).toMatch(
        /--base-port <port>\s+first loopback port of the local topology it boots \(default 4700/,
      );
      expect(run.stdout).toContain('--duration');
    },
    30_000,
  );

  it('answers an unknown command with the usage and exit 2', () => {
    const run = drill('explode');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown command "explode"');
    expect(run.stderr).toContain('run options:');
  }, 30_000);

  it('run --aws: a bad flag exits 2 naming it; without a terminal and without --yes it refuses before any AWS call', () => {
    const aws = [
      'run',
      'region-failover',
      '--aws',
      '--zone',
      'global',
      '--profile',
      'load',
      '--flow',
      'health',
    ];
    const badRegion = drill(...aws, '--load-regions', 'us-east-1,moon-1');
    expect(badRegion.status).toBe(2);
    expect(badRegion.stderr).toMatch(/^load-regions\.1: /m);
    const unknownFlag = drill(...aws, '--load-regions', 'us-east-1', '--load-region', 'eu-central-1');
    expect(unknownFlag.status).toBe(2);
    expect(unknownFlag.stderr).toContain("Unknown option '--load-region'");
    // spawnSync gives the CLI no terminal, as in CI.
    const noTerminal = drill(...aws, '--load-regions', 'us-east-1,eu-central-1');
    expect(noTerminal.status).toBe(2);
    expect(noTerminal.stderr).toContain('refusing to run an AWS drill without a terminal to confirm it');
    expect(noTerminal.stdout).not.toContain('preflight');
  }, 60_000);
});
