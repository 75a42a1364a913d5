import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import type { ArcClusterEndpoint } from '../../../lambdas/core/cell-config';

export const ENDPOINTS: ArcClusterEndpoint[] = [
  { endpoint: 'https://host-aaaa.us-west-2.example.aws', region: 'us-west-2' },
  { endpoint: 'https://host-bbbb.eu-west-1.example.aws', region: 'eu-west-1' },
  { endpoint: 'https://host-cccc.ap-northeast-1.example.aws', region: 'ap-northeast-1' },
];

export const PRIMARY_ARN =
  'arn:aws:route53-recovery-control::111111111111:controlpanel/abc/routingcontrol/primary';
export const SECONDARY_ARN =
  'arn:aws:route53-recovery-control::111111111111:controlpanel/abc/routingcontrol/secondary';

/**
 * Real clients (aws-sdk-client-mock intercepts every instance's send), one per endpoint,
 * remembered so a test can tell which endpoint each call went to.
 */
export function trackingClientFor() {
  const endpointOf = new Map<unknown, string>();
  const clientFor = (endpoint: ArcClusterEndpoint) => {
    const client = new Route53RecoveryClusterClient({ endpoint: endpoint.endpoint, region: endpoint.region });
    endpointOf.set(client, endpoint.endpoint);
    return client;
  };
  return { clientFor, endpointOf };
}
