import {
  GetHealthCheckStatusCommand,
  type HealthCheckObservation,
  type Route53Client,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import { type FaultDescription, ReversibleFault } from './types';

/**
 * Fails a cell over in Route 53 by inverting its health check: Route 53 then
 * treats the healthy endpoint as unhealthy and answers the failover name with
 * the secondary. Needs the Route 53 control plane (us-east-1); when that is
 * impaired use the drill-flag injector, which is data-plane only.
 */
export class Route53HealthCheckInjector extends ReversibleFault {
  constructor(
    private readonly client: Route53Client,
    private readonly healthCheckId: string,
  ) {
    super();
  }

  describe(): FaultDescription {
    return {
      mechanism: 'route53',
      fault: 'health check inverted (Inverted: true): the cell is reported unhealthy',
      target: `health check ${this.healthCheckId}`,
      simulated: false,
    };
  }

  protected async apply(): Promise<void> {
    await this.client.send(
      new UpdateHealthCheckCommand({ HealthCheckId: this.healthCheckId, Inverted: true }),
    );
  }

  protected async undo(): Promise<void> {
    await this.client.send(
      new UpdateHealthCheckCommand({ HealthCheckId: this.healthCheckId, Inverted: false }),
    );
  }

  /** What Route 53's checkers report now: how many regions see the endpoint as healthy. */
  async observe(): Promise<{ healthy: number; unhealthy: number; observations: HealthCheckObservation[] }> {
    const result = await this.client.send(
      new GetHealthCheckStatusCommand({ HealthCheckId: this.healthCheckId }),
    );
    const observations = result.HealthCheckObservations ?? [];
    // Status strings start with "Success" or "Failure" (e.g. "Failure: Inverted health check ...").
    const healthy = observations.filter((o) => o.StatusReport?.Status?.startsWith('Success')).length;
    return { healthy, unhealthy: observations.length - healthy, observations };
  }
}
