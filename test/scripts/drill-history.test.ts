import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { reportFixture } from '../chaos/history/fixtures';

const ROOT = resolve(__dirname, '..', '..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'drill-history.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });

describe('npm run drill:history', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'drills-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a record per report and the history page, exit 0', () => {
    const id = '2026-11-21T05-30-00Z-region-failover';
    mkdirSync(join(dir, id));
    writeFileSync(join(dir, id, 'report.json'), JSON.stringify(reportFixture({ id })));
    const result = run('--drills-dir', dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`record written: ${join(dir, id, 'record.json')}`);
    expect(result.stdout).toContain(`${join(dir, 'history.html')}: 1 drill(s)`);
    expect(readFileSync(join(dir, 'history.html'), 'utf8')).toContain(`data-id="${id}"`);
  });

  it('refuses a malformed --s3 target with the expected form, exit 2, before writing anything', () => {
    const result = run('--drills-dir', dir, '--s3', 'https://bucket/prefix');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--s3: must be s3://<bucket>[/<prefix>]');
    expect(existsSync(join(dir, 'history.html'))).toBe(false);
  });
});
