import { BrokenCircuitError, type CircuitBreakerPolicy, CircuitState, type TimeoutPolicy } from 'cockatiel';
import * as z from 'zod';
import { type Answer, classify, exchange, type FetchFunction } from './attempt';
import { freshness } from './cache-control';
import { Listeners } from './listeners';
import { type DiscoveryCell, type DiscoveryDocument, discoveryDocumentSchema } from './discovery';
import { AttemptFailure, createAttemptTimeout, createCellBreaker, type Resilience } from './policies';
import type { DurableStore } from './storage/durable-store';

/**
 * Which cell of the zone the client talks to.
 *
 * The zone's cells come from the API's discovery document (generated from the topology), never
 * from a list kept here. Until one is loaded, the client talks to its entry endpoint and lets DNS
 * pick (the behaviour of a client without cell awareness). Once loaded:
 * - calls go to the active cell (the primary at first);
 * - a cell failure (no answer, timeout, 5xx, not_writer) moves the client to the zone's next cell
 *   at once, and a cell whose circuit is open is skipped;
 * - while on a secondary, the primary's `/v1/health` is probed at most once per
 *   `failbackProbeIntervalMs` (through the primary's breaker, so an open circuit is not probed
 *   before it may half-open); a passing probe moves the client back;
 * - a 421 re-homes the client to the zone it names (`rehome`), remembered in the store; discovery
 *   from then on must name that zone, so failover never leaves it.
 */

const DISCOVERY_PATH = '/v1/discovery';
const HEALTH_PATH = '/v1/health';
const DISCOVERY_KEY = 'commerce-client/discovery';
const HOME_KEY = 'commerce-client/home';

export type CircuitName = 'closed' | 'open' | 'half-open' | 'isolated';

export interface CellView {
  readonly endpoint: string;
  readonly region?: string;
  readonly role?: DiscoveryCell['role'];
  readonly circuit: CircuitName;
  readonly active: boolean;
}

export type RouterEvent =
  | { readonly type: 'discovered'; readonly zone: string; readonly cells: readonly DiscoveryCell[] }
  | { readonly type: 'discovery_failed'; readonly detail: string }
  | { readonly type: 'failover'; readonly from: string; readonly to: string; readonly reason: string }
  | { readonly type: 'failback'; readonly to: string }
  | { readonly type: 'rehomed'; readonly zone: string; readonly endpoint: string };

interface CellState {
  readonly endpoint: string;
  readonly region?: string;
  readonly role?: DiscoveryCell['role'];
  readonly breaker: CircuitBreakerPolicy;
}

const storedDiscoverySchema = z.object({
  entry: z.string(),
  document: discoveryDocumentSchema,
});
const storedHomeSchema = z.object({ zone: z.string().min(1), endpoint: z.string().min(1) });

export interface CellRouterOptions {
  /** Where the client starts: the geolocation entry point, a zone's failover endpoint, or a cell. */
  readonly entryEndpoint: string;
  readonly resilience: Resilience;
  readonly fetch: FetchFunction;
  /** Keeps the discovery document and the home zone across restarts. @default none (memory only) */
  readonly store?: DurableStore;
  /** @default Date.now */
  readonly now?: () => number;
  /** Learn the zone's cells and fail over between them; false: the entry endpoint only (DNS decides). @default true */
  readonly cellFailover?: boolean;
}

const CIRCUIT_NAMES: Record<CircuitState, CircuitName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

export class CellRouter {
  private readonly events = new Listeners<RouterEvent>();
  private readonly timeout: TimeoutPolicy;
  private readonly now: () => number;
  private entry: string;
  private homeZone: string | undefined;
  private document: DiscoveryDocument | undefined;
  private cells: CellState[];
  private active = 0;
  private discoveryExpiresAt = 0;
  private nextDiscoveryAttemptAt = 0;
  private discovering: Promise<void> | undefined;
  private restoring: Promise<void> | undefined;
  private lastProbeAt = 0;
  private probing: Promise<boolean> | undefined;

  constructor(private readonly options: CellRouterOptions) {
    this.entry = trimSlash(options.entryEndpoint);
    this.now = options.now ?? Date.now;
    this.timeout = createAttemptTimeout(options.resilience);
    this.cells = [this.cellState({ endpoint: this.entry })];
  }

  /** Subscribe to discovery, failover, failback and re-homing. Returns the unsubscribe function. */
  onEvent(listener: (event: RouterEvent) => void): () => void {
    return this.events.add(listener);
  }

  /** The zone the client is bound to, once known. */
  get zone(): string | undefined {
    return this.homeZone ?? this.document?.zone;
  }

