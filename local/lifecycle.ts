/** One line of boot or control progress, for the CLI (and silent in tests). */
export type ProgressLog = (message: string) => void;

/** Stops registered in boot order and run in reverse; every stop runs even if one fails. */
export class Lifecycle {
  private readonly stops: { what: string; stop: () => Promise<void> | void }[] = [];
  private stopped: Promise<void> | undefined;

  add(what: string, stop: () => Promise<void> | void): void {
    this.stops.push({ what, stop });
  }

  stopAll(log: ProgressLog): Promise<void> {
    this.stopped ??= (async () => {
      const failures: string[] = [];
      for (const { what, stop } of this.stops.reverse()) {
        try {
          await stop();
        } catch (error) {
          failures.push(`${what}: ${(error as Error).message}`);
        }
      }
      if (failures.length > 0) log(`stopped with ${failures.length} problem(s): ${failures.join('; ')}`);
    })();
    return this.stopped;
  }
}
