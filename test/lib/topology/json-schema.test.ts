import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topologyJsonSchemaText } from '../../../lib/topology/json-schema';
import { REPO_ROOT } from '../../../lib/topology/loader';

describe('topology.schema.json', () => {
  it('is up to date with the zod schema (regenerate with `npm run topology:schema`)', () => {
    expect(readFileSync(join(REPO_ROOT, 'topology.schema.json'), 'utf8')).toBe(topologyJsonSchemaText());
  });
});
