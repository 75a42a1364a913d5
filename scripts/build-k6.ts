import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { z } from 'zod';
import { PROFILE_NAMES } from '../loadtests/profiles';

/**
 * Bundles each k6 script (TypeScript, one per profile) into a single ES
 * module k6 can run: `k6/*` stays external (k6 provides it), the shared
 * profiles and flow are inlined. Usage: `npx tsx scripts/build-k6.ts [--out dist/k6]`.
 */

const ROOT = resolve(__dirname, '..');

export async function buildK6Scripts(outDir = join(ROOT, 'dist', 'k6')): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const entryPoints = PROFILE_NAMES.map((name) => join(ROOT, 'loadtests', 'k6', `${name}.ts`));
  await build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: ['k6', 'k6/*'],
    logLevel: 'warning',
  });
  return PROFILE_NAMES.map((name) => join(outDir, `${name}.js`));
}

if (require.main === module) {
  const args = z.object({ out: z.string().min(1).optional() }).parse({
    out: process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : undefined,
  });
  buildK6Scripts(args.out ? resolve(args.out) : undefined)
    .then((files) => console.log(`k6 bundles:\n${files.map((f) => `  ${f}`).join('\n')}`))
    .catch((error: Error) => {
      console.error(`k6 bundle failed: ${error.message}`);
      process.exit(1);
    });
}
