import { Annotations, CfnOutput, Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import {
  RECONCILE_INTERVAL_MINUTES,
  SCHEDULED_TASKS,
  SWEEP_INTERVAL_MINUTES,
} from '../../lambdas/api/scheduled-tasks';
import { AlarmTopic } from '../constructs/alarm-topic';
import { denyAuditLogTampering } from '../constructs/audit-log-guard';
import { CdnLogBucket, cdnLogBucketName } from '../constructs/cdn-log-bucket';
import { CellBackup } from '../constructs/cell-backup';
import { AliasedDataKey, CellDataKey } from '../constructs/cell-data-key';
import {
  type CellEnvironmentName,
  cellEnvironment,
  definedEnvironment,
} from '../constructs/cell-environment';
import { CellMonitoring } from '../constructs/cell-monitoring';
import { CommerceApi, type CommerceApiThrottling } from '../constructs/commerce-api';
import { CommerceData } from '../constructs/commerce-data';
import {
  grantDataKeyUse,
  grantPutEvents,
  grantSend,
  grantTableActions,
  TABLE_ACTIONS,
} from '../constructs/least-privilege';
import {
  acknowledge,
  acknowledgeKeyGrant,
  acknowledgeTableIndexGrant,
} from '../constructs/nag-acknowledgements';
import { OutboxRelay } from '../constructs/outbox-relay';
import {
  apiFunctionName,
  clusterEndpointsParameterName,
  dataKeyAliasArn,
  eventBusName,
  routingControlParameterName,
  webhookQueueName,
} from '../constructs/resource-names';
import { RELAY_FOREIGN_EVENTS, ScheduledTask } from '../constructs/scheduled-tasks';
import { WebAcl } from '../constructs/web-acl';
import { WebhookDispatcher } from '../constructs/webhook-dispatcher';
import { TAG_KEYS } from '../tagging';
import {
  type Cell,
  entryPointZones,
  PARTITION_CAPABILITIES,
  type TopologyModel,
  type Zone,
  zoneByName,
} from '../topology';
import { fisDrillZones, fisLambdaExtension } from './drill-stack';
import { edgeZones } from './edge-stack';
import { tagZone } from './zone-tags';

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
  /**
   * Secondary cells only: the replica key of their ReplicaKeyStack (same account
   * and region). CloudWatch Logs needs a key ARN, not the alias, to encrypt the
   * API access logs with the zone's key.
   * @default - none (primary cells own their key)
   */
  readonly replicaKey?: kms.IKey;
  /** @default the topology's api.throttle */
  readonly apiThrottling?: CommerceApiThrottling;
}

