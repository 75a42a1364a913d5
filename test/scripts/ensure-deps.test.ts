import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/**
 * scripts/ensure-deps.sh runs before the first `npm run <anything>` of a fresh
 * clone. It must never change a tracked file. The registry case it works
 * around (npm ci refusing a lock that lists other platforms' optional
 * binaries) is reproduced with a stand-in `npm` on PATH that behaves like
 * npm: `install` rewrites package-lock.json unless told --no-save.
 */
function fakeClone(installBehaviour: 'npm' | 'rewrites-anyway') {
  const dir = mkdtempSync(join(tmpdir(), 'ensure-deps-'));
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(join(ROOT, 'scripts/ensure-deps.sh'), join(dir, 'scripts/ensure-deps.sh'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  copyFileSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '-q');
  git('add', '.');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'clone');
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin);
  const rewrite =
    installBehaviour === 'npm'
      ? 'if [[ " $* " != *" --no-save "* ]]; then echo "// resolved again" >> package-lock.json; fi'
      : 'echo "// resolved again" >> package-lock.json';
  writeFileSync(
    join(bin, 'npm'),
    [
      '#!/usr/bin/env bash',
      'echo "npm $*" >> npm-calls.log',
      'case "$1" in',
      '  ci) echo "npm ci can only install packages when your package.json and package-lock.json are in sync" >&2; exit 1 ;;',
      `  install) ${rewrite}; mkdir -p node_modules; echo "{}" > node_modules/.package-lock.json ;;`,
      'esac',
    ].join('\n'),
  );
  chmodSync(join(bin, 'npm'), 0o755);
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\nfake-bin/\nnpm-calls.log\n');
  git('add', '.gitignore');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'ignore');
  const run = spawnSync('bash', ['scripts/ensure-deps.sh'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  return {
    run,
    status: git('status', '--porcelain'),
    calls: readFileSync(join(dir, 'npm-calls.log'), 'utf8'),
  };
}

describe('scripts/ensure-deps.sh on a fresh clone', () => {
  it('falls back to npm install --no-save and leaves every tracked file unchanged', () => {
    // Act
    const { run, status, calls } = fakeClone('npm');
    // Assess
    expect(run.status).toBe(0);
    expect(calls).toMatch(/^npm ci .*\nnpm install --no-save /);
    expect(status).toBe('');
  });

  it('restores the lock and fails with a message when npm rewrites it anyway', () => {
    // Act
    const { run, status } = fakeClone('rewrites-anyway');
    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'npm install changed package-lock.json although it ran with --no-save; restored it',
    );
    expect(status).toBe('');
  });
});
