import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for one residency zone of the commerce API, for the client's tests: one small HTTP
 * server per cell on 127.0.0.1 (random ports), sharing one zone state (as a replicated table
 * would), with per-cell faults. It implements the handful of routes the client uses, with the
 * API's idempotency semantics (same key replays the first final answer; a transient failure frees
 * the key) and records every request it receives.
 */

export type CellFault =
  | 'none'
  | 'unhealthy' // every request, health included, answers 503 internal_error
  | 'fenced' // health passes; mutating requests answer 503 not_writer with Retry-After
  | 'busy-once' // the next mutating request answers 503 busy with Retry-After (contention), then none
  | 'hang'; // accepts the connection, never answers

export interface RecordedRequest {
  readonly cell: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface FakeProduct {
  id: string;
  name: string;
  description: string;
  priceMinor: number;
  currency: string;
  stock: number;
}

export interface FakeOrder {
  readonly id: string;
  readonly cartId: string;
  readonly key: string;
  readonly totalMinor: number;
}

export interface FakeEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: null;
  readonly producer: { region: string; zone: string };
  readonly aggregate: { type: string; id: string; version: number };
  readonly data: Record<string, unknown>;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
/** A per-request override: return an answer to short-circuit the fake's own handling, 'hang' to never answer. */
export type Interceptor = (request: RecordedRequest) => Answer | 'hang' | undefined;

export class FakeCell {
  fault: CellFault = 'none';
  intercept: Interceptor | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();
  port = 0;

  constructor(
    readonly zone: FakeZone,
    readonly region: string,
    readonly role: 'primary' | 'secondary',
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens (again, on the same port after a stop, so the endpoint in discovery stays valid). */
  async start(): Promise<void> {
    const server = createServer((request, response) => void this.serve(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: the client gets ECONNREFUSED / resets. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  requests(filter: { method?: string; path?: string | RegExp } = {}): RecordedRequest[] {
    return this.zone.log.filter(
      (request) =>
        request.cell === this.url &&
        (!filter.method || request.method === filter.method) &&
        (!filter.path ||
          (typeof filter.path === 'string' ? request.path === filter.path : filter.path.test(request.path))),
    );
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    const recorded: RecordedRequest = {
      cell: this.url,
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.zone.log.push(recorded);
    const intercepted = this.intercept?.(recorded);
    if (intercepted === 'hang' || (intercepted === undefined && this.fault === 'hang')) return;
    const answer = intercepted ?? this.zone.handle(recorded, this);
    response.writeHead(answer.status, {
      ...(answer.body === undefined
        ? {}
        : { 'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json' }),
      ...answer.headers,
    });
    response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }
}

function problem(status: number, code: string, extra: Record<string, unknown> = {}): Answer['body'] {
  return {
    type: 'about:blank',
    title: code,
    status,
    detail: `${code} (fake)`,
    code,
    correlationId: 'fake',
    ...extra,
  };
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class FakeZone {
  readonly cells: FakeCell[];
  readonly log: RecordedRequest[] = [];
  readonly products: FakeProduct[] = [
    { id: 'mug', name: 'Mug', description: 'A mug', priceMinor: 1200, currency: 'EUR', stock: 50 },
    { id: 'tee', name: 'Tee', description: 'A tee', priceMinor: 2500, currency: 'EUR', stock: 50 },
  ];
  catalogVersion = 1;
  readonly carts = new Map<string, { id: string; lines: Array<{ productId: string; quantity: number }> }>();
  readonly orders: FakeOrder[] = [];
  readonly events: FakeEvent[] = [];
  /** Other zones' failover endpoints, as discovery lists them. */
  otherZones: Record<string, string> = {};
  /** When set, personal-data routes answer 421 naming this zone and endpoint (customer homed elsewhere). */
  misdirectTo: { zone: string; endpoint?: string } | undefined;
  private readonly idempotency = new Map<string, Answer | 'running'>();
  private sequence = 0;

  constructor(
    readonly name: string,
    regions: readonly [string, ...string[]] = ['r-primary', 'r-secondary'],
  ) {
    this.cells = regions.map(
      (region, index) => new FakeCell(this, region, index === 0 ? 'primary' : 'secondary'),
    );
  }

  get primary(): FakeCell {
    return this.cells[0]!;
  }

  get secondary(): FakeCell {
    return this.cells[1]!;
  }

  async start(): Promise<this> {
    for (const cell of this.cells) await cell.start();
    return this;
  }

  async stop(): Promise<void> {
    for (const cell of this.cells) await cell.stop();
  }

  /** Request keys seen for a path, in arrival order. */
  keysFor(path: string | RegExp): string[] {
    return this.log
      .filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path)))
      .map((r) => r.headers['idempotency-key'] ?? '');
  }

  handle(request: RecordedRequest, cell: FakeCell): Answer {
    const url = new URL(request.path, 'http://fake');
    if (cell.fault === 'unhealthy') return { status: 503, body: problem(503, 'internal_error') };
    if (url.pathname === '/v1/health') {
      return { status: 200, body: { status: 'pass', zone: this.name, region: cell.region, role: cell.role } };
    }
    if (url.pathname === '/v1/discovery') {
      return {
        status: 200,
        headers: { 'cache-control': 'public, max-age=60' },
        body: {
          zone: this.name,
          region: cell.region,
          zoneEndpoint: this.primary.url,
          cells: this.cells.map((c) => ({ region: c.region, role: c.role, endpoint: c.url })),
          zones: Object.entries({ [this.name]: this.primary.url, ...this.otherZones }).map(
            ([zone, endpoint]) => ({ zone, endpoint }),
          ),
        },
      };
    }
    if (request.method === 'GET' && url.pathname === '/v1/products')
      return this.catalog(request, { items: this.products });
    const product = /^\/v1\/products\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && product) {
      const found = this.products.find((p) => p.id === product[1]);
      return found ? this.catalog(request, found) : { status: 404, body: problem(404, 'not_found') };
    }
    if (url.pathname === '/v1/events') return this.eventPage(url);
    if (this.misdirectTo && /^\/v1\/(carts|checkout|orders|customers)/.test(url.pathname)) {
      return { status: 421, body: problem(421, 'misdirected_request', this.misdirectTo) };
    }
    if (!MUTATING.has(request.method)) return { status: 404, body: problem(404, 'route_not_found') };
    if (cell.fault === 'fenced') {
      return { status: 503, headers: { 'retry-after': '1' }, body: problem(503, 'not_writer') };
    }
    if (cell.fault === 'busy-once') {
      cell.fault = 'none';
      return { status: 503, headers: { 'retry-after': '1' }, body: problem(503, 'busy') };
    }
    const key = request.headers['idempotency-key'];
    if (!key) return { status: 400, body: problem(400, 'idempotency_key_missing') };
    const recordKey = `${request.method} ${key}`;
    const first = this.idempotency.get(recordKey);
    if (first === 'running') {
      return { status: 409, headers: { 'retry-after': '1' }, body: problem(409, 'idempotency_key_in_use') };
    }
    if (first) return { ...first, headers: { ...first.headers, 'idempotent-replayed': 'true' } };
    const answer = this.mutate(request, url.pathname, key);
    // a transient answer frees the key, as the API does; a final one is kept for replays
    if (answer.status < 500) this.idempotency.set(recordKey, answer);
    return answer;
  }

  /** Marks a key as "first request still running" (the next request with it gets 409 in use). */
  holdKey(method: string, key: string): void {
    this.idempotency.set(`${method} ${key}`, 'running');
  }

  releaseKey(method: string, key: string): void {
    this.idempotency.delete(`${method} ${key}`);
  }

  addEvents(count: number): void {
    for (let i = 0; i < count; i++) {
      this.sequence += 1;
      const id = `01J${String(this.sequence).padStart(23, '0')}`;
      this.events.push({
        eventId: id,
        eventType: 'order.v1.placed',
        occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, this.sequence)).toISOString(),
        correlationId: `c-${this.sequence}`,
        causationId: null,
        producer: { region: this.primary.region, zone: this.name },
        aggregate: { type: 'order', id: `o-${this.sequence}`, version: 1 },
        data: { orderId: `o-${this.sequence}` },
      });
    }
  }

