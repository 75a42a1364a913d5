import { GetHealthCheckStatusCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { type AlarmEvent, type PromotionResult, promote } from '../lambdas/failover/promoter';
import { updateRoutingControlStates } from '../lambdas/failover/routing-controls';
import type { TopologyModel, Zone } from '../lib/topology';
import type { ProgressLog } from './lifecycle';
import { LOCAL_ARC_ENDPOINTS, LocalRoutingControls, routingControlArnOf } from './routing-controls';

/**
 * Writer fencing in the local topology (option `writerFence`), as a fenced zone runs in AWS:
 * - each fenced cell runs the production ArcWriterFence against the SIMULATED ARC cluster
 *   (local/routing-controls.ts) and refuses writes with 503 `not_writer` while its control is OFF;
 * - the edge answers a cell only while its health check passes AND its control is ON (the CALCULATED
 *   check of lib/constructs/zone-failover-records.ts);
 * - the zone's production promoter (lambdas/failover/promoter.ts) runs when the primary's SIMULATED
 *   health check turns unhealthy, standing in for the CloudWatch alarm on it (no alarm period here:
 *   it runs at once), and asks the SIMULATED Route 53 whether the secondary is healthy;
 * - failback is a step (`failBack`, runbooks/writer-fencing.md step 2), never a health check's doing: the
 *   old primary, back and healthy, stays fenced until it has caught up and is promoted back.
 */

/** Route 53 health checkers reporting on an endpoint; the SIMULATED ones all agree with the local checker. */
const SIMULATED_CHECKERS = 16;

/** The id of a cell's SIMULATED Route 53 health check (what the promoter's config names). */
export const localHealthCheckId = (zone: string, region: string) => `local-${zone}-${region}`;

/** A fencing step refused (not fenced, not healthy, not caught up): the control API answers 409. */
export class FencingStepRefused extends Error {
  override name = 'FencingStepRefused';
}

export interface WriterFencingDeps {
  readonly model: TopologyModel;
  /** What the edge's health checker believes about a cell now. */
  readonly isHealthy: (zone: string, region: string) => boolean;
  /**
   * Why the zone's primary has not caught up with the secondary's writes yet (replication paused, cut,
   * or writes pending toward it), or undefined once it has.
   */
  readonly notCaughtUp: (zone: string) => Promise<string | undefined>;
  readonly step: ProgressLog;
}

export class LocalWriterFencing {
  readonly controls: LocalRoutingControls;
  /** What the promoter decided on each alarm, oldest first. */
  readonly promotions: PromotionResult[] = [];

  constructor(private readonly deps: WriterFencingDeps) {
    this.controls = new LocalRoutingControls(deps.model);
  }

  /** The zone's automatic promotion, run when its primary's health check changes (the alarm's state). */
  async onHealthChange(zone: string, region: string, healthy: boolean): Promise<void> {
    const fenced = this.controls.fenced.find((z) => z.name === zone);
    if (!fenced?.secondary || fenced.primary.region !== region) return;
    if (this.deps.model.config.failover.promotion !== 'automatic') return;
    const result = await promote(
      alarmEvent(zone, region, healthy ? 'OK' : 'ALARM'),
      this.promoterConfig(fenced),
      {
        clusterClientFor: this.controls.clientFor('promoter'),
        route53: this.simulatedRoute53(),
      },
    ).catch((error: Error) => ({ action: 'held' as const, zone, reason: error.message }));
    this.promotions.push(result);
    if (result.action !== 'ignored')
      this.deps.step(
        result.action === 'promoted'
          ? `promoter: ${zone} promoted (${fenced.secondary.region} routing control ON, ${region} OFF)`
          : `promoter: ${zone} promotion held: ${result.reason}`,
      );
  }

  /** Runbook writer-fencing step 1 by hand: the secondary ON and the primary OFF, in one change. */
  async promote(zone: string): Promise<void> {
    const fenced = this.fencedZone(zone);
    if (!this.deps.isHealthy(zone, fenced.secondary!.region))
      throw new FencingStepRefused(
        `the secondary ${zone}/${fenced.secondary!.region} is not healthy: nothing to promote onto`,
      );
    await this.switchTo(fenced, fenced.secondary!.region, 'operator');
  }

  /** Runbook writer-fencing step 2: once the old primary is healthy and caught up, it writes again. */
  async failBack(zone: string): Promise<void> {
    const fenced = this.fencedZone(zone);
    if (!this.deps.isHealthy(zone, fenced.primary.region))
      throw new FencingStepRefused(
        `the primary ${zone}/${fenced.primary.region} is not healthy yet; fail back once its health check passes`,
      );
    const why = await this.deps.notCaughtUp(zone);
    if (why)
      throw new FencingStepRefused(
        `the primary ${zone}/${fenced.primary.region} has not caught up: ${why}; retry once replication has delivered them`,
      );
    await this.switchTo(fenced, fenced.primary.region, 'operator');
  }

  private async switchTo(zone: Zone, writer: string, by: string): Promise<void> {
    const other = zone.cells.find((c) => c.region !== writer)!;
    const target = zone.cells.find((c) => c.region === writer)!;
    await updateRoutingControlStates(
      LOCAL_ARC_ENDPOINTS,
      [
        { routingControlArn: routingControlArnOf(target), state: 'On' },
        { routingControlArn: routingControlArnOf(other), state: 'Off' },
      ],
      this.controls.clientFor(by),
    );
    this.deps.step(`${by}: ${zone.name} writer is now ${writer} (routing control ON; ${other.region} OFF)`);
  }

  private fencedZone(zone: string): Zone {
    const fenced = this.controls.fenced.find((z) => z.name === zone);
    if (!fenced)
      throw new FencingStepRefused(
        `zone ${zone} is not fenced (fenced zones: ${this.controls.fenced.map((z) => z.name).join(', ') || 'none'}); its cells always write`,
      );
    return fenced;
  }

  private promoterConfig(zone: Zone) {
    return {
      ZONE: zone.name,
      PRIMARY_ROUTING_CONTROL_ARN: routingControlArnOf(zone.primary),
      SECONDARY_ROUTING_CONTROL_ARN: routingControlArnOf(zone.secondary!),
      SECONDARY_HEALTH_CHECK_ID: localHealthCheckId(zone.name, zone.secondary!.region),
      ARC_CLUSTER_ENDPOINTS: [...LOCAL_ARC_ENDPOINTS],
    };
  }

  /** SIMULATED Route 53 GetHealthCheckStatus: every checker reports what the local health checker believes. */
  private simulatedRoute53(): Pick<Route53Client, 'send'> {
    const send = async (command: unknown) => {
      if (!(command instanceof GetHealthCheckStatusCommand))
        throw new Error(`the SIMULATED Route 53 does not answer ${(command as object).constructor.name}`);
      const id = command.input.HealthCheckId ?? '';
      const cell = this.deps.model.cells.find((c) => localHealthCheckId(c.zone, c.region) === id);
      const healthy = cell !== undefined && this.deps.isHealthy(cell.zone, cell.region);
      return {
        HealthCheckObservations: Array.from({ length: SIMULATED_CHECKERS }, () => ({
          StatusReport: {
            Status: healthy ? 'Success: HTTP Status Code 200, OK' : 'Failure: HTTP Status Code 503',
          },
        })),
        $metadata: {},
      };
    };
    // The SDK's `send` is overloaded per command type; this stand-in answers the one the promoter sends.
    return { send } as unknown as Pick<Route53Client, 'send'>;
  }
}

/** The event CloudWatch would send the promoter when the primary's health alarm changes state. */
function alarmEvent(zone: string, region: string, state: 'OK' | 'ALARM'): AlarmEvent {
  const alarmName = `local-${zone}-${region}-health`;
  return {
    source: 'aws.cloudwatch',
    alarmArn: `arn:aws:cloudwatch:${region}:000000000000:alarm:${alarmName}`,
    alarmData: {
      alarmName,
      state: { value: state, reason: 'SIMULATED: the local health check changed state' },
    },
  };
}
