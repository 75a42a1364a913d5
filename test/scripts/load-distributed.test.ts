import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
/**
 * As an operator runs it, through package.json's script: a test that spawned the
 * file directly kept pointing at loadtests/engine/cli.ts after the CLI moved here,
 * and failed with node's exit 1 (module not found) instead of the CLI's 2.
 */
const run = (...args: string[]) =>
  spawnSync('npm', ['run', '-s', 'load:distributed', '--', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('npm run load:distributed', () => {
  it('names every bad argument and exits 2', () => {
    const result = run(
      '--engine',
      'gcp',
      '--profile',
      'load',
      '--base-url',
      'http://127.0.0.1:1',
      '--regions',
      'x',
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--engine:');
    expect(result.stderr).toContain('--regions: region:tasks pairs, e.g. eu-central-1:2,us-east-1:1');
  });

  it('refuses a non-loopback target for local processes, before starting any, exit 2', () => {
    const result = run(
      '--engine',
      'local',
      '--profile',
      'smoke',
      '--base-url',
      'https://api.shop.example.com',
      '--regions',
      'eu-central-1:1',
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /refusing https:\/\/api.shop.example.com: local load processes target loopback only/,
    );
  });
});
