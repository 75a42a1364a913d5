import { type App, type IPolicyValidationPlugin, type Stack, Validations } from 'aws-cdk-lib';
import { replicaKeyStackName } from '../constructs/resource-names';
import { apiFunctionName, CELL_ALARMS, cellAlarmName } from '../constructs/resource-names';
import {
  AccountBaselineStack,
  accountBaselineStackName,
  cellEnvironments,
} from '../stacks/account-baseline-stack';
import { DrillStack, drillStackName, fisDrillZones } from '../stacks/drill-stack';
import {
  FailoverControlStack,
  failoverControlStackName,
  fencedZones,
} from '../stacks/failover-control-stack';
import { EdgeStack, edgeStackName, edgeZones } from '../stacks/edge-stack';
import { GlobalRoutingStack, routingStackName } from '../stacks/global-routing-stack';
import { LoadGeneratorStack } from '../stacks/load-generator-stack';
import { RegionalCellStack } from '../stacks/regional-cell-stack';
import { ReplicaKeyStack } from '../stacks/replica-key-stack';
import { SovereignDnsStack, sovereignDnsStackName } from '../stacks/sovereign-dns-stack';
import { residencyValidationPlugin } from '../residency/guardrails';
import { type Partition, partitionOf, type TopologyModel } from '../topology';
import { loadGeneratorStackName } from '../../loadtests/engine/contract';
import { addNagPacks } from './nag';
import type { StackRole, StackRow } from './stack-table';

export interface BuildCommerceAppOptions {
  /** @default true: AwsSolutions and Serverless packs fail synth on any unacknowledged finding */
  readonly nag?: boolean;
  /** @default true: the residency rules of lib/residency fail synth on any violation */
  readonly residency?: boolean;
  /**
   * Further policy-validation plugins run at synth (e.g. the residency rules of lib/residency).
   * @default - none
   */
  readonly validationPlugins?: readonly IPolicyValidationPlugin[];
  /**
   * Regions to provision k6 load generators in (LoadGeneratorStack), e.g. from the `loadGenerators`
   * context value through loadGeneratorRegionsFromContext.
   * @default - none: load generators are opt-in
   */
  readonly loadGeneratorRegions?: readonly string[];
}

export interface CommerceApp {
  /** API Gateway's account settings per account and region of a cell (deployed before the cell). */
  readonly baselines: readonly AccountBaselineStack[];
  /** Route 53 ARC routing controls (us-west-2), when a zone is fenced. */
  readonly failoverControl?: FailoverControlStack;
  readonly cells: readonly RegionalCellStack[];
  readonly replicaKeys: readonly ReplicaKeyStack[];
  readonly sovereignDns: readonly SovereignDnsStack[];
  readonly routing: GlobalRoutingStack;
  readonly edge?: EdgeStack;
  /** FIS experiment templates per drillable zone (see fisDrillZones). */
  readonly drills: readonly DrillStack[];
  /** k6 load generators per opted-in region (empty unless loadGeneratorRegions is given). */
  readonly loadGenerators: readonly LoadGeneratorStack[];
  /** Every stack with its zone, role, region, partition and account (for the synth log). */
  readonly rows: readonly StackRow[];
}

/**
 * Builds every stack of the topology into `app`: the one composition used by
 * bin/app.ts, the tests and the synth bench.
 *
 * Deployment order per zone (stack dependencies, no cross-region references):
 * secondary's replica key -> primary cell (global table + replica) -> secondary
 * cell (reads its replica's stream). Sovereign zones: their DNS stack first
 * (same account and region as the primary cell, which validates its certificate in it).
 */
