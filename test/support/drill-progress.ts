/**
 * A drill's progress lines, timed from the test's start, kept so that a drill test that runs out of time
 * prints where the drill was (jest's timeout alone says nothing about which phase or bounded wait it was in).
 */
export function drillProgress() {
  const started = Date.now();
  const lines: string[] = [];
  let finished = false;
  return {
    log(line: string): void {
      lines.push(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`);
    },
    finished(): void {
      finished = true;
    },
    /** For afterAll: the progress, when the drill never finished (the test timed out). */
    printIfUnfinished(): void {
      if (!finished && lines.length > 0)
        console.log(`the drill did not finish; its progress:\n${lines.join('\n')}`);
    },
  };
}
