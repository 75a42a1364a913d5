/**
 * SIMULATED: one client device's network route to the topology, which a drill can cut and restore
 * (a kiosk losing its network). While cut, every request through `fetch` fails the way a browser's or
 * Node's fetch fails offline (a TypeError before any byte reaches the edge), and requests in flight
 * are aborted. Only this client is cut: the edge, the cells and every other client keep working.
 */
export class ClientLink {
  private cutAt: number | undefined;
  private inFlight = new Set<AbortController>();
  /** Requests refused while cut (the fault was effective). */
  refused = 0;

  constructor(private readonly name: string) {}

  get isCut(): boolean {
    return this.cutAt !== undefined;
  }

  cut(): void {
    this.cutAt ??= Date.now();
    for (const controller of this.inFlight) controller.abort(new TypeError(`fetch failed: ${this.reason}`));
  }

  restore(): void {
    this.cutAt = undefined;
  }

  /**
   * Cuts the link right after the first response `trigger` matches reaches the client (one shot): a drill
   * cuts "just after the first order was placed" without racing the client's next request.
   */
  cutAfter(trigger: (url: string, response: Response) => boolean): void {
    this.trigger = trigger;
  }

  private trigger: ((url: string, response: Response) => boolean) | undefined;

  private get reason(): string {
    return `the route of client ${this.name} is cut (SIMULATED)`;
  }

  /** A `fetch` through this link. */
  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (this.isCut) {
      this.refused += 1;
      throw new TypeError(`fetch failed: ${this.reason}`);
    }
    const controller = new AbortController();
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    this.inFlight.add(controller);
    try {
      const response = await globalThis.fetch(input, { ...init, signal });
      const url = input instanceof Request ? input.url : String(input);
      if (this.trigger?.(url, response)) {
        this.trigger = undefined;
        this.cutAt ??= Date.now();
      }
      return response;
    } finally {
      this.inFlight.delete(controller);
    }
  };
}
