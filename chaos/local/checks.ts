import type { LoadRun } from '../../loadtests/runner';
import { type Criterion, inconclusiveWhen, outcomeWord } from '../metrics';
import type { Phase, Verifier, VerifyContext } from '../orchestrator';
import type { DrillFigures } from '../report/types';
import type { LocalDrillContext } from './context';
import { type Quiescence, quiescenceProbe, waitForQuiescence } from './quiescence';

/**
 * A drill's checks: each is a small object the drill file lists; the plan
 * runs them in order after the load stopped and replication quiesced.
 */

export interface CheckContext extends VerifyContext {
  /** How the wait for replication to quiesce ended (chaos/local/quiescence.ts). */
  readonly quiescence: Quiescence;
  /** The drill's load run (per-request samples), once started. */
  readonly load: LoadRun | undefined;
}

export interface CheckResult {
  readonly figures?: Partial<DrillFigures>;
  readonly criteria?: readonly Criterion[];
  readonly notes?: readonly string[];
}

export interface DrillCheck {
  /** Called every observed second with the phase (e.g. to write canaries before the fault). */
  onSecond?(second: number, phase: Phase): Promise<void>;
  verify(context: CheckContext): Promise<CheckResult>;
}

/**
 * A criterion whose answer depends on replication having caught up: when it
 * failed and replication had not quiesced, "missing" may only mean "late", so
 * it is inconclusive instead of failed.
 */
export function settled(criterion: Criterion, quiescence: Quiescence): Criterion {
  return inconclusiveWhen(criterion, quiescence.quiesced ? undefined : quiescence.detail);
}

/** The orchestrator's verifier over a drill's checks: quiescence first, then each check in order. */
export function verifierOf(
  context: LocalDrillContext,
  checks: readonly DrillCheck[],
  extra: { readonly notes?: readonly string[]; readonly load: () => LoadRun | undefined },
): Verifier {
  return {
    async onSecond(second, phase) {
      for (const check of checks) await check.onSecond?.(second, phase);
    },
    async verify(verifyContext) {
      const quiescence = await waitForQuiescence(quiescenceProbe(context));
      context.log(quiescence.detail);
      const checkContext: CheckContext = { ...verifyContext, quiescence, load: extra.load() };
      const figures: Record<string, number | null | undefined> = {
        replicationQuiescedAfterMs: quiescence.quiesced ? quiescence.waitedMs : null,
      };
      const criteria: Criterion[] = [];
      const notes: string[] = [...(extra.notes ?? [])];
      if (!quiescence.quiesced) notes.push(quiescence.detail);
      for (const check of checks) {
        const result = await check.verify(checkContext);
        Object.assign(figures, result.figures ?? {});
        criteria.push(...(result.criteria ?? []));
        notes.push(...(result.notes ?? []));
      }
      context.log(`verified: ${criteria.map((c) => `${outcomeWord(c)} ${c.name}`).join('; ')}`);
      return { figures, criteria, notes };
    },
  };
}
