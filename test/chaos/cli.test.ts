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
});
