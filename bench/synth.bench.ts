/**
 * Synth bench: times a full synth (build the app + app.synth() into a temp
 * outdir, cdk-nag and template validation on, as `cdk synth` runs it) for
 * generated topologies of 1, 2 and 4 zones, and counts bundling runs per synth
 * to show each Lambda entry is bundled once, not once per stack.
 *
 *   npx tsx bench/synth.bench.ts            # median of 3 runs (after one warm-up)
 *   npx tsx bench/synth.bench.ts --runs 5
 *   npx tsx bench/synth.bench.ts --smoke    # 1 run of 2 zones, no warm-up (CI)
 *   npx tsx bench/synth.bench.ts --zones 1,2
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App, AssetStaging } from 'aws-cdk-lib';
import { COMMERCE_APP_CONTEXT } from '../lib/app/app-context';
import { buildCommerceApp } from '../lib/app/build-app';
import { LAMBDA_ENTRIES } from '../lib/constructs/commerce-function';
import { buildModel, parseTopology } from '../lib/topology';
import { median } from '../loadtests/stats';
import { generatedTopology, MAX_GENERATED_ZONES } from './synth-topologies';

interface RunResult {
  readonly ms: number;
  /** Constructing the stacks (includes bundling, which happens at construction). */
  readonly buildMs: number;
  /** app.synth(): templates, assets, and the validation plugins (cdk-nag, CloudFormation Validate). */
  readonly synthMs: number;
  readonly stacks: number;
  readonly functions: number;
  readonly bundlingRuns: number;
}

/** One full synth with a cold asset cache, counting CDK's "Bundling asset" lines. */
function synthOnce(zoneCount: number): RunResult {
  const model = buildModel(parseTopology(generatedTopology(zoneCount), `generated:${zoneCount}`));
  const outdir = mkdtempSync(join(tmpdir(), 'synth-bench-'));
  AssetStaging.clearAssetHashCache();
  let bundlingRuns = 0;
  const write = process.stderr.write.bind(process.stderr);
  // Count (and swallow) bundling output; esbuild's own output goes to the child's stdio.
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    bundlingRuns += text.match(/^Bundling asset /gm)?.length ?? 0;
    if (text.startsWith('Bundling asset ')) return true;
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    const started = process.hrtime.bigint();
    const app = new App({ context: COMMERCE_APP_CONTEXT, outdir });
    const built = buildCommerceApp(app, model);
    const constructed = process.hrtime.bigint();
    app.synth();
    const finished = process.hrtime.bigint();
    const ms = Number(finished - started) / 1e6;
    const functions = built.cells.length * Object.keys(LAMBDA_ENTRIES).length;
    return {
      ms,
      buildMs: Number(constructed - started) / 1e6,
      synthMs: Number(finished - constructed) / 1e6,
      stacks: built.rows.length,
      functions,
      bundlingRuns,
    };
  } finally {
    process.stderr.write = write;
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Parses `argv` and runs the bench; exit code 0, 1 when bundling is not deduplicated, 2 on bad arguments. */
export function main(argv: readonly string[]): number {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runs: { type: 'string', default: '3' },
      smoke: { type: 'boolean', default: false },
      zones: { type: 'string' },
    },
  });
  const runs = values.smoke ? 1 : Number(values.runs);
  // The smoke run checks that the bench runs and that bundling is shared across cells: one multi-cell size.
  const zoneCounts = (values.zones ?? (values.smoke ? '2' : '1,2,4')).split(',').map(Number);
  const problems: string[] = [];
  if (!Number.isInteger(runs) || runs < 1)
    problems.push(`--runs must be a positive integer, got ${values.runs}`);
  for (const n of zoneCounts) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_GENERATED_ZONES) {
      problems.push(`--zones: ${n} must be an integer from 1 to ${MAX_GENERATED_ZONES}`);
    }
  }
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n`);
    return 2;
  }

  // The first synth in a process also pays module loading, JIT and the validation engine's
  // WASM init (what a one-shot `cdk synth` pays every time); it is reported, not counted.
  const warmUp = values.smoke ? undefined : synthOnce(zoneCounts[0]!);
  const rows = zoneCounts.map((zones) => {
    const results: RunResult[] = [];
    for (let i = 0; i < runs; i++) {
      results.push(synthOnce(zones));
      process.stderr.write(`zones=${zones} run ${i + 1}/${runs}: ${results.at(-1)!.ms.toFixed(0)} ms\n`);
    }
    return { zones, results, medianMs: median(results.map((r) => r.ms)) };
  });

  const base = rows[0]!.medianMs;
  const entries = Object.keys(LAMBDA_ENTRIES).length;
  const table = [
    [
      'zones',
      'stacks',
      'functions',
      'bundling runs',
      'median ms',
      'min ms',
      'max ms',
      'build ms',
      'synth+validate ms',
      `x vs ${rows[0]!.zones} zone`,
    ],
    ...rows.map(({ zones, results, medianMs }) => [
      String(zones),
      String(results[0]!.stacks),
      String(results[0]!.functions),
      [...new Set(results.map((r) => r.bundlingRuns))].join('/'),
      medianMs.toFixed(0),
      Math.min(...results.map((r) => r.ms)).toFixed(0),
      Math.max(...results.map((r) => r.ms)).toFixed(0),
      median(results.map((r) => r.buildMs)).toFixed(0),
      median(results.map((r) => r.synthMs)).toFixed(0),
      (medianMs / base).toFixed(2),
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const text = table.map((r) => r.map((v, i) => v.padStart(widths[i]!)).join('  ')).join('\n');
  process.stdout.write(
    `synth bench: ${runs} run(s) per size, cold asset cache per run, nag + template validation on\n${text}\n`,
  );
  if (warmUp) {
    process.stdout.write(
      `cold first synth (zones=${zoneCounts[0]}, not in the medians): ${warmUp.ms.toFixed(0)} ms\n`,
    );
  }
  process.stdout.write(
    `Lambda entries: ${entries}; bundling runs per synth should equal it at every size.\n`,
  );
  const overBundled = rows.filter((r) => r.results.some((x) => x.bundlingRuns !== entries));
  if (overBundled.length > 0) {
    process.stdout.write(
      `BUNDLING NOT DEDUPLICATED for zones=${overBundled.map((r) => r.zones).join(',')}\n`,
    );
    return 1;
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
