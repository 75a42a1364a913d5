import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [require.resolve('tsx/cli'), 'loadtests/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });

describe('load test CLI', () => {
  it('prints its usage for --help and exits 0', () => {
    const run = cli('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: npx tsx loadtests\/cli\.ts --profile <smoke\|load\|/);
  });

  it('names each missing or bad option, shows the usage and exits 2', () => {
    const run = cli('--profile', 'nope', '--base-url', 'http://example.com');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--profile: ');
    expect(run.stderr).toContain('--base-url: must be a loopback http(s) URL');
    expect(run.stderr).toContain('usage:');
    expect(cli('--profile', 'smoke').stderr).toContain('--base-url: is required');
  });

  it('rejects an unknown option with the usage', () => {
    const run = cli('--bogus');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Unknown option '--bogus'");
    expect(run.stderr).toContain('usage:');
  });
});

describe('load test CLI and the bearer token (as an operator runs it: npm run load)', () => {
  const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJvcGVyYXRvci10ZXN0In0.c2lnbmF0dXJlLW5vdC1zaG93bg';
  let server: Server;
  let url: string;
  const seen: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"pass"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => seen.splice(0));

  /** `npm run load -- <args>`, asynchronously (the fake API answers in this process). */
  function npmLoad(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
    return new Promise<{ status: number | null; output: string }>((done) => {
      const child = spawn('npm', ['run', 'load', '--', ...args], {
        cwd: ROOT,
        env: { ...process.env, ...options.env },
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.stdin.end(options.stdin ?? '');
      child.on('close', (status) => done({ status, output }));
    });
  }
  const run = ['--profile', 'smoke', '--flow', 'health', '--duration-scale', '0.02', '--max-requests', '3'];

  it.each([
    ['from the environment (LOAD_TOKEN)', [] as string[], { env: { LOAD_TOKEN: TOKEN } }],
    ['from standard input (--token -)', ['--token', '-'], { stdin: `${TOKEN}\n` }],
  ])(
    'takes the token %s, sends it, and never prints it',
    async (_how, extra, options) => {
      // Act
      const { status, output } = await npmLoad([...run, '--base-url', url, ...extra], options);
      // Assess
      expect(output).toContain('smoke: ');
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((h) => h === `Bearer ${TOKEN}`)).toBe(true);
      expect(output).not.toContain(TOKEN);
      expect(output).not.toContain(TOKEN.split('.')[1]);
      expect(status).not.toBeNull();
    },
    60_000,
  );

  it('warns, without repeating it, when the token is written on the npm command line', async () => {
    // Act
    const { output } = await npmLoad([...run, '--base-url', url, '--token', TOKEN]);
    // Assess: npm itself printed the command line; the CLI says so and prints the token nowhere else.
    expect(output).toContain('warning: npm printed this command line, token included');
    // Once when npm printed its banner (not under `npm --silent`, as in CI), never from the CLI itself.
    expect(output.split(TOKEN).length - 1).toBeLessThanOrEqual(1);
  }, 60_000);
});
