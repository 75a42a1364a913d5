import type { Cell } from '../../lib/topology';
import { type CanaryWrite, measureRpo, replicationLagAt } from '../metrics';
import type { Phase } from '../orchestrator';
import type { CheckContext, CheckResult, DrillCheck } from './checks';
import { settled } from './checks';
import type { LocalDrillContext } from './context';
import { DrillItems } from './drill-items';

/**
 * Canary writes: one item a second written straight to the zone primary's
 * table in the chosen phases (acknowledged = the PutItem succeeded), then
 * looked for in the surviving cell. The RPO figure (age of the oldest canary
 * acknowledged before the fault and missing in the survivor) and its check.
 */
export class Canaries implements DrillCheck {
  readonly written: (CanaryWrite & { readonly phase: Phase })[] = [];
  private readonly items: DrillItems;
  private n = 0;

  constructor(
    private readonly context: LocalDrillContext,
    private readonly survivor: Cell,
    private readonly phases: readonly Phase[] = ['steady'],
  ) {
    this.items = new DrillItems(context);
  }

  async onSecond(_second: number, phase: Phase): Promise<void> {
    if (!this.phases.includes(phase)) return;
    const id = String(this.n++).padStart(5, '0');
    if (await this.items.put('canary', this.context.zone.primary.region, id)) {
      this.written.push({ id, acknowledgedAtMs: this.context.elapsedMs(), phase });
    }
  }

  ids(phase?: Phase): string[] {
    return this.written.filter((c) => phase === undefined || c.phase === phase).map((c) => c.id);
  }

  /** The canaries among `ids` that the surviving cell holds now. */
  presentInSurvivor(ids: readonly string[] = this.ids()): Promise<Set<string>> {
    return this.items.presentIn('canary', this.survivor.region, ids);
  }

  async verify(context: CheckContext): Promise<CheckResult> {
    const present = await this.presentInSurvivor();
    const faultStartMs = context.faultStartMs ?? Number.POSITIVE_INFINITY;
    const rpo = measureRpo(
      this.written,
      present,
      faultStartMs,
      replicationLagAt(context.timeline, faultStartMs),
    );
    const beforeFault = this.written.filter((c) => c.acknowledgedAtMs < faultStartMs).length;
    return {
      figures: {
        rpoMs: rpo.rpoMs,
        replicationLagAtFaultMs: rpo.replicationLagAtFaultMs,
        canaryWritesBeforeFault: beforeFault,
        missingInSurvivor: rpo.missingInSurvivor.length,
      },
      criteria: [
        settled(
          {
            name: 'canary writes acknowledged before the fault are in the surviving cell',
            ok: rpo.missingInSurvivor.length === 0,
            detail: `${beforeFault - rpo.missingInSurvivor.length}/${beforeFault} present in ${this.survivor.region}`,
          },
          context.quiescence,
        ),
      ],
    };
  }
}
