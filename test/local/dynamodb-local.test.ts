import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { accepts } from '../support/ports';

/** DynamoDB Local must not outlive the process that started it, even one killed outright. */

const REPO = join(__dirname, '..', '..');
const FIXTURE = join(__dirname, 'fixtures', 'own-dynamodb-local.ts');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

describe('startDynamoDbLocal', () => {
  const itOnLinux = process.platform === 'linux' ? it : it.skip;

  itOnLinux(
    'takes the JVM down when its owner is SIGKILLed (no exit hook runs)',
    async () => {
      // Prepare
      const owner = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      owner.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      owner.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const started = await waitUntil(() => output.includes('"pid"') || owner.exitCode !== null, 60_000);
      if (!started || owner.exitCode !== null) throw new Error(`DynamoDB Local did not start:\n${output}`);
      const { pid, port } = JSON.parse(output.trim().split('\n')[0]!) as { pid: number; port: number };
      const upBefore = isRunning(pid) && (await accepts(port));
      // Act
      owner.kill('SIGKILL');
      const gone = await waitUntil(() => !isRunning(pid), 10_000);
      // Assess
      if (!gone) process.kill(pid, 'SIGKILL');
      expect(upBefore).toBe(true);
      expect(gone).toBe(true);
      expect(await accepts(port)).toBe(false);
    },
    90_000,
  );
});