  get discovery(): DiscoveryDocument | undefined {
    return this.document;
  }

  get cellsView(): CellView[] {
    return this.cells.map((cell, index) => ({
      endpoint: cell.endpoint,
      ...(cell.region ? { region: cell.region } : {}),
      ...(cell.role ? { role: cell.role } : {}),
      circuit: CIRCUIT_NAMES[cell.breaker.state],
      active: index === this.active,
    }));
  }

  get activeEndpoint(): string {
    return this.cells[this.active]!.endpoint;
  }

  /**
   * Before a call: restore what the store remembers (once), and load the discovery document when
   * there is none (awaited: the call needs to know the cells) or refresh it when stale (in the
   * background). A discovery failure is never the call's failure: it goes to the entry endpoint.
   */
  async prepare(): Promise<void> {
    this.restoring ??= this.restore();
    await this.restoring;
    if (this.options.cellFailover === false) return;
    const now = this.now();
    if (now < this.discoveryExpiresAt || now < this.nextDiscoveryAttemptAt) return;
    const loading = this.discover();
    if (!this.document) await loading;
  }

  /** The cell for the next attempt: the active one, unless its circuit is open and another's is not. */
  pick(): CellState {
    const active = this.cells[this.active]!;
    if (active.breaker.state !== CircuitState.Open) return active;
    const index = this.cells.findIndex((cell) => cell.breaker.state !== CircuitState.Open);
    if (index >= 0) this.moveTo(index, 'circuit_open');
    return this.cells[this.active]!;
  }

  /**
   * A cell failed an attempt: if it is the active one, move to the next cell of the zone whose
   * circuit is not open, or, when every circuit is open, to the next cell anyway: a circuit half-opens
   * only when a call tries it, so staying put would never give the other cells their trial call.
   * Returns the cell the next attempt will use.
   */
  reportFailure(cell: CellState, reason: string): CellState {
    if (this.cells[this.active] !== cell || this.cells.length < 2) return this.pick();
    const others = this.cells.map((_, step) => (this.active + step + 1) % this.cells.length).slice(0, -1);
    const closed = others.find((index) => this.cells[index]!.breaker.state !== CircuitState.Open);
    this.moveTo(closed ?? others[0]!, reason);
    return closed === undefined ? this.cells[this.active]! : this.pick();
  }

  /** While on a secondary: probe the primary in the background, at most once per interval. */
  maybeFailBack(): void {
    if (this.active === 0 || this.probing) return;
    if (this.now() - this.lastProbeAt < this.options.resilience.failbackProbeIntervalMs) return;
    this.lastProbeAt = this.now();
    this.probing = this.probePrimary().finally(() => {
      this.probing = undefined;
    });
  }

  /** The probe in flight, if any (tests and drills await it). */
  get pendingProbe(): Promise<boolean> | undefined {
    return this.probing;
  }

  /**
   * Probe the primary's health through its breaker; on a pass, make it active again.
   * Resolves true when the client is back on the primary.
   */
  async probePrimary(): Promise<boolean> {
    const primary = this.cells[0]!;
    try {
      await primary.breaker.execute(() =>
        this.timeout.execute(async ({ signal }) => {
          const response = await exchange(
            this.options.fetch,
            primary.endpoint + HEALTH_PATH,
            { method: 'GET', headers: { accept: 'application/json' } },
            primary.endpoint,
            { signal, timeoutMs: this.options.resilience.attemptTimeoutMs },
          );
          const health = (await response.json().catch(() => undefined)) as { status?: string } | undefined;
          if (response.status !== 200 || health?.status !== 'pass') {
            throw new AttemptFailure('cell_answer', primary.endpoint, `health answered ${response.status}`);
          }
        }),
      );
    } catch (error) {
      if (error instanceof AttemptFailure || error instanceof BrokenCircuitError) return false;
      throw error;
    }
    if (this.cells[0] === primary && this.active !== 0) {
      this.active = 0;
      this.events.emit({ type: 'failback', to: primary.endpoint });
    }
    return this.active === 0;
  }

  /**
   * A 421 named the zone that holds the customer's data: bind the client to it. Its endpoint
   * becomes the entry, and its cells are loaded from its discovery document before the next call.
   */
  async rehome(zone: string, endpoint: string): Promise<void> {
    this.homeZone = zone;
    this.entry = trimSlash(endpoint);
    this.document = undefined;
    this.cells = [this.cellState({ endpoint: this.entry })];
    this.active = 0;
    this.discoveryExpiresAt = 0;
    this.nextDiscoveryAttemptAt = 0;
    this.events.emit({ type: 'rehomed', zone, endpoint: this.entry });
    await this.options.store?.set(HOME_KEY, { zone, endpoint: this.entry });
    await this.options.store?.delete(DISCOVERY_KEY);
  }

