import type { DeliveryQueue } from '../webhooks/queue';
import type { NetworkMode } from '../webhooks/ssrf';
import type { ResolvedDependencies } from './dependencies';
import type { RouteSpec } from './http/route';
import { eventRoutes, eventsExtension } from './routes/events';
import { webhookExtension, webhookRoutes } from './routes/webhooks';

/**
 * The route families mounted beside the core API (webhook operations, the
 * event pull/replay API): one list for the Lambda entry, the local topology
 * and the OpenAPI document, so none of them can miss a family.
 */
export interface ApiExtensionOptions {
  /** Where webhook resend/recover/redrive enqueue: SQS in the cloud, the in-process queue locally. */
  readonly queue: DeliveryQueue;
  /** @default 'cloud' (webhook URLs must be public https) */
  readonly mode?: NetworkMode;
}

export function apiExtensions(options: ApiExtensionOptions) {
  return [webhookExtension(options), eventsExtension()];
}

/** The same families as route descriptions, for the OpenAPI document. */
export function apiExtensionRoutes(deps: ResolvedDependencies, options: ApiExtensionOptions): RouteSpec[] {
  return [...webhookRoutes(deps, options), ...eventRoutes(deps)];
}