  private catalog(request: RecordedRequest, body: unknown): Answer {
    const etag = `"catalog-v${this.catalogVersion}"`;
    const headers = { etag, 'cache-control': 'public, max-age=60' };
    if (request.headers['if-none-match'] === etag) return { status: 304, headers };
    return { status: 200, headers, body };
  }

  /** Opaque cursors: the fake encodes the index of the next event (the real API uses event ids). */
  private eventPage(url: URL): Answer {
    const after = url.searchParams.get('after');
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const start = after ? Number(Buffer.from(after, 'base64url').toString('utf8').slice('next:'.length)) : 0;
    const items = this.events.slice(start, start + limit);
    const next = start + items.length;
    return {
      status: 200,
      body: {
        items,
        nextCursor: next > 0 ? Buffer.from(`next:${next}`).toString('base64url') : (after ?? null),
      },
    };
  }

  private mutate(request: RecordedRequest, path: string, key: string): Answer {
    const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    if (request.method === 'POST' && path === '/v1/carts') {
      const cart = { id: `cart-${this.carts.size + 1}`, lines: [] };
      this.carts.set(cart.id, cart);
      return { status: 201, body: { ...cart, currency: body.currency ?? 'EUR' } };
    }
    const items = /^\/v1\/carts\/([^/]+)\/items$/.exec(path);
    if (request.method === 'POST' && items) {
      const cart = this.carts.get(items[1]!);
      if (!cart) return { status: 404, body: problem(404, 'not_found') };
      cart.lines.push({ productId: String(body.productId), quantity: Number(body.quantity) });
      return { status: 200, body: cart };
    }
    if (request.method === 'POST' && path === '/v1/checkout') {
      const cart = this.carts.get(String(body.cartId));
      if (!cart) return { status: 404, body: problem(404, 'not_found') };
      if (body.paymentMethod === 'pm_card_declined')
        return { status: 402, body: problem(402, 'payment_declined') };
      const totalMinor = cart.lines.reduce(
        (sum, line) =>
          sum + line.quantity * (this.products.find((p) => p.id === line.productId)?.priceMinor ?? 0),
        0,
      );
      const order: FakeOrder = { id: `order-${this.orders.length + 1}`, cartId: cart.id, key, totalMinor };
      this.orders.push(order);
      return {
        status: 201,
        body: { id: order.id, cartId: cart.id, totalMinor, currency: 'EUR', status: 'placed' },
      };
    }
    const cancel = /^\/v1\/orders\/([^/]+)\/cancel$/.exec(path);
    if (request.method === 'POST' && cancel)
      return { status: 200, body: { id: cancel[1], status: 'cancelled' } };
    return { status: 404, body: problem(404, 'route_not_found') };
  }
}
