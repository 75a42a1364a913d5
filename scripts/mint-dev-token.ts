import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_KEYS_DIR, ensureDevKeys, mintDevToken } from '../lambdas/api/auth/dev-auth';
import { ADMIN_SCOPES, CUSTOMER_SCOPES } from '../lambdas/core/scopes';
import { ENDPOINTS_FILE, localEndpointsSchema } from '../local/contract';

/**
 * LOCAL ONLY. Mints a bearer token the local topology accepts, signed with
 * the dev key in .local/dev-keys/ (generated on first use).
 *
 *   npx tsx scripts/mint-dev-token.ts --sub alice --home-zone global   # customer scopes
 *   npx tsx scripts/mint-dev-token.ts --sub ops --admin           # admin:drill admin:audit
 *   npx tsx scripts/mint-dev-token.ts --sub bob --home-zone eu --scope commerce:carts --ttl 600
 *   npx tsx scripts/mint-dev-token.ts --sub alice --home-zone global --local   # ask the local topology's issuer
 *   npx tsx scripts/mint-dev-token.ts --local --endpoints-file /tmp/b.json     # a topology started with that file
 *
 * The running local topology (`local/`) has its own in-memory issuer; with
 * --local the token comes from its control API (POST /control/tokens) so the
 * cells accept it. Without --local the token is signed with .local/dev-keys
 * (for a cell started with AUTH_JWKS_JSON set to .local/dev-keys/jwks.json, or
 * `localApiDependencies` from lambdas/api/local.ts).
 */
const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'dev-customer' },
    scope: { type: 'string', multiple: true },
    admin: { type: 'boolean', default: false },
    'home-zone': { type: 'string' },
    ttl: { type: 'string', default: '3600' },
    local: { type: 'boolean', default: false },
    // The same flag, default and resolution (repository root unless absolute) as `npm run local`.
    'endpoints-file': { type: 'string', default: ENDPOINTS_FILE },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: mint-dev-token [--sub ID] [--admin] [--scope S]... [--home-zone ZONE] [--ttl SECONDS] [--local [--endpoints-file F]]\n' +
      `keys: ${DEV_KEYS_DIR}\ncustomer scopes: ${CUSTOMER_SCOPES.join(' ')}\nadmin scopes: ${ADMIN_SCOPES.join(' ')}`,
  );
  process.exit(0);
}

const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 7 * 24 * 3600) {
  console.error('--ttl must be a whole number of seconds between 1 and 604800');
  process.exit(2);
}

async function fromLocalTopology(scopes: readonly string[]): Promise<string> {
  const given = values['endpoints-file'] ?? ENDPOINTS_FILE;
  const file = isAbsolute(given) ? given : resolve(__dirname, '..', given);
  if (!existsSync(file))
    throw new Error(
      `${file} not found: start the local topology first (npm run local), and pass --endpoints-file if you started it with one`,
    );
  const { control } = localEndpointsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const base = control.replace(/\/+$/, '');
  const url = base.endsWith('/control') ? `${base}/tokens` : `${base}/control/tokens`;
  const response = await fetch(url, {
    signal: AbortSignal.timeout(5000),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      subject: values.sub,
      scopes,
      ttlSeconds,
      ...(values['home-zone'] ? { homeZone: values['home-zone'] } : {}),
    }),
  }).catch((error: Error) => {
    throw new Error(`the local topology does not answer at ${url} (${error.message}); is it running?`);
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

async function main(): Promise<void> {
  const scopes = values.scope ?? (values.admin ? ADMIN_SCOPES : CUSTOMER_SCOPES);
  const customerToken = scopes.some((scope) => (CUSTOMER_SCOPES as readonly string[]).includes(scope));
  if (customerToken && !values['home-zone'])
    console.error(
      'note: no --home-zone, so the cells accept this token only for creating a customer profile; carts, ' +
        'checkout, orders and profiles answer 403 home_zone_unknown. Add --home-zone <zone>.',
    );
  if (values.local) {
    process.stdout.write(`${await fromLocalTopology(scopes)}\n`);
    return;
  }
  const keys = await ensureDevKeys();
  const token = await mintDevToken(keys, {
    subject: values.sub!,
    scopes,
    ttlSeconds,
    ...(values['home-zone'] ? { homeZone: values['home-zone'] } : {}),
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
