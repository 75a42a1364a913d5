import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cellConfigSchema } from '../core/cell-config';
import { apiRoutes } from './app';
import { apiExtensionRoutes } from './extensions';
import { type ResolvedDependencies, resolveDependencies } from './dependencies';
import type { RouteSpec } from './http/route';
import { openApiDocument } from './openapi';
import { healthRouteDoc } from './routes/health';

/** The committed contract (contracts/openapi.json): the document of every described route, as text. */
export const OPENAPI_FILE = 'contracts/openapi.json';

/** Documentation never enqueues: a queue that says so if it is ever called. */
const DOCUMENTATION_ONLY_QUEUE = {
  enqueue: async () => {
    throw new Error('the OpenAPI generator does not deliver webhooks');
  },
};

/** `extraRoutes`: route descriptions mounted through `ApiDependencies.extensions` (default: apiExtensions). */
export function openApiText(
  extraRoutes: (deps: ResolvedDependencies) => readonly RouteSpec[] = (deps) =>
    apiExtensionRoutes(deps, { queue: DOCUMENTATION_ONLY_QUEUE }),
): string {
  const client = new DynamoDBClient({ region: 'us-east-1' });
  try {
    const deps = resolveDependencies({
      config: cellConfigSchema.parse({
        APP_NAME: 'commerce',
        CELL_ZONE: 'global',
        CELL_REGION: 'us-east-1',
        CELL_ROLE: 'primary',
        TABLE_NAME: 'openapi',
      }),
      documentClient: DynamoDBDocumentClient.from(client),
    });
    const document = openApiDocument([healthRouteDoc, ...apiRoutes(deps), ...extraRoutes(deps)], {
      title: 'Sovereign commerce API',
      version: '1.0.0',
    });
    return `${JSON.stringify(document, null, 2)}\n`;
  } finally {
    client.destroy();
  }
}
