import { Annotations, Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { cellEnvironment, definedEnvironment } from '../constructs/cell-environment';
import { AliasedDataKey, CellDataKey } from '../constructs/cell-data-key';
import { CellMonitoring } from '../constructs/cell-monitoring';
import { type CommerceApiThrottling, CommerceApi } from '../constructs/commerce-api';
import { CommerceData } from '../constructs/commerce-data';
import {
  acknowledge,
  acknowledgeKeyGrant,
  acknowledgeTableIndexGrant,
} from '../constructs/nag-acknowledgements';
import { denyAuditLogTampering } from '../constructs/audit-log-guard';
import { OutboxRelay } from '../constructs/outbox-relay';
import {
  apiFunctionName,
  dataKeyAliasArn,
  eventBusName,
  webhookQueueName,
} from '../constructs/resource-names';
import { fisDrillZones, fisLambdaExtension } from './drill-stack';
import { WebhookDispatcher } from '../constructs/webhook-dispatcher';
import { TAG_KEYS } from '../tagging';
import { type Cell, type TopologyModel, zoneByName } from '../topology';
import { tagZone } from './zone-tags';
import { SCHEDULED_TASKS, SWEEP_INTERVAL_MINUTES } from '../../lambdas/api/scheduled-tasks';

export interface RegionalCellStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  readonly model: TopologyModel;
  readonly cell: Cell;
  /**
   * Hosted zone for certificate validation and the cell's alias record, in this
   * cell's partition. Sovereign cells pass their SovereignDnsStack zone (same
   * account and region); other cells import `hostedZone.id` from the topology.
   * @default - the topology's hosted zone when imported by id, else none
   */
  readonly hostedZone?: route53.IHostedZone;
  /** @default CommerceApi defaults */
  readonly apiThrottling?: CommerceApiThrottling;
}
/**
 * One cell: a zone's full stack in one region (data, API, outbox relay,
 * webhook dispatcher, event bus, alarms). Built only from the topology model;
 * the names it shares with other stacks are deterministic functions of it.
 */
export class RegionalCellStack extends Stack {
  readonly cell: Cell;
  readonly data: CommerceData;
  readonly api: CommerceApi;
  readonly relay: OutboxRelay;
  readonly webhooks: WebhookDispatcher;
  readonly eventBus: events.EventBus;
  readonly monitoring: CellMonitoring;
  readonly dataKey: kms.IKey;

