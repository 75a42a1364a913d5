import { CLOUDFRONT_FAILOVER_STATUS_CODES } from '../../lib/topology';
import { HealthChecker } from '../health-checker';
import type { OriginClient, OriginOutcome } from './origin-client';

/**
 * Which cell a CDN asks, as each vendor's origin configuration says. Both
 * read the zone's cells directly (primary, then secondary), not the zone's
 * failover name: that is how lib/ configures them.
 */

/** A zone's cell as an origin: `zone/region` and its loopback URL. */
export interface OriginCell {
  readonly name: string;
  readonly url: string;
}

export interface OriginView {
  readonly cell: string;
  /** The vendor's belief about the cell (Cloudflare's pool monitor); CloudFront has none: true. */
  readonly healthy: boolean;
}

export interface OriginSelection {
  /** Forward a read to the zone's cells; the outcome of the last cell asked. */
  forward(path: string, method: 'GET' | 'HEAD'): Promise<OriginOutcome & { readonly cell: string }>;
  origins(): readonly OriginView[];
  start(): Promise<void>;
  /** Forget monitor history and take one fresh probe (after /control/reset). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * CloudFront's origin group (lib/constructs/catalog-distribution.ts): the
 * primary cell; on a connection failure, a timeout, or a 500/502/503/504 the
 * same GET/HEAD goes to the secondary once. No monitor: every request tries
 * the primary first.
 */
export class CloudFrontOriginGroup implements OriginSelection {
  constructor(
    private readonly cells: readonly OriginCell[],
    private readonly client: OriginClient,
  ) {}

  async forward(path: string, method: 'GET' | 'HEAD') {
    const [primary, secondary] = this.cells as [OriginCell, OriginCell | undefined];
    const first = await this.client.fetch(primary.url, path, method);
    const failover =
      first.kind === 'unreachable' ||
      (CLOUDFRONT_FAILOVER_STATUS_CODES as readonly number[]).includes(first.status);
    if (!secondary || !failover) return { ...first, cell: primary.name };
    return { ...(await this.client.fetch(secondary.url, path, method)), cell: secondary.name };
  }

  origins(): readonly OriginView[] {
    return this.cells.map((cell) => ({ cell: cell.name, healthy: true }));
  }

  async start(): Promise<void> {}
  async restart(): Promise<void> {}
  async stop(): Promise<void> {}
}

export interface MonitorTiming {
  /** The monitor's interval, scaled like every health check (`healthCheck.intervalSeconds`). */
  readonly intervalMs: number;
  /** consecutive_down = consecutive_up = `healthCheck.failureThreshold`. */
  readonly threshold: number;
  /** The monitor's timeout: the origin read timeout (real time). */
  readonly timeoutMs: number;
  readonly healthPath: string;
}

/**
 * Cloudflare's load balancer (lib/cdn-terraform/cloudflare-edge-stack.ts):
 * one pool per cell with a monitor on the health path, steering `off`
 * (failover in `default_pools` order: primary, then secondary), the
 * secondary as fallback pool when no pool is healthy, and adaptive routing
 * (`failover_across_pools`): a request whose connection fails (521/522/523)
 * is sent at once to the next pool, before any monitor notices. A 5xx answer
 * is not retried: only the monitor moves traffic away from a cell that
 * answers errors.
 */
export class CloudflareLoadBalancer implements OriginSelection {
  private readonly monitors: readonly { readonly cell: OriginCell; readonly monitor: HealthChecker }[];

  constructor(
    private readonly cells: readonly OriginCell[],
    private readonly client: OriginClient,
    timing: MonitorTiming,
    onChange?: (cell: string, healthy: boolean) => void,
  ) {
    this.monitors = cells.map((cell) => ({
      cell,
      monitor: new HealthChecker({
        name: `Cloudflare monitor ${cell.name}`,
        url: `${cell.url}${timing.healthPath}`,
        intervalMs: timing.intervalMs,
        failureThreshold: timing.threshold,
        timeoutMs: timing.timeoutMs,
        onChange: (healthy) => onChange?.(cell.name, healthy),
      }),
    }));
  }

  /** Pools in the order a request tries them: healthy ones in `default_pools` order, else the fallback pool. */
  poolOrder(): readonly OriginCell[] {
    const healthy = this.monitors.filter((m) => m.monitor.isHealthy).map((m) => m.cell);
    const fallback = this.cells[1] ?? this.cells[0]!;
    const first = healthy[0] ?? fallback;
    // Adaptive routing's retry: the next healthy pool, else any other pool.
    const next = healthy.find((c) => c !== first) ?? this.cells.find((c) => c !== first);
    return next ? [first, next] : [first];
  }

  async forward(path: string, method: 'GET' | 'HEAD') {
    const [first, next] = this.poolOrder() as [OriginCell, OriginCell | undefined];
    const outcome = await this.client.fetch(first.url, path, method);
    const connectionFailed =
      outcome.kind === 'unreachable' &&
      (outcome.failure === 'refused' || outcome.failure === 'connect-timeout');
    if (!next || !connectionFailed) return { ...outcome, cell: first.name };
    return { ...(await this.client.fetch(next.url, path, method)), cell: next.name };
  }

  origins(): readonly OriginView[] {
    return this.monitors.map((m) => ({ cell: m.cell.name, healthy: m.monitor.isHealthy }));
  }

  async start(): Promise<void> {
    await Promise.all(this.monitors.map((m) => m.monitor.start()));
  }

  async restart(): Promise<void> {
    await Promise.all(this.monitors.map((m) => m.monitor.restart()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.monitors.map((m) => m.monitor.stop()));
  }
}
