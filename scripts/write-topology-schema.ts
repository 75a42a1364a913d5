import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topologyJsonSchemaText } from '../lib/topology/json-schema';
import { REPO_ROOT } from '../lib/topology/loader';

const target = join(REPO_ROOT, 'topology.schema.json');
writeFileSync(target, topologyJsonSchemaText());
console.log(`wrote ${target}`);
