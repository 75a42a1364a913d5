// How many drills the drills project runs at a time: measured, not assumed. A drill judges wall-clock bounds
// (an RTO, a client's no-failure window), so a second drill may run beside it only on cores nobody else uses.
// The host's idle time is sampled over a few seconds right before the drills (nothing of the suite runs then):
// one drill per idle core, at most MAX_DRILL_WORKERS (two at a time is what was measured to hold; beside
// contend.sh's two busy loops it was not: a region loss whose fault never took effect).
// Prints the worker count on stdout and the reason on stderr; DRILL_WORKERS overrides it in verify.sh.
const { cpus } = require('node:os');

/** The most drills at a time: two is the only concurrency measured to give the same verdicts. */
const MAX_DRILL_WORKERS = 2;
/** Idle cores a drill needs; a little under one, so an idle host's bookkeeping does not cost it a worker. */
const IDLE_CORES_PER_DRILL = 0.8;
const SAMPLE_MS = 3000;

/** Sum of every core's time counters (ms). */
function cpuTimes() {
  return cpus().reduce(
    (sum, core) => {
      const { user, nice, sys, idle, irq } = core.times;
      return { idle: sum.idle + idle, total: sum.total + user + nice + sys + idle + irq };
    },
    { idle: 0, total: 0 },
  );
}

/** Cores left idle between two samples of cpuTimes(): the idle share of the time, times the core count. */
function idleCores(before, after, cpuCount) {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  return ((after.idle - before.idle) / total) * cpuCount;
}

function drillWorkers(idle) {
  return Math.max(1, Math.min(MAX_DRILL_WORKERS, Math.floor(idle / IDLE_CORES_PER_DRILL)));
}

async function main() {
  const cpuCount = cpus().length;
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
  const idle = idleCores(before, cpuTimes(), cpuCount);
  const workers = drillWorkers(idle);
  process.stderr.write(
    `${idle.toFixed(2)} of ${cpuCount} cores idle over ${SAMPLE_MS / 1000} s: ${workers} drill${workers === 1 ? '' : 's'} at a time (at most ${MAX_DRILL_WORKERS}; one per ${IDLE_CORES_PER_DRILL} idle core)\n`,
  );
  process.stdout.write(`${workers}\n`);
}

if (require.main === module) void main();

module.exports = { drillWorkers, idleCores, MAX_DRILL_WORKERS };
