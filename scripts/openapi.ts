import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OPENAPI_FILE, openApiText } from '../lambdas/api/contract';

/** Writes contracts/openapi.json from the route schemas; `--check` fails (exit 1) when the file is stale. */
const target = resolve(__dirname, '..', OPENAPI_FILE);
const text = openApiText();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error(`${OPENAPI_FILE} is stale; run: npx tsx scripts/openapi.ts`);
    process.exit(1);
  }
  console.log(`${OPENAPI_FILE} is up to date`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${OPENAPI_FILE}`);
}
