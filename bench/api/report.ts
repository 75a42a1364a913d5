import { cpus, loadavg } from 'node:os';
import type { CommandRecorder } from '../support/command-replay';
import { addedPercentOverRuns, type RunsStats, type Stats } from '../support/interleave';
import type { TelemetrySink } from '../support/telemetry-sink';
import type { ThroughputRuns } from '../support/throughput';
import type { ApiPath } from './bench-cell';
import type { ApiMeasurements } from './measure';
import type { ApiBenchOptions } from './options';

/** The issue's budget: the API adds at most this much to p50 over the raw operations. */
export const BUDGET_PERCENT = 25;

export interface ApiBenchRun extends ApiMeasurements {
  readonly own: Record<'getProduct' | 'checkout', Stats>;
  readonly recorder: CommandRecorder;
  readonly telemetry: TelemetrySink;
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x}%`;

function row(name: string, s: Stats, raw?: RunsStats): string {
  const added = raw && 'runs' in s ? addedPercentOverRuns(s as RunsStats, raw) : undefined;
  return `  ${name.padEnd(44)} ${String(s.rps).padStart(6)} req/s  p50 ${s.p50.toFixed(2).padStart(6)} ms  p99 ${s.p99.toFixed(2).padStart(6)} ms${added ? `  ${signed(added.median)} over raw (runs ${added.runs.map(signed).join(', ')})` : ''}`;
}

const split = (s: Stats) =>
  `in DynamoDB ${s.dynamoP50.toFixed(2)} ms, outside ${s.outsideDynamoP50.toFixed(2)} ms`;
const verdict = (s: RunsStats, raw: RunsStats) =>
  addedPercentOverRuns(s, raw).median <= BUDGET_PERCENT ? 'within budget' : 'OVER BUDGET';
const load = (name: string, t: ThroughputRuns) =>
  `  ${name.padEnd(44)} ${String(t.rps).padStart(6)} req/s  p50 ${t.p50.toFixed(2).padStart(6)} ms  p99 ${t.p99.toFixed(2).padStart(6)} ms  (runs ${t.runs.map((r) => r.rps).join(', ')} req/s)`;

function section(
  log: (line: string) => void,
  title: string,
  operations: string[],
  stats: Record<ApiPath | 'raw', RunsStats>,
  extra: string[] = [],
): void {
  const plural = operations.length === 1 ? '' : 's';
  const legend = operations.some((o) => o.startsWith('||')) ? '; || runs alongside the one before' : '';
  log(`\n${title}: ${operations.length} DynamoDB operation${plural} (${operations.join(', ')}${legend})`);
  log(row('API, Lambda handler with a REST proxy event', stats.lambda, stats.raw));
  log(row('API, in-process (app.request)', stats.inProcess, stats.raw));
  log(row('API, over HTTP on the local cell', stats.http, stats.raw));
  log(row('raw: the same operations, replayed', stats.raw));
  for (const line of extra) log(line);
  log(
    `  budget +${BUDGET_PERCENT}% over raw p50 (median of runs): Lambda handler ${verdict(stats.lambda, stats.raw)}, in-process ${verdict(stats.inProcess, stats.raw)}, over HTTP ${verdict(stats.http, stats.raw)}`,
  );
  log(`  p50 split, Lambda handler: ${split(stats.lambda)}; over HTTP: ${split(stats.http)}`);
}

export function printApiReport(
  run: ApiBenchRun,
  options: ApiBenchOptions,
  log: (line: string) => void,
): void {
  log(
    `\nsequential, one client; ${options.runs} runs, variants interleaved within each; figures are medians over the runs:`,
  );
  if (options.smoke)
    log(
      '(smoke run: too few requests and too short a warm-up for the budget verdict; use npm run bench:api)',
    );
  section(log, 'get-product', run.recorder.operationsOf('get-product'), run.reads, [
    row('empty HTTP round trip on the same server kind', run.reads.emptyHttp),
  ]);
  log(
    `\nget-product throughput, ${options.concurrency} concurrent clients, ${options.throughputRequests} requests per run:`,
  );
  log(load('API over HTTP on the local cell', run.throughput.http));
  log(load('raw: the same GetItem, as concurrently', run.throughput.raw));
  log(
    `  the cell serves ${Math.round((run.throughput.http.rps / run.throughput.raw.rps) * 100)}% of the raw GetItem rate (one node process for the API and its SDK client, DynamoDB Local on the same 2 cores)`,
  );
  section(log, 'checkout', run.recorder.operationsOf('checkout'), run.checkouts);
  log(
    `\nraw baseline: ${run.replayedCommands} recorded commands replayed on a twin table, every outcome as the API's; both tables end identical (${run.items} items)`,
  );
  log(
    `telemetry as deployed: ${run.telemetry.lines} log and EMF lines (${Math.round(run.telemetry.bytes / 1024)} KiB) written by the cell's Powertools logger and metrics`,
  );
  log('API own work, DynamoDB answering at once from memory (telemetry as deployed), one run:');
  log(row('get-product', run.own.getProduct));
  log(row('checkout', run.own.checkout));
  log(
    `load average during the run: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
}
