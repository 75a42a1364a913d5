/**
 * SIMULATED Route 53 health check of one cell: GET <cell><path> every
 * `intervalMs`; the cell turns unhealthy after `failureThreshold` consecutive
 * failures and healthy again after as many consecutive successes (Route 53
 * uses the same threshold both ways). Only 2xx/3xx pass, as in Route 53.
 * One checker stands in for Route 53's fleet of checkers: no quorum.
 */

/**
 * A Route 53 check's timeout here: Route 53 allows 4 s to connect (scaled) and 2 s for the answer once
 * connected, which is not scaled: it is what a healthy target on a loaded host needs (at a 1 s floor, a CI run
 * beside two busy loops failed a healthy primary cell and a healthy CDN with nothing broken). A stopped
 * target refuses the connection at once, so detection of a failure does not wait for it. A check still
 * running when the next is due skips that tick.
 */
export const MIN_CHECK_TIMEOUT_MS = 2000;

export function route53CheckTimeoutMs(timing: {
  readonly healthCheckIntervalMs: number;
  readonly timeScale: number;
}): number {
  return Math.max(MIN_CHECK_TIMEOUT_MS, Math.min(timing.healthCheckIntervalMs, 4000 * timing.timeScale));
}

export interface HealthCheckOptions {
  readonly name: string;
  readonly url: string;
  readonly intervalMs: number;
  readonly failureThreshold: number;
  /** Per-request timeout; Route 53 allows 4 s to connect and 2 s for the answer, scaled here. */
  readonly timeoutMs: number;
  /** `reason`: `threshold` after consecutive checks, `restart` after a reset. */
  readonly onChange?: (healthy: boolean, reason: 'threshold' | 'restart') => void;
}

export interface HealthCheckSnapshot {
  readonly healthy: boolean;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  readonly lastStatus: number | string | null;
  readonly lastCheckedAt: number | null;
  readonly changedAt: number;
}

export class HealthChecker {
  private healthy = true;
  private failures = 0;
  private successes = 0;
  private lastStatus: number | string | null = null;
  private lastCheckedAt: number | null = null;
  private changedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(readonly options: HealthCheckOptions) {}

  get isHealthy(): boolean {
    return this.healthy;
  }

  snapshot(): HealthCheckSnapshot {
    return {
      healthy: this.healthy,
      consecutiveFailures: this.failures,
      consecutiveSuccesses: this.successes,
      lastStatus: this.lastStatus,
      lastCheckedAt: this.lastCheckedAt,
      changedAt: this.changedAt,
    };
  }

  /** First check decides the initial state (a cell that is down at boot starts unhealthy), then every interval. */
  async start(): Promise<void> {
    const passed = await this.probe();
    this.healthy = passed;
    this.changedAt = Date.now();
    this.timer = setInterval(() => {
      this.inFlight ??= this.check().finally(() => {
        this.inFlight = undefined;
      });
    }, this.options.intervalMs);
  }

  /**
   * Forget the history and take the state of one fresh probe, like a newly
   * created health check. Used by `/control/reset` so a drill starts clean
   * instead of waiting for `failureThreshold` successes.
   */
  async restart(): Promise<void> {
    await this.inFlight;
    this.failures = 0;
    this.successes = 0;
    const passed = await this.probe();
    if (passed !== this.healthy) this.flip(passed, 'restart');
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** One scheduled check with threshold accounting. */
  async check(): Promise<void> {
    const passed = await this.probe();
    if (passed) {
      this.successes += 1;
      this.failures = 0;
    } else {
      this.failures += 1;
      this.successes = 0;
    }
    const threshold = this.options.failureThreshold;
    if (this.healthy && this.failures >= threshold) this.flip(false, 'threshold');
    else if (!this.healthy && this.successes >= threshold) this.flip(true, 'threshold');
  }

  private flip(healthy: boolean, reason: 'threshold' | 'restart'): void {
    this.healthy = healthy;
    this.changedAt = Date.now();
    this.options.onChange?.(healthy, reason);
  }

  private async probe(): Promise<boolean> {
    this.lastCheckedAt = Date.now();
    try {
      const response = await fetch(this.options.url, {
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headers: { 'user-agent': 'Amazon-Route53-Health-Check-Service (SIMULATED, local)' },
      });
      await response.arrayBuffer().catch(() => undefined);
      this.lastStatus = response.status;
      return response.status >= 200 && response.status < 400;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      this.lastStatus = cause ?? (error as Error).name;
      return false;
    }
  }
}
