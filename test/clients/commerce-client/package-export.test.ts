import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

describe('package entry', () => {
  it('exports the client as sovereign-commerce-toolkit/commerce-client (and /node, /browser)', () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
      name: string;
      exports: Record<string, unknown>;
    };
    expect(Object.keys(pkg.exports)).toEqual(
      expect.arrayContaining(['./commerce-client', './commerce-client/node', './commerce-client/browser']),
    );
    // resolved by name through the exports map (package self-reference), with tsx loading the TypeScript
    const output = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `const m = require('${pkg.name}/commerce-client/node'); console.log([typeof m.createCommerceClient, typeof m.FileStore, typeof m.WebhookReceiver].join(','))`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(output.trim()).toBe('function,function,function');
  });
});
