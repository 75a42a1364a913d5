import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
} from '@aws-sdk/client-route53-recovery-cluster';
import type { WriterFence, WriterState } from '../core/writer-fence';

/**
 * The writer fence in AWS: this cell is its zone's writer while its Route 53 Application Recovery
 * Controller routing control is On. Promotion (automatic on the primary's health-check alarm, or by an
 * operator) and failback switch the zone's routing controls; DNS failover follows the same controls.
 *
 * ARC's data plane is a cluster of endpoints in five regions; any one answers. The state is read from
 * them in turn and kept for `cacheMs` (a writer is not asked on every request). When no endpoint
 * answers, the last known state holds for `failStaticMs` (ARC's guidance: do not let a data-plane blip
 * stop a healthy writer), then the cell stops writing (fail closed: a cell that cannot tell whether it is
 * still the writer must not risk a second writer).
 */
export interface ArcWriterFenceOptions {
  readonly routingControlArn: string;
  readonly clusterEndpoints: readonly { readonly endpoint: string; readonly region: string }[];
  /** @default 1000 */
  readonly cacheMs?: number;
  /** @default 60000 */
  readonly failStaticMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** One client per endpoint. @default a Route53RecoveryClusterClient for the endpoint and its region */
  readonly clientFor?: (endpoint: {
    endpoint: string;
    region: string;
  }) => Pick<Route53RecoveryClusterClient, 'send'>;
}

export class ArcWriterFence implements WriterFence {
  private readonly clients: Pick<Route53RecoveryClusterClient, 'send'>[];
  private known: { state: WriterState; at: number } | undefined;
  private next = 0;

  constructor(private readonly options: ArcWriterFenceOptions) {
    if (options.clusterEndpoints.length === 0)
      throw new Error(
        'ArcWriterFence: clusterEndpoints is empty; set ARC_CLUSTER_ENDPOINTS (the cell stack does)',
      );
    const clientFor =
      options.clientFor ??
      ((e) => new Route53RecoveryClusterClient({ endpoint: e.endpoint, region: e.region, maxAttempts: 1 }));
    this.clients = options.clusterEndpoints.map(clientFor);
  }

  async state(): Promise<WriterState> {
    const now = (this.options.now ?? Date.now)();
    if (this.known && now - this.known.at < (this.options.cacheMs ?? 1000)) return this.known.state;
    for (let tried = 0; tried < this.clients.length; tried += 1) {
      const client = this.clients[(this.next + tried) % this.clients.length]!;
      try {
        const { RoutingControlState } = await client.send(
          new GetRoutingControlStateCommand({ RoutingControlArn: this.options.routingControlArn }),
        );
        this.next = (this.next + tried) % this.clients.length;
        const state: WriterState =
          RoutingControlState === 'On'
            ? { writer: true }
            : {
                writer: false,
                reason: "this cell's routing control is Off (another cell is the zone's writer)",
              };
        this.known = { state, at: now };
        return state;
      } catch {
        // Try the next cluster endpoint.
      }
    }
    if (this.known && now - this.known.at < (this.options.failStaticMs ?? 60_000)) return this.known.state;
    return { writer: false, reason: 'no ARC cluster endpoint answered; not writing until one does' };
  }
}
