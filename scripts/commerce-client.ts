import { readFileSync, writeFileSync } from 'node:fs';
import { buildBrowserBundle, CLIENT_BUNDLE, KIOSK_SCRIPT } from './commerce-client/bundle';
import {
  CONTRACT_FILE,
  GENERATED_TYPES_FILE,
  generatedTypesPath,
  generateContractTypes,
  readGeneratedTypes,
} from './commerce-client/generate-types';

/**
 * npm run client:types            regenerate clients/commerce-client/generated/openapi.ts from the contract
 * npm run client:types -- --check exit 1 when the committed file is stale (regenerated in memory)
 *                                 (--contract <file> checks against another contract file)
 * npm run client:bundle           build the browser client and the kiosk script into clients/kiosk/dist/
 */
async function main(): Promise<void> {
  const [command, ...flags] = process.argv.slice(2);
  if (command === 'types') {
    const contractFlag = flags.indexOf('--contract');
    const contractPath = contractFlag >= 0 ? flags[contractFlag + 1] : undefined;
    const text = await generateContractTypes(contractPath ? readFileSync(contractPath, 'utf8') : undefined);
    if (flags.includes('--check')) {
      if (readGeneratedTypes() !== text) {
        console.error(
          `${GENERATED_TYPES_FILE} is stale against ${contractPath ?? CONTRACT_FILE}; run: npm run client:types`,
        );
        process.exit(1);
      }
      console.log(`${GENERATED_TYPES_FILE} is up to date`);
      return;
    }
    writeFileSync(generatedTypesPath, text);
    console.log(`wrote ${GENERATED_TYPES_FILE}`);
    return;
  }
  if (command === 'bundle') {
    await buildBrowserBundle({ write: true, minify: flags.includes('--minify') });
    console.log(`wrote ${CLIENT_BUNDLE} and ${KIOSK_SCRIPT}`);
    return;
  }
  console.error('usage: tsx scripts/commerce-client.ts types [--check] | bundle [--minify]');
  process.exit(2);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
