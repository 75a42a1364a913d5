import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

/** The contract the client is generated from, and the generated file (committed). */
export const CONTRACT_FILE = 'contracts/openapi.json';
export const GENERATED_TYPES_FILE = 'clients/commerce-client/generated/openapi.ts';

const ROOT = resolve(__dirname, '..', '..');

/** The TypeScript types of `contracts/openapi.json`, as openapi-typescript writes them. */
export async function generateContractTypes(
  contractText = readFileSync(resolve(ROOT, CONTRACT_FILE), 'utf8'),
) {
  const nodes = await openapiTS(JSON.parse(contractText), { silent: true });
  return `${COMMENT_HEADER}// Source: ${CONTRACT_FILE}. Regenerate with: npm run client:types\n\n${astToString(nodes)}`;
}

export function readGeneratedTypes(): string {
  return readFileSync(resolve(ROOT, GENERATED_TYPES_FILE), 'utf8');
}

export const generatedTypesPath = resolve(ROOT, GENERATED_TYPES_FILE);
