import { join } from 'node:path';
import { expectInertEntry } from './entry-support';

describe('bench/api.bench.ts', () => {
  it('reads no argv and runs nothing at import; main answers 2 on bad arguments', async () => {
    await expectInertEntry(join(__dirname, '..', '..', 'bench', 'api.bench'));
  });
});
