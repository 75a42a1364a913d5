/**
 * A drill test's jest timeout: above the sum of the drill's own bounds (short phases, the 180 s runaway guard,
 * a rollback's catch-up ceiling, the quiescence bound and the checks), so the drill, not jest, gives the verdict.
 */
export const DRILL_TEST_TIMEOUT_MS = 600_000;

/**
 * A drill's progress lines, timed from the test's start, kept so that a drill test that runs out of time
 * prints where the drill was (jest's timeout alone says nothing about which phase or bounded wait it was in).
 */
export function drillProgress() {
  const started = Date.now();
  const lines: string[] = [];
  let finished = false;
  const stop = new AbortController();
  return {
    /** For the plan: aborted when the test ends with the drill unfinished, so it rolls back and stops. */
    signal: stop.signal,
    log(line: string): void {
      lines.push(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`);
    },
    finished(): void {
      finished = true;
    },
    /**
     * For afterAll (afterEach where a file runs several drills): aborts an unfinished drill (the test timed
     * out) and prints its progress; with DRILL_PROGRESS=1, prints a finished drill's progress too.
     */
    printIfUnfinished(): void {
      // A drill jest gave up on would go on beside the next test file (and keep jest from exiting).
      if (!finished) stop.abort('the drill test ran out of time');
      if ((!finished || process.env.DRILL_PROGRESS === '1') && lines.length > 0)
        console.log(
          `the drill ${finished ? 'finished' : 'did not finish'}; its progress:\n${lines.join('\n')}`,
        );
    },
  };
}
