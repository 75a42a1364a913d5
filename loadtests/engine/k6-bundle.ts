import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BuildOptions, build, buildSync } from 'esbuild';
import { PROFILE_NAMES } from '../profiles';

/**
 * Bundles the k6 scripts (TypeScript) into single ES modules k6 can run:
 * `k6/*` stays external (k6 provides it), the shared profiles, flow and
 * histogram are inlined. Used by `npm run k6:build` and, synchronously, by the
 * LoadGeneratorStack's script asset at synth (so a deployed script always
 * matches loadtests/profiles.ts).
 */

const ROOT = resolve(__dirname, '..', '..');

/** The script the distributed engine's tasks run: every profile, chosen by the PROFILE variable. */
export const DISTRIBUTED_K6_SCRIPT = 'distributed';
/** One script per profile, plus the distributed one. */
export const K6_SCRIPTS: readonly string[] = [...PROFILE_NAMES, DISTRIBUTED_K6_SCRIPT];

function k6BuildOptions(scripts: readonly string[], outDir: string): BuildOptions {
  return {
    entryPoints: scripts.map((name) => join(ROOT, 'loadtests', 'k6', `${name}.ts`)),
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: ['k6', 'k6/*'],
    logLevel: 'warning',
  };
}

export async function bundleK6Scripts(
  outDir: string,
  scripts: readonly string[] = K6_SCRIPTS,
): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  await build(k6BuildOptions(scripts, outDir));
  return scripts.map((name) => join(outDir, `${name}.js`));
}

/** The same, synchronously (CDK asset bundling is synchronous). */
export function bundleK6ScriptsSync(outDir: string, scripts: readonly string[] = K6_SCRIPTS): string[] {
  mkdirSync(outDir, { recursive: true });
  buildSync(k6BuildOptions(scripts, outDir));
  return scripts.map((name) => join(outDir, `${name}.js`));
}
