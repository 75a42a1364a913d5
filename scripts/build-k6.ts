import { join, resolve } from 'node:path';
import { z } from 'zod';
import { bundleK6Scripts } from '../loadtests/engine/k6-bundle';

/**
 * Bundles each k6 script (TypeScript, one per profile, and the distributed
 * engine's script) into a single ES module k6 can run (see
 * loadtests/engine/k6-bundle.ts). Usage: `npx tsx scripts/build-k6.ts [--out dist/k6]`.
 */

const ROOT = resolve(__dirname, '..');

export async function buildK6Scripts(outDir = join(ROOT, 'dist', 'k6')): Promise<string[]> {
  return bundleK6Scripts(outDir);
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
