import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { median } from '../../loadtests/stats';

/** BENCH ONLY. Bundles the API Lambda entry as NodejsFunction does, and times its module init. */

const ROOT = resolve(__dirname, '../..');

export function bundleApiHandler(outfile: string, external: string[]): { file: string; bytes: number } {
  buildSync({
    entryPoints: [resolve(ROOT, 'lambdas/api/lambda.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    external,
    logLevel: 'error',
  });
  return { file: outfile, bytes: statSync(outfile).size };
}

/**
 * Time to require (load + initialise) the bundle in a fresh node process,
 * median of `runs`: wall-clock ms and CPU ms (user + system) of the require.
 * CPU time is the figure to trust on a shared, loaded machine; wall time is
 * what a cold start feels.
 */
export function initTimes(
  file: string,
  runs: number,
  env: Readonly<Record<string, string>>,
): { wall: number; cpu: number } {
  const probe = `const c=process.cpuUsage(),t=performance.now();require(${JSON.stringify(file)});const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([performance.now()-t,(u.user+u.system)/1000]))`;
  const samples = Array.from(
    { length: runs },
    () =>
      JSON.parse(
        execFileSync(process.execPath, ['-e', probe], {
          env: { ...process.env, ...env },
          cwd: ROOT,
        }).toString(),
      ) as [number, number],
  );
  return { wall: median(samples.map((s) => s[0])), cpu: median(samples.map((s) => s[1])) };
}