  constructor(scope: Construct, id: string, props: RegionalCellStackProps) {
    const { model, cell, hostedZone: zoneOverride, apiThrottling, ...stackProps } = props;
    const problems: string[] = [];
    const owner = model.zones.find((z) => z.name === cell.zone);
    if (!owner?.cells.some((c) => c.stackName === cell.stackName)) {
      problems.push(`cell: ${cell.stackName} is not a cell of the model; pass one of model.cells`);
    }
    if (zoneOverride && !owner?.sovereign) {
      problems.push(
        `hostedZone: only sovereign cells take a hosted zone (their partition's); ${cell.stackName} uses the topology's hostedZone.id`,
      );
    }
    if (problems.length > 0) throw new Error(`RegionalCellStack ${id}: ${problems.join('; ')}`);

    super(scope, id, {
      ...stackProps,
      stackName: cell.stackName,
      env: { account: cell.account, region: cell.region },
      description: `${model.appName}: ${cell.role} cell of zone ${cell.zone} in ${cell.region}`,
    });
    this.cell = cell;
    const zone = zoneByName(model, cell.zone);
    tagZone(this, model, zone);
    if (!model.auth) {
      Annotations.of(this).addWarningV2(
        'commerce:auth-not-configured',
        'The topology has no `auth` (issuer, audience, jwksUrl): every protected API route answers 401 until you add your identity provider.',
      );
    }

    // A primary owns its key; a secondary uses the replica key of its region's
    // ReplicaKeyStack by alias (deployed before the primary, which needs it for the replica).
    const aliasedKey =
      cell.role === 'secondary'
        ? new AliasedDataKey(this, 'DataKey', { appName: model.appName, zone: zone.name })
        : undefined;
    this.dataKey =
      aliasedKey?.key ?? new CellDataKey(this, 'DataKey', { appName: model.appName, zone: zone.name }).key;

    const peer = cell.role === 'primary' ? zone.secondary : undefined;
    this.data = new CommerceData(this, 'Data', {
      appName: model.appName,
      cell,
      key: this.dataKey,
      ...(peer
        ? {
            replicaKeyArns: {
              [peer.region]: dataKeyAliasArn(
                peer.partition,
                peer.region,
                peer.account,
                model.appName,
                zone.name,
              ),
            },
          }
        : {}),
    });

    this.eventBus = new events.EventBus(this, 'EventBus', {
      eventBusName: eventBusName(model.appName, zone.name),
      description: `Domain events of zone ${zone.name} produced in ${cell.region}`,
      kmsKey: this.dataKey,
    });
    Tags.of(this.eventBus).add(TAG_KEYS.dataClassification, 'personal');

    const baseEnvironment = cellEnvironment(model, cell, this.data.tableName, {
      EVENT_BUS_NAME: this.eventBus.eventBusName,
    });

    this.webhooks = new WebhookDispatcher(this, 'Webhooks', {
      queueName: webhookQueueName(model.appName, zone.name),
      key: this.dataKey,
      environment: definedEnvironment(baseEnvironment),
    });
    this.data.table.grantReadWriteData(this.webhooks.handler.function);

    const environment = definedEnvironment({
      ...baseEnvironment,
      WEBHOOK_QUEUE_URL: this.webhooks.queue.queueUrl,
    });
    this.relay = new OutboxRelay(this, 'OutboxRelay', {
      table: this.data.table,
      eventBus: this.eventBus,
      webhookQueue: this.webhooks.queue,
      key: this.dataKey,
      environment,
    });
    // The relay fans events out to webhook endpoints registered in the table and records deliveries there.
    this.data.table.grantReadWriteData(this.relay.handler.function);

    const hostedZone = zoneOverride ?? importedHostedZone(this, model, zone.sovereign);
    this.api = new CommerceApi(this, 'Api', {
      domainNames: [cell.apiDomainName, zone.apiDomainName, model.apiDomainName],
      environment,
      functionName: apiFunctionName(cell),
      ...(hostedZone ? { hostedZone } : {}),
      ...(apiThrottling ? { throttling: apiThrottling } : {}),
    });
    this.data.table.grantReadWriteData(this.api.handler.function);
    this.eventBus.grantPutEventsTo(this.api.handler.function);
    this.webhooks.queue.grantSendMessages(this.api.handler.function);

    // Every cell sweeps the checkouts its region started and nobody finished (lambdas/api/services/abandoned-checkouts.ts).
    const sweep = new events.Rule(this, 'AbandonedCheckoutSweep', {
      description: `${cell.stackName}: compensate checkouts abandoned mid-saga (stock back, audited)`,
      schedule: events.Schedule.rate(Duration.minutes(SWEEP_INTERVAL_MINUTES)),
      targets: [
        new eventTargets.LambdaFunction(this.api.handler.function, {
          event: events.RuleTargetInput.fromObject({ commerceTask: SCHEDULED_TASKS.sweepAbandonedCheckouts }),
          retryAttempts: 0,
        }),
      ],
    });
    acknowledge(sweep, {
      id: 'Serverless-EventBusDLQ',
      reason:
        'A failed sweep tick carries no data: the next tick minutes later sweeps the same checkouts, so a dead-letter queue would only collect stale ticks',
    });

    if (cell.role === 'primary' && fisDrillZones(model).includes(zone)) {
      // The FIS Lambda extension lets the DrillStack's invocation-error experiment reach this function.
      const fisExtension = fisLambdaExtension(this, model, zone);
      const apiFunction = this.api.handler.function;
      apiFunction.addLayers(
        lambda.LayerVersion.fromLayerVersionArn(this, 'FisExtension', fisExtension.layerArn),
      );
      for (const [name, value] of Object.entries(fisExtension.environment))
        apiFunction.addEnvironment(name, value);
      for (const statement of fisExtension.readStatements) apiFunction.addToRolePolicy(statement);
      acknowledge(this.api.handler.role, {
        id: `AwsSolutions-IAM5[Resource::${fisExtension.configObjectsArn}]`,
        reason:
          'The FIS Lambda extension reads whichever fault configuration FIS writes under its prefix; the prefix is the narrowest scope FIS supports',
      });
    }

    this.monitoring = new CellMonitoring(this, 'Monitoring', {
      dashboardName: cell.stackName,
      alarmNamePrefix: cell.stackName,
      api: this.api.api,
      streamConsumer: this.relay.handler.function,
      deadLetterQueues: [this.webhooks.deadLetterQueue, this.relay.failureQueue],
      ...(peer ? { replication: { tableName: this.data.tableName, receivingRegion: peer.region } } : {}),
    });

    for (const fn of [this.api.handler, this.relay.handler, this.webhooks.handler]) {
      // CDK's own grants are no-ops on an aliased key: grant by alias instead.
      aliasedKey?.grant(fn.role);
      acknowledgeKeyGrant(fn.role);
    }
    for (const fn of [this.api.handler, this.relay.handler, this.webhooks.handler]) {
      acknowledgeTableIndexGrant(fn.role, this.data.table.tableArn);
      denyAuditLogTampering(fn.role, this.data.table.tableArn);
    }
  }
}

/** The topology's hosted zone, imported by id without a lookup; sovereign cells never use it (other partition). */
function importedHostedZone(
  scope: Construct,
  model: TopologyModel,
  sovereign: boolean,
): route53.IHostedZone | undefined {
  const config = model.config.hostedZone;
  if (sovereign || !('id' in config)) return undefined;
  return route53.HostedZone.fromHostedZoneAttributes(scope, 'HostedZone', {
    hostedZoneId: config.id,
    zoneName: model.domain,
  });
}
