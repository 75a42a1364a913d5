import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES } from '../../lambdas/outbox/event-catalog';
import { asyncApiYaml, eventJsonSchema, schemaFileName } from '../../lambdas/outbox/event-contracts';

/** Writes contracts/events/<type>.schema.json and contracts/asyncapi.yaml from the event catalog. */
export function writeEventContracts(contractsDir = join(__dirname, '..')): string[] {
  const written: string[] = [];
  for (const type of EVENT_TYPES) {
    const file = join(contractsDir, 'events', schemaFileName(type));
    writeFileSync(file, `${JSON.stringify(eventJsonSchema(type), null, 2)}\n`);
    written.push(file);
  }
  const asyncapi = join(contractsDir, 'asyncapi.yaml');
  writeFileSync(asyncapi, asyncApiYaml());
  written.push(asyncapi);
  return written;
}

if (require.main === module) {
  for (const file of writeEventContracts()) console.log(`wrote ${file}`);
}
