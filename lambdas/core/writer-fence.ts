/**
 * One writer per zone at a time. A zone's cells are active-passive over a global table that resolves
 * conflicts per item by last writer wins and checks conditions only against the local replica, so two
 * cells taking writes at once would let each accept what the other's data forbids. The fence says whether
 * this cell is its zone's writer now: in AWS from the cell's Route 53 ARC routing control (the same control
 * DNS failover follows). The local topology runs the same fence against SIMULATED routing controls (with
 * `--no-writer-fence` every local cell is a writer). A cell that is not
 * the writer refuses mutating requests with 503 `not_writer`.
 */
export interface WriterState {
  readonly writer: boolean;
  /** Why not, for the problem detail and the logs. */
  readonly reason?: string;
}

export interface WriterFence {
  state(): Promise<WriterState>;
}

/** A zone with one cell (or fencing switched off in the topology): the cell is always the writer. */
export const ALWAYS_WRITER: WriterFence = { state: async () => ({ writer: true }) };
