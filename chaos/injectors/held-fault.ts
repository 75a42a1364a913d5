import type { FaultDescription, FaultInjector, ProgressLog } from './types';

/**
 * A fault kept in place past its scheduled end until the scenario that needs it is done. A drill's own
 * calls during the fault (split-writes: both cells written while replication is paused) take as long as
 * the host makes them take; on a loaded host they outlasted the short form's 5 s window, the pause was
 * undone under them, and the primary's cancel replicated into the secondary before the secondary's own
 * cancel ran (run D of stop 20, first read as a wrong answer). Rolling back first waits for `until`
 * (bounded by the calls' own timeouts and the drill's wall-clock limit), then undoes the fault.
 */
export class HeldFault implements FaultInjector {
  constructor(
    private readonly inner: FaultInjector,
    /** Settles when the scenario no longer needs the fault; a rejection counts as settled. */
    private readonly until: () => Promise<unknown>,
  ) {}

  describe(): FaultDescription {
    return this.inner.describe();
  }

  inject(progress?: ProgressLog): Promise<void> {
    return this.inner.inject(progress);
  }

  async rollback(progress?: ProgressLog): Promise<void> {
    await this.until().catch(() => undefined);
    await this.inner.rollback(progress);
  }
}
