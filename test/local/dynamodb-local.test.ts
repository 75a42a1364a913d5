import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { isAlive } from '../../local/process-memory';
import { accepts } from '../support/ports';
import { waitUntil } from '../support/wait';

/** DynamoDB Local must not outlive the process that started it, even one killed outright. */

const REPO = join(__dirname, '..', '..');
const FIXTURE = join(__dirname, 'fixtures', 'own-dynamodb-local.ts');

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
      await waitUntil(() => output.includes('"pid"') || owner.exitCode !== null, 60_000, 100);
      if (owner.exitCode !== null) throw new Error(`DynamoDB Local did not start:\n${output}`);
      const { pid, port } = JSON.parse(output.trim().split('\n')[0]!) as { pid: number; port: number };
      const upBefore = isAlive(pid) && (await accepts(port));
      // Act
      owner.kill('SIGKILL');
      const gone = await waitUntil(() => !isAlive(pid), 10_000, 100).then(
        () => true,
        () => false,
      );
      // Assess
      if (!gone) process.kill(pid, 'SIGKILL'); // leave no JVM behind when the guard is broken
      expect(upBefore).toBe(true);
      expect(gone).toBe(true);
      expect(await accepts(port)).toBe(false);
    },
    90_000,
  );
});