export function buildCommerceApp(
  app: App,
  model: TopologyModel,
  options: BuildCommerceAppOptions = {},
): CommerceApp {
  const rows: StackRow[] = [];
  const row = (stack: Stack, zone: string, role: StackRole, partition: Partition) =>
    rows.push({
      stackName: stack.stackName,
      zone,
      role,
      region: stack.region,
      partition,
      account: stack.account,
    });

  const cells: RegionalCellStack[] = [];
  const replicaKeys: ReplicaKeyStack[] = [];
  const sovereignDns: SovereignDnsStack[] = [];

  const baselines = new Map(
    cellEnvironments(model).map((environment) => {
      const stack = new AccountBaselineStack(app, accountBaselineStackName(model, environment.region), {
        model,
        environment,
      });
      row(stack, '*', 'account baseline', environment.partition);
      return [`${environment.account}/${environment.region}`, stack];
    }),
  );
  const baselineOf = (cell: RegionalCellStack) => baselines.get(`${cell.account}/${cell.region}`)!;

  const failoverControl =
    fencedZones(model).length > 0
      ? new FailoverControlStack(app, failoverControlStackName(model), { model })
      : undefined;
  if (failoverControl) row(failoverControl, '*', 'failover control', 'aws');

  for (const zone of model.zones) {
    const dns = zone.sovereign
      ? new SovereignDnsStack(app, sovereignDnsStackName(model, zone), { model, zone })
      : undefined;
    if (dns) {
      sovereignDns.push(dns);
      row(dns, zone.name, 'sovereign dns', zone.partition);
    }

    const keyStack = zone.secondary
      ? new ReplicaKeyStack(app, replicaKeyStackName(zone.secondary), { model, cell: zone.secondary })
      : undefined;
    if (keyStack) {
      replicaKeys.push(keyStack);
      row(keyStack, zone.name, 'replica key', zone.partition);
    }

    const primary = new RegionalCellStack(app, zone.primary.stackName, {
      model,
      cell: zone.primary,
      ...(dns ? { hostedZone: dns.hostedZone } : {}),
    });
    if (keyStack) primary.addStackDependency(keyStack, 'the global table encrypts its replica with this key');
    primary.addStackDependency(baselineOf(primary), "its stage logs through the account's API Gateway role");
    if (failoverControl && zone.fencing === 'arc') {
      primary.addStackDependency(failoverControl, 'its API reads its routing control from SSM parameters');
    }
    cells.push(primary);
    row(primary, zone.name, 'primary cell', zone.partition);

    if (zone.secondary && keyStack) {
      const secondary = new RegionalCellStack(app, zone.secondary.stackName, {
        model,
        cell: zone.secondary,
        // Same account and region: the access log group needs the key's ARN (CloudWatch Logs takes no alias).
        replicaKey: keyStack.key,
        // The sovereign hosted zone lives in the primary's region: referencing it would cross regions.
      });
      secondary.addStackDependency(
        baselineOf(secondary),
        "its stage logs through the account's API Gateway role",
      );
      if (failoverControl && zone.fencing === 'arc') {
        secondary.addStackDependency(
          failoverControl,
          'its API reads its routing control from SSM parameters',
        );
      }
      secondary.addStackDependency(primary, 'the replica (and its stream) is created by the primary cell');
      secondary.addStackDependency(
        keyStack,
        'its queues, bus and replica are encrypted with this key (by alias)',
      );
      cells.push(secondary);
      row(secondary, zone.name, 'secondary cell', zone.partition);
    }
  }

  const edge =
    model.config.edge.enabled && edgeZones(model).length > 0
      ? new EdgeStack(app, edgeStackName(model), { model })
      : undefined;
  if (edge) {
    for (const zone of edgeZones(model)) {
      const primary = cells.find((cell) => cell.cell === zone.primary)!;
      edge.addStackDependency(
        primary,
        "its distribution logs into the zone's CDN log bucket in the primary cell",
      );
    }
    row(edge, '*', 'edge', 'aws');
  }

  // Steering references the distributions only once the hosted zone exists (see addCdnSteering).
  const cloudFrontDomains =
    edge && 'id' in model.config.hostedZone
      ? new Map([...edge.distributions].map(([zone, cdn]) => [zone, cdn.distribution.distributionDomainName]))
      : undefined;
  const routing = new GlobalRoutingStack(app, routingStackName(model), {
    model,
    ...(cloudFrontDomains ? { cloudFrontDomains } : {}),
  });
  if (failoverControl) {
    routing.addStackDependency(
      failoverControl,
      'its RECOVERY_CONTROL health checks read the routing control ARNs',
    );
  }
  row(routing, '*', 'routing', 'aws');

  const drills = fisDrillZones(model).map((zone) => {
    const primary = cells.find((cell) => cell.cell === zone.primary)!;
    const drill = new DrillStack(app, drillStackName(model, zone.name), {
      model,
      zone: zone.name,
      apiFunctionName: apiFunctionName(zone.primary),
      // Stop when the fault spreads beyond the API it targets: the relay falls behind or deliveries dead-letter.
      stopConditionAlarmNames: [
        cellAlarmName(zone.primary, CELL_ALARMS.streamIteratorAge),
        cellAlarmName(zone.primary, CELL_ALARMS.deadLetterDepth, 0),
        cellAlarmName(zone.primary, CELL_ALARMS.deadLetterDepth, 1),
      ],
    });
    drill.addStackDependency(
      primary,
      'the experiments target the primary API function and its alarms by name',
    );
    row(drill, zone.name, 'drill', zone.partition);
    return drill;
  });

  const loadGenerators = (options.loadGeneratorRegions ?? []).map((region) => {
    const stack = new LoadGeneratorStack(app, loadGeneratorStackName(model.appName, region), {
      model,
      region,
    });
    row(stack, '*', 'load generator', partitionOf(region));
    return stack;
  });

  if (options.nag ?? true) addNagPacks(app);
  const plugins = [
    ...((options.residency ?? true) ? [residencyValidationPlugin(model)] : []),
    ...(options.validationPlugins ?? []),
  ];
  if (plugins.length > 0) Validations.of(app).addPlugins(...plugins);

  return {
    baselines: [...baselines.values()],
    ...(failoverControl ? { failoverControl } : {}),
    cells,
    replicaKeys,
    sovereignDns,
    routing,
    ...(edge ? { edge } : {}),
    drills,
    loadGenerators,
    rows,
  };
}
