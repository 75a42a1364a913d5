import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Hono } from 'hono';
import type { CellConfig } from '../core/cell-config';
import { healthRoutes } from './routes/health';

/**
 * Everything the API needs from outside, injected so that Lambda (production
 * defaults, see lambda.ts), the local topology and the tests can each supply
 * their own clients.
 */
export interface ApiDependencies {
  readonly config: CellConfig;
  readonly documentClient: DynamoDBDocumentClient;
  /** Injectable clock (ms since epoch). */
  readonly now?: () => number;
}

export function createApp(deps: ApiDependencies): Hono {
  const app = new Hono();
  app.route('/v1', healthRoutes(deps));
  return app;
}
