import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian's Chromium for browser tests. Installed with apt when missing and apt
 * is usable (root, as on these machines and in CI); otherwise the tests that
 * need it are skipped with the reason printed.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags every test launch uses: headless, no sandbox (root), nothing phoning home. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

export function ensureChromium(): { readonly path: string } | { readonly skip: string } {
  if (existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' });
  if (apt.status !== 0) return { skip: `${CHROMIUM_PATH} is missing and apt-get is not available` };
  if (process.getuid?.() !== 0) return { skip: `${CHROMIUM_PATH} is missing and apt-get needs root` };
  const install = spawnSync(
    'sh',
    ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'],
    { encoding: 'utf8', timeout: 10 * 60 * 1000 },
  );
  if (install.status !== 0 || !existsSync(CHROMIUM_PATH)) {
    return {
      skip: `apt-get install -y chromium failed: ${(install.stderr || install.stdout).trim().split('\n').at(-1)}`,
    };
  }
  return { path: CHROMIUM_PATH };
}
