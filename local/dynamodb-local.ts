import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB Local from the jar shipped inside the `amplify-dynamodb-simulator`
 * npm package, run with the machine's Java. SIMULATED: stands in for DynamoDB.
 * Without -sharedDb every (access key, region) pair is its own namespace, which
 * is how the local topology keeps regions apart.
 */

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
const MIN_JAVA_MAJOR = 17;

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Port to listen on. @default a free port chosen by the OS */
  readonly port?: number;
  /**
   * How long to wait for the first successful request. A JVM starting on a loaded 2-core machine has been
   * seen to take over 30 s, so the bound is generous; a healthy start answers within seconds.
   * @default 120000
   */
  readonly startTimeoutMs?: number;
}

export class DynamoDbLocalError extends Error {
  override name = 'DynamoDbLocalError';
}

export function findJar(): { jar: string; libDir: string } {
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('amplify-dynamodb-simulator/package.json'));
  } catch {
    throw new DynamoDbLocalError(
      'DynamoDB Local is not installed (package amplify-dynamodb-simulator is missing); run `npm ci` first',
    );
  }
  const jar = join(packageDir, 'emulator', 'DynamoDBLocal.jar');
  if (!existsSync(jar))
    throw new DynamoDbLocalError(`DynamoDBLocal.jar not found at ${jar}; reinstall with \`npm ci\``);
  return { jar, libDir: join(packageDir, 'emulator', 'DynamoDBLocal_lib') };
}

/** Fails with an actionable message when Java is missing or older than 17. */
export function checkJava(): string {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new DynamoDbLocalError(
      `Java ${MIN_JAVA_MAJOR}+ is required to run DynamoDB Local but \`java\` was not found on PATH; install a JDK/JRE ${MIN_JAVA_MAJOR}+ (e.g. \`apt-get install openjdk-17-jre-headless\`)`,
    );
  }
  const text = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : Number.NaN;
  if (!(major >= MIN_JAVA_MAJOR)) {
    throw new DynamoDbLocalError(
      `Java ${MIN_JAVA_MAJOR}+ is required to run DynamoDB Local; found: ${text.split('\n')[0]?.trim()}`,
    );
  }
  return text.split('\n')[0]?.trim() ?? '';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export function localDynamoClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS, maxAttempts: 3 });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = localDynamoClient(endpoint, 'us-east-1');
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new DynamoDbLocalError(`DynamoDB Local exited with code ${child.exitCode} during start-up`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new DynamoDbLocalError(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
  } finally {
    client.destroy();
  }
}

let setprivFound: boolean | undefined;

/**
 * The Java command line, wrapped where possible so the JVM dies with the process that started it. The
 * `exit` hook below covers normal exits and signals Node handles; a SIGKILLed owner runs no hook, and would
 * leave the JVM holding its port and memory. On Linux, util-linux's `setpriv --pdeathsig KILL` sets the
 * kernel's parent-death signal and then execs Java (same pid). Elsewhere Java runs unwrapped.
 */
function diesWithOwner(javaArgs: readonly string[]): { command: string; args: string[] } {
  if (process.platform === 'linux') {
    setprivFound ??= spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
    if (setprivFound) return { command: 'setpriv', args: ['--pdeathsig', 'KILL', 'java', ...javaArgs] };
  }
  return { command: 'java', args: [...javaArgs] };
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  checkJava();
  const { jar, libDir } = findJar();
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const launch = diesWithOwner([
    `-Djava.library.path=${libDir}`,
    '-Xms64m',
    '-Xmx512m',
    '-jar',
    jar,
    '-inMemory',
    // DynamoDB Local otherwise sends usage telemetry off the machine; local runs stay on loopback.
    '-disableTelemetry',
    '-port',
    String(port),
  ]);
  const child = spawn(launch.command, launch.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  try {
    await waitUntilReady(endpoint, child, options.startTimeoutMs ?? 120_000);
  } catch (error) {
    child.kill('SIGKILL');
    const hint = /Address already in use|BindException/.test(output)
      ? ` Port ${port} is busy; choose another port.`
      : '';
    throw new DynamoDbLocalError(`${(error as Error).message}.${hint}\n${output}`);
  }

  return {
    endpoint,
    port,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
