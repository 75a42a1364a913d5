/**
 * One interface for every way a drill breaks something: the local topology's
 * control API, Route 53, the in-app drill flag, AWS FIS. The orchestrator
 * only knows this interface.
 */

export interface FaultDescription {
  /** Which mechanism: `local`, `route53`, `drill-flag`, `fis`. */
  readonly mechanism: string;
  /** What is broken, in words an SRE reads in the report. */
  readonly fault: string;
  /** The resource affected (cell, health check id, table, experiment template). */
  readonly target: string;
  /** True when the fault acts on a stand-in (the local topology), not on cloud resources. */
  readonly simulated: boolean;
}

/** Where a fault says what a long step is still waiting for (the drill's log). */
export type ProgressLog = (line: string) => void;

export interface FaultInjector {
  describe(): FaultDescription;
  /** Put the fault in place. May throw; the orchestrator rolls back anyway. */
  inject(progress?: ProgressLog): Promise<void>;
  /**
   * Undo the fault. Idempotent: a second call is a no-op, and it also runs
   * (and undoes whatever may have happened) when `inject` threw half-way.
   */
  rollback(progress?: ProgressLog): Promise<void>;
}

/**
 * An undo that ran every step, with a condition after it not met in its bound (a failback the topology did
 * not allow yet): the fault is gone, so the orchestrator's second rollback does not run it again. Any other
 * error leaves the fault possibly in place, and the rollback is tried again.
 */
export class UndoneLate extends Error {
  override readonly name = 'UndoneLate';
}

/**
 * Gives injectors the idempotent-rollback bookkeeping: the undo runs once if
 * `inject` was attempted (even when it failed), never if it was not.
 */
export abstract class ReversibleFault implements FaultInjector {
  private state: 'idle' | 'attempted' | 'rolled-back' = 'idle';

  abstract describe(): FaultDescription;
  protected abstract apply(progress?: ProgressLog): Promise<void>;
  protected abstract undo(progress?: ProgressLog): Promise<void>;

  async inject(progress?: ProgressLog): Promise<void> {
    if (this.state === 'attempted') return;
    this.state = 'attempted';
    await this.apply(progress);
  }

  async rollback(progress?: ProgressLog): Promise<void> {
    if (this.state !== 'attempted') return;
    try {
      await this.undo(progress);
    } catch (error) {
      // Undone, but late: running it again would only wait out the same bounds (run A of stop 25).
      if (error instanceof UndoneLate) this.state = 'rolled-back';
      throw error;
    }
    this.state = 'rolled-back';
  }
}