  private async restore(): Promise<void> {
    const store = this.options.store;
    if (!store) return;
    const home = storedHomeSchema.safeParse(await store.get(HOME_KEY));
    if (home.success) {
      this.homeZone = home.data.zone;
      this.entry = home.data.endpoint;
      this.cells = [this.cellState({ endpoint: this.entry })];
    }
    const stored = storedDiscoverySchema.safeParse(await store.get(DISCOVERY_KEY));
    // a remembered document is used (and refreshed before trust expires: it is stale from the start)
    if (this.options.cellFailover !== false && stored.success && stored.data.entry === this.entry)
      this.apply(stored.data.document);
  }

  private discover(): Promise<void> {
    this.discovering ??= this.loadDiscovery().finally(() => {
      this.discovering = undefined;
    });
    return this.discovering;
  }

  private async loadDiscovery(): Promise<void> {
    const candidates = [
      ...new Set([this.activeEndpoint, ...this.cells.map((cell) => cell.endpoint), this.entry]),
    ];
    const failures: string[] = [];
    for (const endpoint of candidates) {
      try {
        const { document, maxAgeMs } = await this.fetchDiscovery(endpoint);
        if (this.homeZone && document.zone !== this.homeZone) {
          failures.push(`${endpoint} serves zone ${document.zone}, not ${this.homeZone}`);
          continue;
        }
        this.apply(document);
        this.discoveryExpiresAt = this.now() + maxAgeMs;
        await this.options.store?.set(DISCOVERY_KEY, { entry: this.entry, document });
        return;
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    this.nextDiscoveryAttemptAt = this.now() + this.options.resilience.discoveryRetryMs;
    this.events.emit({ type: 'discovery_failed', detail: failures.join('; ') });
  }

  private async fetchDiscovery(endpoint: string): Promise<{ document: DiscoveryDocument; maxAgeMs: number }> {
    return this.timeout.execute(async ({ signal }) => {
      const response = await exchange(
        this.options.fetch,
        endpoint + DISCOVERY_PATH,
        { method: 'GET', headers: { accept: 'application/json' } },
        endpoint,
        { signal, timeoutMs: this.options.resilience.attemptTimeoutMs },
      );
      if (response.status !== 200) {
        const answer: Answer = await classify(response, this.now());
        throw new Error(`${endpoint}${DISCOVERY_PATH} answered ${response.status} (${answer.kind})`);
      }
      const parsed = discoveryDocumentSchema.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success) throw new Error(`${endpoint}${DISCOVERY_PATH} is not a discovery document`);
      return { document: parsed.data, maxAgeMs: freshness(response.headers.get('cache-control')).maxAgeMs };
    });
  }

  /** Adopt a zone's cells, primary first; a cell already known keeps its breaker (and so its state). */
  private apply(document: DiscoveryDocument): void {
    const known = new Map(this.cells.map((cell) => [cell.endpoint, cell]));
    const activeEndpoint = this.activeEndpoint;
    const ordered = [...document.cells].sort((a, b) => rank(a.role) - rank(b.role));
    this.cells = ordered.map((cell) => {
      const endpoint = trimSlash(cell.endpoint);
      const breaker = known.get(endpoint)?.breaker;
      return breaker
        ? { endpoint, region: cell.region, role: cell.role, breaker }
        : this.cellState({ endpoint, region: cell.region, role: cell.role });
    });
    const stillActive = this.cells.findIndex((cell) => cell.endpoint === activeEndpoint);
    this.active = Math.max(stillActive, 0);
    const isNew = this.document === undefined;
    this.document = document;
    if (isNew) this.events.emit({ type: 'discovered', zone: document.zone, cells: document.cells });
  }

  private moveTo(index: number, reason: string): void {
    if (index === this.active) return;
    const from = this.cells[this.active]!.endpoint;
    this.active = index;
    // the first failback probe waits a full interval after leaving the primary
    if (index !== 0) this.lastProbeAt = this.now();
    this.events.emit({ type: 'failover', from, to: this.cells[index]!.endpoint, reason });
  }

  private cellState(cell: Omit<CellState, 'breaker'>): CellState {
    return { ...cell, breaker: createCellBreaker(this.options.resilience) };
  }
}

function rank(role: DiscoveryCell['role']): number {
  return role === 'primary' ? 0 : 1;
}

function trimSlash(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

export type { CellState };
