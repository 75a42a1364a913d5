import { lostAcknowledgedWrites } from '../metrics';
import type { VerifyContext } from '../orchestrator';
import type { CheckContext, CheckResult, DrillCheck } from './checks';
import { settled } from './checks';
import type { LocalDrillContext } from './context';
import { DrillItems, mapLimited } from './drill-items';

/** Orders the load's checkouts got a 2xx for: the acknowledged writes every drill must keep. */
export function acknowledgedOrderIds(context: Pick<VerifyContext, 'acknowledged'>): string[] {
  return context.acknowledged
    .filter((ack) => ack.step === 'checkout' && ack.state.orderId)
    .map((ack) => ack.state.orderId!);
}

/** How long transient read failures (timeouts, 5xx) are retried before the check gives up as inconclusive. */
const READ_RETRY_BOUND_MS = 15_000;

/**
 * 0 lost acknowledged writes: every acknowledged order is readable through
 * the zone endpoint afterwards. A 404 is a lost write (inconclusive instead
 * when replication had not quiesced); a read that keeps failing otherwise
 * (timeout, 5xx) within the bound is inconclusive, never a loss.
 */
export class AcknowledgedOrders implements DrillCheck {
  constructor(private readonly context: LocalDrillContext) {}

  private async readStatus(id: string): Promise<number> {
    const response = await fetch(`${this.context.baseUrl}/v1/orders/${id}`, {
      headers: this.context.shopperHeaders,
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
    await response?.arrayBuffer();
    return response?.status ?? 0;
  }

  async verify(context: CheckContext): Promise<CheckResult> {
    const orders = acknowledgedOrderIds(context);
    const statuses = new Map<string, number>();
    let pending = orders;
    const end = Date.now() + READ_RETRY_BOUND_MS;
    for (;;) {
      const read = await mapLimited(pending, 8, async (id) => [id, await this.readStatus(id)] as const);
      for (const [id, status] of read) statuses.set(id, status);
      pending = read.filter(([, status]) => status !== 200 && status !== 404).map(([id]) => id);
      if (pending.length === 0 || Date.now() >= end) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const readable = new Set(orders.filter((id) => statuses.get(id) === 200));
    const lost = lostAcknowledgedWrites(orders, readable).filter((id) => statuses.get(id) === 404);
    const unreadable = orders.filter((id) => !readable.has(id) && statuses.get(id) !== 404);

    const notes: string[] = [];
    const items = new DrillItems(this.context);
    for (const id of lost.slice(0, 10)) {
      const ack = context.acknowledged.find((a) => a.state.orderId === id)!;
      notes.push(
        `lost order ${id}: acknowledged at ${(ack.atMs / 1000).toFixed(1)} s (fault ${((context.faultStartMs ?? 0) / 1000).toFixed(1)} s to ${((context.rollbackAtMs ?? 0) / 1000).toFixed(1)} s); GET answers 404; table ${await items.orderPresence(id)}`,
      );
    }
    const detail = `${readable.size}/${orders.length} acknowledged orders readable afterwards${lost.length ? `; lost: ${lost.slice(0, 5).join(', ')}` : ''}${
      unreadable.length
        ? `; unreadable within ${READ_RETRY_BOUND_MS / 1000} s: ${unreadable
            .slice(0, 5)
            .map((id) => `${id} (${statuses.get(id)})`)
            .join(', ')}`
        : ''
    }`;
    const criterion =
      lost.length === 0 && unreadable.length > 0
        ? { name: '0 lost acknowledged writes', ok: false, inconclusive: true, detail }
        : settled({ name: '0 lost acknowledged writes', ok: lost.length === 0, detail }, context.quiescence);
    return {
      figures: { acknowledgedWrites: orders.length, lostAcknowledgedWrites: lost.length },
      criteria: [criterion],
      notes,
    };
  }
}
