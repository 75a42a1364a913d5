import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { HEALTH_FLOW, SHOPPER_FLOW } from './flow';
import { isLoopbackUrl } from './loopback';
import { PROFILE_NAMES, PROFILES, scaleProfile } from './profiles';
import { startLoad } from './runner';

const USAGE = `usage: npx tsx loadtests/cli.ts --profile <${PROFILE_NAMES.join('|')}> --base-url http://127.0.0.1:<port>
  [--flow shopper|health] [--duration-scale 0.1] [--rate-scale 0.5] [--max-requests 500]
  [--token -] [--country DE] [--out summary.json]
Drives the profile's open-arrival load at a loopback URL and checks its thresholds.
The bearer token comes from the environment variable LOAD_TOKEN, or from standard input with --token -.
A token written on the command line (--token <jwt>) still works, but \`npm run\` prints its command line,
token included: prefer LOAD_TOKEN. The token never appears in this command's own output.
Exit code 0 when the thresholds pass, 1 when they fail, 2 on bad input.`;

let activeToken: string | undefined;

/** Where the token comes from: `--token -` reads standard input, else --token, else LOAD_TOKEN. */
function resolveToken(flag: string | undefined): string | undefined {
  if (flag === '-') return readFileSync(0, 'utf8').trim() || undefined;
  return flag ?? (process.env.LOAD_TOKEN?.trim() || undefined);
}

/** Every line this command prints goes through here: the token is replaced, wherever it appears. */
function redactor(secret: string | undefined): (line: string) => string {
  return (line) => (secret ? line.split(secret).join('<token redacted>') : line);
}

const argsSchema = z.object({
  profile: z.enum(PROFILE_NAMES),
  'base-url': z
    .string()
    .refine(isLoopbackUrl, 'must be a loopback http(s) URL such as http://127.0.0.1:8080'),
  flow: z.enum(['shopper', 'health']).default('shopper'),
  'duration-scale': z.coerce.number().positive().max(1).default(1),
  'rate-scale': z.coerce.number().positive().max(10).default(1),
  'max-requests': z.coerce.number().int().positive().optional(),
  token: z.string().optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
  out: z.string().optional(),
});

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(Object.keys(argsSchema.shape).map((name) => [name, { type: 'string' as const }])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { help: _help, ...options } = values;
  const parsed = argsSchema.safeParse(options);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
      console.error(`--${issue.path.join('.')}: ${missing ? 'is required' : issue.message}`);
    }
    console.error(USAGE);
    return 2;
  }
  const args = parsed.data;
  const token = resolveToken(args.token);
  activeToken = token;
  const redact = redactor(token);
  const log = (line: string) => console.log(redact(line));
  if (args.token && args.token !== '-' && process.env.npm_lifecycle_event)
    console.error(
      'warning: npm printed this command line, token included, above; pass the token as LOAD_TOKEN=<token> or with --token - (standard input) instead',
    );
  const profile = scaleProfile(PROFILES[args.profile], {
    duration: args['duration-scale'],
    rate: args['rate-scale'],
    ...(args['max-requests'] ? { maxIterations: args['max-requests'] } : {}),
  });
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (args.country) headers['x-client-country'] = args.country;
  const run = startLoad({
    baseUrl: args['base-url'],
    profile,
    flow: args.flow === 'health' ? HEALTH_FLOW : SHOPPER_FLOW,
    headers,
    onSecond: (b) =>
      log(
        `t=${b.second}s requests=${b.count} ok=${b.success} p50=${b.p50Ms ?? '-'}ms p99=${b.p99Ms ?? '-'}ms served=${JSON.stringify(b.servedBy)}`,
      ),
  });
  process.once('SIGINT', () => run.stop());
  const summary = await run.done;
  if (args.out) writeFileSync(args.out, `${JSON.stringify(summary, null, 2)}\n`);
  log(
    `${summary.profile}: ${summary.passed ? 'PASS' : 'FAIL'} (${summary.stopReason}) requests=${summary.requests} errors=${summary.failures} p95=${summary.p95Ms}ms p99=${summary.p99Ms}ms dropped=${summary.iterationsDropped}`,
  );
  for (const t of summary.thresholds) log(`  ${t.ok ? 'ok  ' : 'FAIL'} ${t.name} ${t.actual} < ${t.limit}`);
  return summary.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(redactor(activeToken)(error.message));
    console.error(USAGE);
    process.exit(2);
  },
);
