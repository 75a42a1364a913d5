import { Logger } from '@aws-lambda-powertools/logger';
import type { JSONWebKeySet } from 'jose';
import { ArcWriterFence, type ArcWriterFenceOptions } from '../adapters/arc-writer-fence';
import { UnconfiguredPaymentProvider } from '../adapters/unconfigured-payment-provider';
import type { DynamoDBDocumentClient, TableContext } from '../adapters/table';
import type { CellConfig } from '../core/cell-config';
import { CircuitBreaker } from '../core/circuit-breaker';
import { type ZoneResolver, zoneResolver } from '../core/geography';
import { ProblemError } from '../core/errors';
import type { PaymentProvider } from '../core/payment';
import { ALWAYS_WRITER, type WriterFence } from '../core/writer-fence';
import type { DeliveryQueue } from '../webhooks/queue';
import type { NetworkMode, Resolver } from '../webhooks/ssrf';
import { type ApiMetrics, defaultMetrics, powertoolsApiMetrics } from './http/metrics';
import {
  type AccessTokenVerifier,
  denyAllVerifier,
  localJwksVerifier,
  remoteJwksVerifier,
} from './http/auth';

/** Steps of the checkout saga a test can interrupt (see `ApiDependencies.checkoutHook`). */
export type CheckoutStep = 'started' | 'reserved' | 'authorized' | 'placed';

/**
 * Everything the API needs from outside, injected so that Lambda (production
 * defaults, see lambda.ts), the local topology and the tests can each supply
 * their own clients. Only `config` and `documentClient` are required.
 */
export interface ApiDependencies {
  readonly config: CellConfig;
  readonly documentClient: DynamoDBDocumentClient;
  /** Injectable clock (ms since epoch). @default Date.now */
  readonly now?: () => number;
  /** Structured JSON logger. @default a Powertools Logger (service `commerce-api`) */
  readonly logger?: Logger;
  /** Request metrics. @default Powertools Metrics (EMF to stdout), namespace SovereignCommerce */
  readonly metrics?: ApiMetrics;
  /** Bearer-token verifier. @default from AUTH_JWKS_URL / AUTH_JWKS_JSON, else deny-all */
  readonly authVerifier?: AccessTokenVerifier;
  /** Customer country -> home zone. @default from ZONE_GEOGRAPHIES, else the cell's own zone */
  readonly zoneForCountry?: ZoneResolver;
  /**
   * @default an UnconfiguredPaymentProvider: checkout answers 503 until a real provider is injected
   *   (the local topology and tests inject the SIMULATED LocalPaymentProvider)
   */
  readonly paymentProvider?: PaymentProvider;
  /** Timeout of one payment-provider call. @default 3000 */
  readonly paymentTimeoutMs?: number;
  /** Circuit breaker around the payment provider. @default 5 failures -> open 30 s */
  readonly paymentCircuit?: CircuitBreaker;
  /** Test hook run after each checkout step; a never-settling promise simulates the process dying there. */
  readonly checkoutHook?: (step: CheckoutStep) => Promise<void>;
  /**
   * Where the webhook operator routes (resend, recover, DLQ redrive) enqueue deliveries: SQS in the cloud,
   * the in-process queue locally. @default a queue that refuses, so those routes answer 500
   */
  readonly webhookQueue?: DeliveryQueue;
  /** Which webhook URLs are allowed. @default 'cloud' (public https only) */
  readonly networkMode?: NetworkMode;
  /** Host name resolution for the webhook URL checks. @default the system resolver */
  readonly resolveHost?: Resolver;
  /** Age below which `GET /v1/events` does not return an event yet (see routes/events.ts). @default 5000 */
  readonly eventSettleMs?: number;
  /**
   * Whether this cell is its zone's writer now (core/writer-fence.ts).
   * @default from WRITER_FENCE: an ArcWriterFence on this cell's routing control, else always the writer
   */
  readonly writerFence?: WriterFence;
}

