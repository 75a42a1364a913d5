/// <reference lib="dom" />
import {
  CatalogCache,
  createCommerceClient,
  IndexedDbStore,
  type Intent,
  Outbox,
  type Product,
} from '../commerce-client/browser';

/**
 * The kiosk page: catalog (cached, revalidated with ETag), cart, "Place order" into the durable
 * outbox, each order's status, and an online/offline indicator. Query string:
 *   api      base URL of the API (default: this page's origin)
 *   token    bearer token with a home_zone claim (orders need one; the catalog does not)
 *   country  sent as x-client-country (the local edge's stand-in for geolocation)
 *   payment  payment method for checkout (default pm_card_ok)
 *   db       IndexedDB name (default commerce-kiosk): two kiosks in one browser need two
 *   failover `cells` (default): fail over between the zone's cells (they must answer CORS for this
 *            page's origin); `dns`: the api URL only (the local edge serves this page same-origin)
 */

const query = new URLSearchParams(location.search);
const baseUrl = query.get('api') ?? location.origin;
const token = query.get('token') ?? undefined;
const country = query.get('country');
const paymentMethod = query.get('payment') ?? 'pm_card_ok';

const store = new IndexedDbStore(query.get('db') ?? 'commerce-kiosk');
const client = createCommerceClient({
  baseUrl,
  ...(token ? { token } : {}),
  ...(country ? { headers: { 'x-client-country': country } } : {}),
  store,
  cellFailover: query.get('failover') !== 'dns',
});
const catalog = new CatalogCache({ client, store });
const cart = new Map<string, { product: Product; quantity: number }>();

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attributes: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`kiosk page lacks #${id}`);
  return node;
}

function money(minor: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);
}

function renderConnectivity(): void {
  const online = navigator.onLine && client.transport.connectivity !== 'offline';
  const indicator = byId('connectivity');
  indicator.textContent = online ? 'online' : 'offline';
  indicator.dataset.state = online ? 'online' : 'offline';
  byId('cell').textContent = client.router.zone
    ? `zone ${client.router.zone} via ${client.router.activeEndpoint}`
    : client.router.activeEndpoint;
}

async function renderCatalog(): Promise<void> {
  const list = byId('catalog');
  try {
    const { data, source } = await catalog.listProducts({ limit: 100 });
    byId('catalog-source').textContent = source;
    list.replaceChildren(
      ...data.items.map((product) => {
        const add = element('button', 'Add', { 'data-product': product.id });
        add.disabled = product.stock === 0;
        add.addEventListener('click', () => {
          const line = cart.get(product.id) ?? { product, quantity: 0 };
          cart.set(product.id, { product, quantity: Math.min(99, line.quantity + 1) });
          renderCart();
        });
        const item = element('li');
        item.append(element('span', `${product.name} · ${money(product.priceMinor, product.currency)}`), add);
        return item;
      }),
    );
  } catch (error) {
    byId('catalog-source').textContent = `unavailable: ${(error as Error).message}`;
  }
  renderConnectivity();
}

function renderCart(): void {
  const lines = [...cart.values()];
  byId('cart').replaceChildren(
    ...lines.map(({ product, quantity }) => element('li', `${quantity} × ${product.name}`)),
  );
  const currency = lines[0]?.product.currency ?? 'EUR';
  const total = lines.reduce((sum, { product, quantity }) => sum + product.priceMinor * quantity, 0);
  byId('cart-total').textContent = money(total, currency);
  (byId('place-order') as HTMLButtonElement).disabled = lines.length === 0;
}

function describe(intent: Intent): string {
  if (intent.status === 'accepted' && intent.kind === 'order' && intent.result) {
    return `accepted · order ${intent.result.orderId}`;
  }
  if (intent.status === 'needs_attention') {
    return `needs attention · ${intent.problem?.code ?? 'refused'}: ${intent.problem?.detail ?? ''}`;
  }
  if (!intent.lastError) return intent.status;
  // CommerceUnavailableError: the device or the zone is unreachable; the outbox sends it when it can
  if (intent.lastError.includes('no answer from the commerce API'))
    return `${intent.status} · offline, sent when back online`;
  return `${intent.status} · will retry (${intent.lastError.slice(0, 60)})`;
}

function renderOrders(intents: readonly Intent[]): void {
  byId('orders').replaceChildren(
    ...[...intents].reverse().map((intent) =>
      element('li', `${intent.createdAt.slice(11, 19)} · ${describe(intent)}`, {
        'data-intent': intent.id,
        'data-status': intent.status,
      }),
    ),
  );
  renderConnectivity();
}

async function main(): Promise<void> {
  const outbox = await Outbox.open({ client, store });
  outbox.subscribe((intents) => renderOrders(intents));
  client.transport.onEvent((event) => {
    if (event.type === 'connectivity') renderConnectivity();
  });
  client.router.onEvent(() => renderConnectivity());
  addEventListener('online', renderConnectivity);
  addEventListener('offline', renderConnectivity);

  byId('place-order').addEventListener('click', async () => {
    const lines = [...cart.values()].map(({ product, quantity }) => ({ productId: product.id, quantity }));
    const currency = [...cart.values()][0]?.product.currency;
    // durable in IndexedDB before anything is sent; the outbox sends it now or when back online
    await outbox.placeOrder({ lines, paymentMethod, ...(currency ? { currency } : {}) });
    cart.clear();
    renderCart();
  });

  renderCart();
  renderOrders(outbox.list());
  outbox.start();
  await renderCatalog();
  setInterval(() => void renderCatalog(), 30_000);
  // for the headless-browser drill: the page's live objects
  Object.assign(globalThis, { kiosk: { client, outbox, catalog } });
  document.body.dataset.ready = 'true';
}

void main();
