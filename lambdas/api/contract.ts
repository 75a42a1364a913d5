import { apiContracts } from './routes';
import { openApiDocument } from './openapi';

/** The committed contract (contracts/openapi.json): the document of every route's contract, as text. */
export const OPENAPI_FILE = 'contracts/openapi.json';

export function openApiText(): string {
  const document = openApiDocument(apiContracts(), { title: 'Sovereign commerce API', version: '1.0.0' });
  return `${JSON.stringify(document, null, 2)}\n`;
}