export interface ResolvedDependencies
  extends Required<Omit<ApiDependencies, 'checkoutHook' | 'resolveHost'>> {
  readonly checkoutHook?: ApiDependencies['checkoutHook'];
  readonly resolveHost?: Resolver;
  readonly table: TableContext;
}

/** Events younger than this are not listed yet (ids minted by several instances settle in the index). */
export const DEFAULT_EVENT_SETTLE_MS = 5000;

/** Used when no delivery queue was injected: operator routes that enqueue answer 503. */
const UNCONFIGURED_QUEUE: DeliveryQueue = {
  enqueue: async () => {
    throw new ProblemError('internal_error', 'this cell has no webhook delivery queue configured');
  },
};

/** `clientFor` reaches the ARC cluster's endpoints; the local topology passes its SIMULATED cluster. */
export function writerFenceFromConfig(
  config: CellConfig,
  clientFor?: ArcWriterFenceOptions['clientFor'],
): WriterFence {
  if (config.WRITER_FENCE === 'none') return ALWAYS_WRITER;
  if (!config.ROUTING_CONTROL_ARN || !config.ARC_CLUSTER_ENDPOINTS)
    throw new Error(
      'WRITER_FENCE is arc but ROUTING_CONTROL_ARN or ARC_CLUSTER_ENDPOINTS is not set; the cell stack sets both',
    );
  return new ArcWriterFence({
    routingControlArn: config.ROUTING_CONTROL_ARN,
    clusterEndpoints: config.ARC_CLUSTER_ENDPOINTS,
    ...(clientFor ? { clientFor } : {}),
  });
}

export function verifierFromConfig(config: CellConfig, now?: () => number): AccessTokenVerifier {
  const options = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, ...(now ? { now } : {}) };
  if (config.AUTH_JWKS_URL) return remoteJwksVerifier(config.AUTH_JWKS_URL, options);
  if (config.AUTH_JWKS_JSON)
    return localJwksVerifier(JSON.parse(config.AUTH_JWKS_JSON) as JSONWebKeySet, options);
  return denyAllVerifier;
}

/** The structured JSON logger a deployed cell uses (one line per request at INFO). */
export function defaultLogger(config: CellConfig): Logger {
  return new Logger({
    serviceName: 'commerce-api',
    persistentKeys: { zone: config.CELL_ZONE, region: config.CELL_REGION, version: config.APP_VERSION },
  });
}

/** The cell's table as the repositories see it. */
export function tableContextOf(
  config: CellConfig,
  documentClient: DynamoDBDocumentClient,
  now: () => number = Date.now,
): TableContext {
  return {
    documentClient,
    tableName: config.TABLE_NAME,
    zone: config.CELL_ZONE,
    region: config.CELL_REGION,
    now,
  };
}

export function resolveDependencies(deps: ApiDependencies): ResolvedDependencies {
  const now = deps.now ?? Date.now;
  const { config } = deps;
  return {
    ...deps,
    now,
    logger: deps.logger ?? defaultLogger(config),
    authVerifier: deps.authVerifier ?? verifierFromConfig(config, deps.now),
    metrics: deps.metrics ?? powertoolsApiMetrics(defaultMetrics(config.CELL_ZONE, config.CELL_REGION)),
    zoneForCountry: deps.zoneForCountry ?? zoneResolver(config.ZONE_GEOGRAPHIES, config.CELL_ZONE),
    paymentProvider: deps.paymentProvider ?? new UnconfiguredPaymentProvider(),
    paymentTimeoutMs: deps.paymentTimeoutMs ?? 3000,
    paymentCircuit: deps.paymentCircuit ?? new CircuitBreaker({ failureThreshold: 5, openMs: 30_000, now }),
    webhookQueue: deps.webhookQueue ?? UNCONFIGURED_QUEUE,
    networkMode: deps.networkMode ?? 'cloud',
    eventSettleMs: deps.eventSettleMs ?? DEFAULT_EVENT_SETTLE_MS,
    writerFence: deps.writerFence ?? writerFenceFromConfig(config),
    table: tableContextOf(config, deps.documentClient, now),
  };
}
