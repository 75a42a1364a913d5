import { parseArgs } from 'node:util';
import { DEV_KEYS_DIR, ensureDevKeys, mintDevToken } from '../lambdas/api/auth/dev-auth';
import { ADMIN_SCOPES, CUSTOMER_SCOPES } from '../lambdas/core/scopes';

/**
 * LOCAL ONLY. Mints a bearer token the local topology accepts, signed with
 * the dev key in .local/dev-keys/ (generated on first use).
 *
 *   npx tsx scripts/mint-dev-token.ts --sub alice                 # customer scopes
 *   npx tsx scripts/mint-dev-token.ts --sub ops --admin           # admin:drill admin:audit
 *   npx tsx scripts/mint-dev-token.ts --sub bob --home-zone eu --scope commerce:carts --ttl 600
 */
const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'dev-customer' },
    scope: { type: 'string', multiple: true },
    admin: { type: 'boolean', default: false },
    'home-zone': { type: 'string' },
    ttl: { type: 'string', default: '3600' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: mint-dev-token [--sub ID] [--admin] [--scope S]... [--home-zone ZONE] [--ttl SECONDS]\n' +
      `keys: ${DEV_KEYS_DIR}\ncustomer scopes: ${CUSTOMER_SCOPES.join(' ')}\nadmin scopes: ${ADMIN_SCOPES.join(' ')}`,
  );
  process.exit(0);
}

const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 7 * 24 * 3600) {
  console.error('--ttl must be a whole number of seconds between 1 and 604800');
  process.exit(2);
}

async function main(): Promise<void> {
  const keys = await ensureDevKeys();
  const scopes = values.scope ?? (values.admin ? ADMIN_SCOPES : CUSTOMER_SCOPES);
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