/** Webhook deliveries in flight at once: a burst cannot take the account's concurrency from the API. */
export const DISPATCHER_MAX_CONCURRENCY = 10;

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
  readonly alarmTopic: AlarmTopic;
  readonly dataKey: kms.IKey;
  readonly backup?: CellBackup;
  readonly webAcl?: WebAcl;
  readonly cdnLogs?: CdnLogBucket;

  constructor(scope: Construct, id: string, props: RegionalCellStackProps) {
    const { model, cell, hostedZone: zoneOverride, replicaKey, apiThrottling, ...stackProps } = props;
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
    if (cell.role === 'secondary' && !replicaKey) {
      problems.push(`replicaKey: secondary cell ${cell.stackName} needs its ReplicaKeyStack's key`);
    }
    if (cell.role === 'primary' && replicaKey) {
      problems.push(
        `replicaKey: primary cell ${cell.stackName} owns its key; pass replicaKey only to a secondary`,
      );
    }
    if (problems.length > 0) throw new Error(`RegionalCellStack ${id}: ${problems.join('; ')}`);

    super(scope, id, {
      ...stackProps,
      stackName: cell.stackName,
      env: { account: cell.account, region: cell.region },
      terminationProtection: model.config.deployment.terminationProtection,
      description: `${model.appName}: ${cell.role} cell of zone ${cell.zone} in ${cell.region}`,
    });
    this.cell = cell;
    const zone = zoneByName(model, cell.zone);
    const capabilities = PARTITION_CAPABILITIES[cell.partition];
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
    const ownKey =
      cell.role === 'primary'
        ? new CellDataKey(this, 'DataKey', { appName: model.appName, zone: zone.name }).key
        : undefined;
    this.dataKey = aliasedKey?.key ?? ownKey!;

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
      maxConcurrency: DISPATCHER_MAX_CONCURRENCY,
    });
    grantTableActions(this.webhooks.handler.role, this.data.table, TABLE_ACTIONS.webhookDispatcher);
    grantDataKeyUse(this.webhooks.handler.role, this.dataKey);

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
    grantTableActions(this.relay.handler.role, this.data.table, TABLE_ACTIONS.outboxRelay);

    const hostedZone = zoneOverride ?? importedHostedZone(this, model, zone.sovereign);
    this.api = new CommerceApi(this, 'Api', {
      domainNames: apiDomainNames(model, zone, cell),
      environment,
      functionName: apiFunctionName(cell),
      health: { path: model.config.healthCheck.path, throttling: model.config.api.healthThrottle },
      throttling: apiThrottling ?? model.config.api.throttle,
      accessLogKey: ownKey ?? replicaKey!,
      ...(hostedZone ? { hostedZone } : {}),
    });
    grantTableActions(this.api.handler.role, this.data.table, TABLE_ACTIONS.api);
    grantPutEvents(this.api.handler.role, this.eventBus);
    grantSend(this.api.handler.role, this.webhooks.queue);
    grantDataKeyUse(this.api.handler.role, this.dataKey);
    this.fenceWriter(model, zone);

    // Every cell sweeps the checkouts its region started and nobody finished (lambdas/api/services/abandoned-checkouts.ts).
    new ScheduledTask(this, 'AbandonedCheckoutSweep', {
      target: this.api.handler.function,
      input: { commerceTask: SCHEDULED_TASKS.sweepAbandonedCheckouts },
      every: Duration.minutes(SWEEP_INTERVAL_MINUTES),
      description: `${cell.stackName}: compensate checkouts abandoned mid-saga (stock back, audited)`,
    });
    if (zone.secondary) {
      // Events a failed primary committed but never relayed reach this cell through replication only.
      new ScheduledTask(this, 'RelayForeignEvents', {
        target: this.api.handler.function,
        input: { commerceTask: RELAY_FOREIGN_EVENTS.task, windowMinutes: RELAY_FOREIGN_EVENTS.windowMinutes },
        every: Duration.minutes(RELAY_FOREIGN_EVENTS.intervalMinutes),
        description: `${cell.stackName}: relay events another region committed and never relayed`,
      });
      // What last writer wins got wrong during a split; only the zone's writer acts (services/reconciliation.ts).
      new ScheduledTask(this, 'Reconciliation', {
        target: this.api.handler.function,
        input: { commerceTask: SCHEDULED_TASKS.reconcile },
        every: Duration.minutes(RECONCILE_INTERVAL_MINUTES),
        description: `${cell.stackName}: reconcile the zone's regions after a split (writer only)`,
      });
    }

    if (
      cell.role === 'primary' &&
      model.config.drills.lambdaFaultInjection &&
      fisDrillZones(model).includes(zone)
    ) {
      // Opt-in drill window only: the FIS Lambda extension wraps every invocation while it is attached.
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

    if (model.config.waf.enabled && capabilities.waf) {
      this.webAcl = new WebAcl(this, 'WebAcl', {
        scope: 'REGIONAL',
        name: cell.stackName,
        rateLimitPerIp: model.config.waf.rateLimitPerIp,
      });
      const association = this.webAcl.associate('StageAssociation', this.api.api.deploymentStage.stageArn);
      // The ARN is a string, not a reference: without this CloudFormation could associate before the stage exists.
      association.node.addDependency(this.api.api.deploymentStage);
    }

    if (cell.role === 'primary' && ownKey && model.config.backup.enabled && capabilities.backup) {
      this.backup = new CellBackup(this, 'Backup', {
        tableArn: this.data.table.tableArn,
        key: ownKey,
        retentionDays: model.config.backup.retentionDays,
      });
    }

    if (cell.role === 'primary' && ownKey && model.config.edge.enabled && edgeZones(model).includes(zone)) {
      this.cdnLogs = new CdnLogBucket(this, 'CdnLogs', {
        bucketName: cdnLogBucketName(model, zone),
        key: ownKey,
      });
    }

    this.monitoring = new CellMonitoring(this, 'Monitoring', {
      dashboardName: cell.stackName,
      alarmNamePrefix: cell.stackName,
      api: this.api.api,
      streamConsumer: this.relay.handler.function,
      deadLetterQueues: [this.webhooks.deadLetterQueue, this.relay.failureQueue],
      ...(peer ? { replication: { tableName: this.data.tableName, receivingRegion: peer.region } } : {}),
      functions: [
        { name: 'api', function: this.api.handler.function, errorThreshold: 5 },
        { name: 'relay', function: this.relay.handler.function, errorThreshold: 0 },
        { name: 'dispatcher', function: this.webhooks.handler.function, errorThreshold: 0 },
      ],
      table: this.data.table,
      agingQueues: [
        // The dispatcher's own schedule spans about 28 h (8 attempts); older means deliveries are stuck.
        { name: 'webhooks', queue: this.webhooks.queue, maxAge: Duration.hours(36) },
        { name: 'webhooksDlq', queue: this.webhooks.deadLetterQueue, maxAge: Duration.days(7) },
        { name: 'relayFailures', queue: this.relay.failureQueue, maxAge: Duration.days(1) },
      ],
    });
    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      displayName: cell.stackName,
      emails: model.config.alerts.emails,
    });
    this.alarmTopic.notifyFromAlarmsIn(this);

    for (const fn of [this.api.handler, this.relay.handler, this.webhooks.handler]) {
      // CDK's own grants are no-ops on an aliased key: grant by alias instead.
      aliasedKey?.grant(fn.role);
      acknowledgeKeyGrant(fn.role);
    }
    for (const fn of [this.api.handler, this.relay.handler, this.webhooks.handler]) {
      acknowledgeTableIndexGrant(fn.role, this.data.table.tableArn);
      denyAuditLogTampering(fn.role, this.data.table.tableArn);
    }
    this.addOutputs(cell);
  }

  /**
   * Writer fencing (topology failover.fencing): a fenced cell's API writes only while its ARC routing
   * control is ON. The control's ARN and the cluster endpoints are read here, in this cell's region,
   * from the parameters the failover-control stack writes (no cross-region reference).
   */
  private fenceWriter(model: TopologyModel, zone: Zone): void {
    const api = this.api.handler.function;
    const set = (name: CellEnvironmentName, value: string) => api.addEnvironment(name, value);
    if (zone.fencing !== 'arc') {
      set('WRITER_FENCE', 'none');
      return;
    }
    const routingControlArn = ssm.StringParameter.valueForStringParameter(
      this,
      routingControlParameterName(model.appName, this.cell),
    );
    set('WRITER_FENCE', 'arc');
    set('ROUTING_CONTROL_ARN', routingControlArn);
    set(
      'ARC_CLUSTER_ENDPOINTS',
      ssm.StringParameter.valueForStringParameter(this, clusterEndpointsParameterName(model.appName)),
    );
    this.api.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadOwnRoutingControl',
        actions: ['route53-recovery-cluster:GetRoutingControlState'],
        resources: [routingControlArn],
      }),
    );
  }

  private addOutputs(cell: Cell): void {
    const [cellDomain] = this.api.domains;
    new CfnOutput(this, 'CellDomainName', {
      description: "This cell's own API name (Route 53 health-checks it)",
      value: cell.apiDomainName,
    });
    new CfnOutput(this, 'RegionalDomainName', {
      description: "API Gateway's regional target of the cell name (what its alias record points at)",
      value: cellDomain!.domainNameAliasDomainName,
    });
    new CfnOutput(this, 'ApiFunctionName', { value: this.api.handler.function.functionName });
    new CfnOutput(this, 'RelayFunctionName', {
      description: 'The outbox relay (scripts/redrive-relay-failures.ts invokes it)',
      value: this.relay.handler.function.functionName,
    });
    new CfnOutput(this, 'RelayFailureQueueUrl', {
      description: 'Stream batches the relay gave up on (runbooks/relay-failure-redrive.md)',
      value: this.relay.failureQueue.queueUrl,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: "Every alarm of this cell notifies this topic: subscribe the on-call's address or channel",
      value: this.alarmTopic.topic.topicArn,
    });
  }
}

/**
 * Names the cell's API answers to: its own, its zone's failover name and, for zones published under the
 * entry point (entryPointZones), api.<domain>. A sovereign cell never claims api.<domain>: its certificate
 * would need a validation record in the other partition's hosted zone.
 */
export function apiDomainNames(model: TopologyModel, zone: Zone, cell: Cell): string[] {
  const names = [cell.apiDomainName, zone.apiDomainName];
  if (entryPointZones(model).includes(zone)) names.push(model.apiDomainName);
  return names;
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
