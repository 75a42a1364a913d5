import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ADMIN_SCOPES, CUSTOMER_SCOPES } from '../lambdas/core/scopes';
import { tokenRequestSchema } from '../local/dev-auth';
import { ENDPOINTS_FILE } from '../local/contract';
import { readEndpointsFile } from '../local/endpoints-file';

/**
 * LOCAL ONLY. Prints a bearer token the running local topology accepts, from
 * its SIMULATED issuer (POST /control/tokens on its loopback control API; the
 * topology's keys live in its memory, so the topology must be running).
 *
 *   npm run token:dev -- --sub alice --home-zone global      # customer scopes
 *   npm run token:dev -- --sub ops --admin                   # admin scopes
 *   npm run token:dev -- --sub bob --home-zone eu --scope commerce:carts --ttl 600
 *   npm run token:dev -- --home-zone global --endpoints-file /tmp/e.json   # a topology started with that file
 *
 * The control URL comes from the endpoints file the topology wrote
 * (`.local/endpoints.json`, or the `--endpoints-file` it was started with).
 */

const USAGE = `usage: npm run token:dev -- [--sub ID] [--admin] [--scope S]... [--home-zone ZONE] [--ttl SECONDS]
                         [--endpoints-file FILE]
  --endpoints-file  the endpoints file of the running local topology (default ${ENDPOINTS_FILE})
  --local           accepted for compatibility: every token comes from the running local topology
customer scopes: ${CUSTOMER_SCOPES.join(' ')}
admin scopes: ${ADMIN_SCOPES.join(' ')}`;

const argsSchema = z.strictObject({
  sub: tokenRequestSchema.shape.subject.default('dev-customer'),
  scope: z.array(z.string().min(1)).optional(),
  admin: z.boolean().default(false),
  'home-zone': z.string().min(1).optional(),
  ttl: z.coerce.number().pipe(tokenRequestSchema.shape.ttlSeconds.unwrap()).default(3600),
  'endpoints-file': z.string().min(1).default(ENDPOINTS_FILE),
  local: z.boolean().default(false),
  help: z.boolean().default(false),
});

function parse(argv: string[]): z.output<typeof argsSchema> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sub: { type: 'string' },
      scope: { type: 'string', multiple: true },
      admin: { type: 'boolean' },
      'home-zone': { type: 'string' },
      ttl: { type: 'string' },
      'endpoints-file': { type: 'string' },
      local: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return argsSchema.parse(values);
}

async function mint(args: z.output<typeof argsSchema>): Promise<string> {
  const scopes = args.scope ?? (args.admin ? ADMIN_SCOPES : CUSTOMER_SCOPES);
  const customerToken = scopes.some((scope) => (CUSTOMER_SCOPES as readonly string[]).includes(scope));
  if (customerToken && !args['home-zone'])
    console.error(
      'note: no --home-zone, so the cells accept this token only for creating a customer profile; carts, ' +
        'checkout, orders and profiles answer 403 home_zone_unknown. Add --home-zone <zone>.',
    );
  const { control } = readEndpointsFile(args['endpoints-file']);
  const url = `${control.replace(/\/+$/, '')}/tokens`;
  const response = await fetch(url, {
    signal: AbortSignal.timeout(5000),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      subject: args.sub,
      scopes,
      ttlSeconds: args.ttl,
      ...(args['home-zone'] ? { homeZone: args['home-zone'] } : {}),
    }),
  }).catch((error: Error) => {
    throw new Error(
      `the local topology does not answer at ${url} (${error.message}); is it running? (npm run local)`,
    );
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return z.object({ token: z.string().min(1) }).parse(await response.json()).token;
}

export async function main(argv: string[]): Promise<number> {
  let args: z.output<typeof argsSchema>;
  try {
    args = parse(argv);
  } catch (error) {
    const detail =
      error instanceof z.ZodError
        ? error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')
        : (error as Error).message;
    console.error(`${detail}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    process.stdout.write(`${await mint(args)}\n`);
    return 0;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => process.exit(code));
