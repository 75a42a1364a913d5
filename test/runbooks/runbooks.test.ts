import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DRILL_NAMES } from '../../chaos/drills';
import type { LocalTopology } from '../../local/topology';
import { bootTestTopology } from '../support/local-topology';

/**
 * Every command block of runbooks/*.md says where it runs (convention in
 * runbooks/README.md); every `local` block runs, in order per runbook, in one
 * bash session against a local topology booted for this test, and a failing
 * line fails the test.
 */

const ROOT = resolve(__dirname, '../..');
const RUNBOOKS = join(ROOT, 'runbooks');
const MARKER = /^\s*<!--\s*runbook:\s*(local|local-drill|cloud)\s*-->\s*$/;

interface Block {
  readonly file: string;
  readonly line: number;
  readonly kind: 'local' | 'local-drill' | 'cloud' | undefined;
  readonly commands: string;
}

function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(RUNBOOKS, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```sh\s*$/.exec(lines[i]!);
    if (!open) continue;
    let previous = i - 1;
    while (previous >= 0 && lines[previous]!.trim() === '') previous--;
    const kind = MARKER.exec(lines[previous] ?? '')?.[1] as Block['kind'];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++)
      body.push(lines[j]!.slice(open[1]!.length));
    blocks.push({ file, line: i + 1, kind, commands: body.join('\n') });
    i = j;
  }
  return blocks;
}

const files = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md'));
const blocks = files.flatMap(blocksOf);

/** Runs a runbook's local blocks in one bash session; resolves with the exit status and output. */
function runLocalBlocks(file: string, env: Record<string, string>) {
  const script = [
    'set -euo pipefail',
    // Name the failing command (the runbook's own line) in the output.
    `trap 'echo "FAILED in ${file}: $BASH_COMMAND" >&2' ERR`,
    ...blocks
      .filter((b) => b.file === file && b.kind === 'local')
      .map((b) =>
        [
          `# ${file}:${b.line}`,
          ...b.commands.split('\n').filter((line) => !/#\s*cloud-only\s*$/.test(line)),
        ].join('\n'),
      ),
  ].join('\n');
  return new Promise<{ status: number | null; output: string }>((done) => {
    const child = spawn('bash', ['-c', script], { cwd: ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (status) => done({ status, output }));
  });
}

describe('runbooks: every command says where it runs', () => {
  it('marks every sh block local, local-drill or cloud', () => {
    const unmarked = blocks.filter((b) => b.kind === undefined).map((b) => `${b.file}:${b.line}`);
    expect(unmarked).toEqual([]);
    expect(blocks.filter((b) => b.kind === 'local').length).toBeGreaterThanOrEqual(8);
  });

  it('names only drills and options that exist in local-drill blocks', () => {
    const drills = blocks
      .filter((b) => b.kind === 'local-drill')
      .flatMap((b) => [...b.commands.matchAll(/npm run drill -- run (\S+)/g)].map((m) => m[1]!));
    expect(drills.length).toBeGreaterThan(0);
    expect(drills.filter((d) => !(DRILL_NAMES as readonly string[]).includes(d))).toEqual([]);
  });
});

describe('runbooks: the local commands work against a local topology', () => {
  let topology: LocalTopology;
  let endpointsFile: string;
  beforeAll(async () => {
    endpointsFile = join(mkdtempSync(join(tmpdir(), 'runbooks-')), 'endpoints.json');
    topology = await bootTestTopology({ endpointsFile });
  }, 120_000);
  afterAll(async () => {
    await topology?.stop();
  });

  it.each(files.filter((file) => blocks.some((b) => b.file === file && b.kind === 'local')))(
    '%s: every local command line succeeds',
    async (file) => {
      // Act
      const { status, output } = await runLocalBlocks(file, {
        EDGE: topology.endpoints.edge,
        ENDPOINTS: endpointsFile,
      });
      // Assess
      expect({
        status,
        failed: output.match(/FAILED in .*/)?.[0],
        tail: status === 0 ? '' : output.slice(-1500),
      }).toEqual({
        status: 0,
        failed: undefined,
        tail: '',
      });
    },
    120_000,
  );
});
