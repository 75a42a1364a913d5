import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { COMMERCE_TABLE, commerceTableName } from '../../../lambdas/adapters/table-definitions';
import { OUTBOX_STREAM_FILTER_PATTERN } from '../../../lambdas/outbox/stream-filter';
import {
  RECONCILE_INTERVAL_MINUTES,
  SCHEDULED_TASKS,
  SWEEP_INTERVAL_MINUTES,
} from '../../../lambdas/api/scheduled-tasks';
import { RegionalCellStack } from '../../../lib/stacks/regional-cell-stack';
import { TAG_KEYS } from '../../../lib/tagging';
import { buildModel, loadTopology, parseTopology, type TopologyInput } from '../../../lib/topology';
import { validTopology } from '../../support/topologies';
import { type BuiltApp, newCommerceApp, synthesizeCommerceApp } from '../app/synth-fixture';

const HOSTED_ZONE_ID = 'Z0123456789ABCDEFGHIJ';

/**
 * The default topology with an imported hosted zone (so that cells automate DNS), an identity provider,
 * an on-call address and a business throttle of its own (so the tests prove the stage reads the topology).
 */
const topology: TopologyInput = {
  ...validTopology(),
  hostedZone: { id: HOSTED_ZONE_ID },
  auth: {
    issuer: 'https://login.example.com/',
    audience: 'commerce-api',
    jwksUrl: 'https://login.example.com/jwks.json',
  },
  api: { throttle: { rateLimit: 150, burstLimit: 300 } },
  alerts: { emails: ['oncall@example.com'] },
};

const warningsUnder = (fixture: BuiltApp, stackName: string): string[] =>
  fixture
    .stackNamed(stackName)
    .node.findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data)));

describe('RegionalCellStack', () => {
  let fixture: BuiltApp;
  let primary: Template;
  let secondary: Template;
  let replicaKey: Template;
  let sovereign: Template;

  beforeAll(() => {
    fixture = synthesizeCommerceApp(topology);
    primary = fixture.template(fixture.stackNamed('commerce-cell-global-us-east-1'));
    secondary = fixture.template(fixture.stackNamed('commerce-cell-global-us-west-2'));
    replicaKey = fixture.template(fixture.stackNamed('commerce-cell-global-us-west-2-key'));
    sovereign = fixture.template(fixture.stackNamed('commerce-cell-eu-eusc-de-east-1'));
  });

  describe('data', () => {
    it('defines the global table once, in the primary, replicated only to the zone secondary', () => {
      primary.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
      primary.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: commerceTableName('commerce', 'global'),
        // TableV2 renders the replicas first and the stack's own region last.
        Replicas: Match.arrayWith([
          Match.objectLike({ Region: 'us-west-2' }),
          Match.objectLike({ Region: 'us-east-1' }),
        ]),
      });
      const [table] = Object.values(primary.findResources('AWS::DynamoDB::GlobalTable'));
      expect(table!.Properties.Replicas).toHaveLength(2);
      secondary.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
      secondary.resourceCountIs('AWS::DynamoDB::Table', 0);
    });

    it('builds keys, index, TTL and stream from COMMERCE_TABLE with PITR and deletion protection on every replica', () => {
      primary.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        KeySchema: [
          { AttributeName: COMMERCE_TABLE.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: COMMERCE_TABLE.sortKey.name, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
        TimeToLiveSpecification: { AttributeName: COMMERCE_TABLE.timeToLiveAttribute, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      });
      const [table] = Object.values(primary.findResources('AWS::DynamoDB::GlobalTable'));
      for (const replica of table!.Properties.Replicas) {
        expect(replica).toMatchObject({
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        });
      }
    });

    it('encrypts each replica with the customer-managed key of its own region', () => {
      primary.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        Replicas: Match.arrayWith([
          Match.objectLike({
            Region: 'us-west-2',
            SSESpecification: {
              KMSMasterKeyId: 'arn:aws:kms:us-west-2:111111111111:alias/commerce-global-data',
            },
          }),
          Match.objectLike({
            Region: 'us-east-1',
            SSESpecification: {
              KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
            },
          }),
        ]),
      });
      for (const template of [primary, replicaKey, sovereign]) {
        template.resourceCountIs('AWS::KMS::Key', 1);
        template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
        template.hasResourceProperties('AWS::KMS::Alias', {
          AliasName: 'alias/commerce-global-data'.replace('global', template === sovereign ? 'eu' : 'global'),
        });
      }
      secondary.resourceCountIs('AWS::KMS::Key', 0);
    });

    it('encrypts the secondary cell with the replica key by alias, granted by alias, importing only its ARN for the access logs', () => {
      // cdk.json enables partition literals: ARNs of an env-specific stack are plain strings.
      const aliasArn = 'arn:aws:kms:us-west-2:111111111111:alias/commerce-global-data';
      for (const queue of Object.values(secondary.findResources('AWS::SQS::Queue'))) {
        expect(queue.Properties.KmsMasterKeyId).toEqual(aliasArn);
      }
      secondary.hasResourceProperties('AWS::Events::EventBus', { KmsKeyIdentifier: aliasArn });
      secondary.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*']),
              Condition: {
                'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/commerce-global-data' },
              },
            }),
          ]),
        },
      });
      // CloudWatch Logs takes no alias: the access log group imports the key's ARN from its own region's
      // key stack (same account and region), and nothing else is imported.
      const imports = [...JSON.stringify(secondary.toJSON()).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map(
        (m) => m[1],
      );
      expect(imports).toHaveLength(1);
      expect(imports[0]).toMatch(/^commerce-cell-global-us-west-2-key:/);
      secondary.hasResourceProperties('AWS::Logs::LogGroup', {
        KmsKeyId: { 'Fn::ImportValue': imports[0] },
      });
      // The bus in the secondary cell cannot edit the key policy: the key stack allows EventBridge for that bus.
      replicaKey.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'events.amazonaws.com' },
              Condition: {
                StringEquals: Match.objectLike({
                  'aws:SourceArn': 'arn:aws:events:us-west-2:111111111111:event-bus/commerce-global-events',
                }),
              },
            }),
          ]),
        },
      });
    });

    it('points the secondary at its local replica and reads the replica stream ARN in its own region', () => {
      secondary.hasResourceProperties('Custom::AWS', {
        Update: Match.stringLikeRegexp('"action":"describeTable".*"TableName":"commerce-global-commerce"'),
      });
      secondary.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            TABLE_NAME: 'commerce-global-commerce',
            CELL_ROLE: 'secondary',
            CELL_REGION: 'us-west-2',
            CELL_ZONE: 'global',
          }),
        },
      });
    });

    it('never replicates the sovereign zone', () => {
      const [table] = Object.values(sovereign.findResources('AWS::DynamoDB::GlobalTable'));
      expect(table!.Properties.Replicas.map((r: { Region: string }) => r.Region)).toEqual(['eusc-de-east-1']);
    });
  });

  describe('functions', () => {
    it('runs every function on nodejs22.x arm64 with source maps and the cell environment', () => {
      for (const template of [primary, secondary, sovereign]) {
        const functions = Object.values(
          template.findResources('AWS::Lambda::Function', {
            Properties: { Runtime: 'nodejs22.x' },
          }),
        );
        expect(functions).toHaveLength(3);
        for (const fn of functions) {
          expect(fn.Properties.Architectures).toEqual(['arm64']);
          expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
          expect(fn.Properties.Environment.Variables).toMatchObject({
            APP_NAME: 'commerce',
            NODE_OPTIONS: '--enable-source-maps',
            ZONE_ENDPOINTS: JSON.stringify({
              global: 'https://api.global.shop.example.com',
              eu: 'https://api.eu.shop.example.com',
            }),
            ZONE_GEOGRAPHIES: JSON.stringify({ global: ['default'], eu: ['continent:EU'] }),
            AUTH_ISSUER: 'https://login.example.com/',
            AUTH_AUDIENCE: 'commerce-api',
            AUTH_JWKS_URL: 'https://login.example.com/jwks.json',
            EVENT_BUS_NAME: expect.anything(),
            WEBHOOK_QUEUE_URL: expect.anything(),
          });
        }
      }
      primary.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ WEBHOOK_QUEUE_URL: Match.anyValue(), CELL_ROLE: 'primary' }),
        },
      });
    });

    it('relays the table stream with partial batch failures, bisect, bounded retries, max age and an on-failure queue', () => {
      for (const template of [primary, secondary]) {
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          StartingPosition: 'TRIM_HORIZON',
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          BisectBatchOnFunctionError: true,
          MaximumRetryAttempts: 5,
          MaximumRecordAgeInSeconds: 6 * 3600,
          DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
          ParallelizationFactor: 1,
          FilterCriteria: {
            Filters: [{ Pattern: JSON.stringify(OUTBOX_STREAM_FILTER_PATTERN) }],
          },
        });
      }
    });

    it('drains the webhook queue with per-message failure reporting', () => {
      primary.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebhooksQueue'), 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
      });
    });

    it('invokes the API function every few minutes, in every cell, to sweep abandoned checkouts', () => {
      for (const cell of [primary, secondary, sovereign]) {
        cell.resourcePropertiesCountIs(
          'AWS::Events::Rule',
          { ScheduleExpression: `rate(${SWEEP_INTERVAL_MINUTES} minutes)` },
          cell === sovereign ? 1 : 2,
        );
        cell.hasResourceProperties('AWS::Events::Rule', {
          ScheduleExpression: `rate(${SWEEP_INTERVAL_MINUTES} minutes)`,
          State: 'ENABLED',
          Targets: [
            Match.objectLike({
              Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiHandler'), 'Arn'] },
              Input: JSON.stringify({ commerceTask: SCHEDULED_TASKS.sweepAbandonedCheckouts }),
              RetryPolicy: { MaximumRetryAttempts: 0 },
            }),
          ],
        });
        cell.hasResourceProperties('AWS::Lambda::Permission', {
          Action: 'lambda:InvokeFunction',
          Principal: 'events.amazonaws.com',
          FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiHandler'), 'Arn'] },
        });
      }
    });

    it('denies every function updating or deleting audit items, so the log stays append-only', () => {
      for (const cell of [primary, secondary, sovereign]) {
        const denials = Object.values(cell.findResources('AWS::IAM::Policy')).flatMap((policy) =>
          (policy.Properties.PolicyDocument.Statement as { Sid?: string }[]).filter(
            (statement) => statement.Sid === 'AuditLogIsAppendOnly',
          ),
        );
        expect(denials).toHaveLength(3);
        for (const denial of denials)
          expect(denial).toMatchObject({
            Effect: 'Deny',
            Action: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
            Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*', 'AUDITCORR#*'] } },
          });
      }
    });

    it('gives every log group an explicit retention', () => {
      const groups = Object.values(primary.findResources('AWS::Logs::LogGroup'));
      expect(groups.length).toBeGreaterThanOrEqual(4);
      for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
    });
  });

  describe('queues and events', () => {
    it('encrypts queues with the cell key, enforces TLS and dead-letters the webhook queue', () => {
      primary.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'commerce-global-webhooks',
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 10 },
      });
      const queues = Object.values(primary.findResources('AWS::SQS::Queue'));
      expect(queues).toHaveLength(3);
      for (const queue of queues) expect(queue.Properties.KmsMasterKeyId).toBeDefined();
      primary.resourcePropertiesCountIs(
        'AWS::SQS::QueuePolicy',
        {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        },
        3,
      );
      primary.hasResourceProperties('AWS::Events::EventBus', { Name: 'commerce-global-events' });
    });
  });

  describe('api', () => {
    it('serves regional custom domains for the cell, zone and global names with stage throttling and access logs', () => {
      for (const name of [
        'api.us-east-1.global.shop.example.com',
        'api.global.shop.example.com',
        'api.shop.example.com',
      ]) {
        primary.hasResourceProperties('AWS::ApiGateway::DomainName', {
          DomainName: name,
          EndpointConfiguration: { Types: ['REGIONAL'] },
          SecurityPolicy: 'TLS_1_2',
        });
      }
      primary.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: Match.arrayWith([
          Match.objectLike({
            ThrottlingRateLimit: 150,
            ThrottlingBurstLimit: 300,
            HttpMethod: '*',
            ResourcePath: '/*',
          }),
        ]),
        AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
        TracingEnabled: true,
      });
      primary.hasResourceProperties('AWS::ApiGateway::RestApi', {
        DisableExecuteApiEndpoint: true,
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
    });

    it('validates the certificate in the imported hosted zone and aliases the cell name to its API', () => {
      primary.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'api.us-east-1.global.shop.example.com',
        SubjectAlternativeNames: ['api.global.shop.example.com', 'api.shop.example.com'],
        DomainValidationOptions: Match.arrayWith([
          { DomainName: 'api.shop.example.com', HostedZoneId: HOSTED_ZONE_ID },
        ]),
      });
      primary.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'api.us-east-1.global.shop.example.com.',
        Type: 'A',
        HostedZoneId: HOSTED_ZONE_ID,
      });
      expect(warningsUnder(fixture, 'commerce-cell-global-us-east-1')).toEqual([]);
    });

    it('validates every sovereign name in its own partition: the certificate never claims api.<domain>', () => {
      sovereign.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'api.eusc-de-east-1.eu.shop.example.com',
        SubjectAlternativeNames: ['api.eu.shop.example.com'],
        DomainValidationOptions: [
          Match.objectLike({
            DomainName: 'api.eusc-de-east-1.eu.shop.example.com',
            HostedZoneId: Match.anyValue(),
          }),
          Match.objectLike({ DomainName: 'api.eu.shop.example.com', HostedZoneId: Match.anyValue() }),
        ],
      });
      sovereign.resourcePropertiesCountIs(
        'AWS::ApiGateway::DomainName',
        { DomainName: 'api.shop.example.com' },
        0,
      );
      // Nothing waits for a hand-made CNAME in the other partition's zone.
      expect(warningsUnder(fixture, 'commerce-cell-eu-eusc-de-east-1').join('\n')).not.toContain(
        'certificate',
      );
    });
  });

  describe('monitoring', () => {
    it('alarms on 5xx rate, p99 latency, iterator age and each dead-letter queue', () => {
      for (const template of [primary, secondary, sovereign]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Metrics: Match.arrayWith([
            Match.objectLike({ Expression: 'IF(requests > 0, 100 * errors / requests, 0)' }),
          ]),
          Threshold: 1,
        });
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          ExtendedStatistic: 'p99',
          Threshold: 2000,
        });
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'IteratorAge',
          Threshold: 60000,
        });
        template.resourcePropertiesCountIs(
          'AWS::CloudWatch::Alarm',
          { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 },
          2,
        );
        template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      }
    });

    it('alarms on replication latency only in a primary with a replica', () => {
      primary.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ReplicationLatency',
        Namespace: 'AWS/DynamoDB',
        Dimensions: Match.arrayWith([{ Name: 'ReceivingRegion', Value: 'us-west-2' }]),
      });
      for (const template of [secondary, sovereign]) {
        template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ReplicationLatency' }, 0);
      }
    });
  });

  describe('deployable in a fresh account and operable', () => {
    const cells = () => [primary, secondary, sovereign];
    const apiFunction = (template: Template) =>
      Object.values(
        template.findResources('AWS::Lambda::Function', {
          Properties: { FunctionName: Match.stringLikeRegexp('-api$') },
        }),
      )[0]!;

    it("serves GET on the health path as its own method, with its own throttle, beside the topology's business throttle", () => {
      for (const template of cells()) {
        template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'health' });
        template.hasResourceProperties('AWS::ApiGateway::Method', {
          HttpMethod: 'GET',
          ResourceId: { Ref: Match.stringLikeRegexp('^Apiv1health') },
        });
        template.hasResourceProperties('AWS::ApiGateway::Stage', {
          MethodSettings: Match.arrayWith([
            Match.objectLike({
              HttpMethod: '*',
              ResourcePath: '/*',
              ThrottlingRateLimit: 150,
              ThrottlingBurstLimit: 300,
            }),
            Match.objectLike({
              HttpMethod: 'GET',
              ResourcePath: '/~1v1~1health',
              ThrottlingRateLimit: 20,
              ThrottlingBurstLimit: 40,
            }),
          ]),
        });
        // Every other path still reaches the function: ANY + {proxy+} at the root and along the health path.
        template.resourcePropertiesCountIs('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' }, 3);
      }
    });

    it('relays events another region left behind every 5 minutes, in every cell of a zone with a secondary', () => {
      for (const template of [primary, secondary]) {
        template.hasResourceProperties('AWS::Events::Rule', {
          ScheduleExpression: 'rate(5 minutes)',
          Targets: [
            Match.objectLike({
              Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiHandler'), 'Arn'] },
              Input: JSON.stringify({ commerceTask: 'relay-foreign-events', windowMinutes: 15 }),
            }),
          ],
        });
      }
      expect(JSON.stringify(sovereign.toJSON())).not.toContain('relay-foreign-events');
    });

    it('reconciles every hour in every cell of a zone with a secondary (the writer acts, the other skips)', () => {
      for (const template of [primary, secondary]) {
        template.hasResourceProperties('AWS::Events::Rule', {
          ScheduleExpression: `rate(${RECONCILE_INTERVAL_MINUTES / 60} hour)`,
          Targets: [
            Match.objectLike({
              Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiHandler'), 'Arn'] },
              Input: JSON.stringify({ commerceTask: 'reconcile' }),
            }),
          ],
        });
      }
      const inputs = Object.values(sovereign.findResources('AWS::Events::Rule')).flatMap((rule) =>
        (rule.Properties.Targets as { Input?: string }[]).map((t) => t.Input ?? ''),
      );
      expect(inputs.length).toBeGreaterThan(0);
      expect(inputs.filter((input) => input.includes(SCHEDULED_TASKS.reconcile))).toEqual([]);
    });

    it('sends every alarm, ALARM and OK, to the cell topic the on-call address subscribes to', () => {
      for (const template of cells()) {
        template.resourceCountIs('AWS::SNS::Topic', 1);
        template.hasResourceProperties('AWS::SNS::Subscription', {
          Protocol: 'email',
          Endpoint: 'oncall@example.com',
        });
        const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;
        const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
        expect(alarms.length).toBeGreaterThan(10);
        for (const alarm of alarms) {
          expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
          expect(alarm.Properties.OKActions).toEqual([{ Ref: topic }]);
        }
      }
    });

    it('alarms on function errors and throttles, table throttles and system errors, and the oldest queued message', () => {
      for (const template of cells()) {
        const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
          (a) => a.Properties.AlarmName as string,
        );
        for (const fn of ['api', 'relay', 'dispatcher']) {
          expect(names).toContainEqual(expect.stringMatching(new RegExp(`-lambda-errors-${fn}$`)));
          expect(names).toContainEqual(expect.stringMatching(new RegExp(`-lambda-throttles-${fn}$`)));
        }
        for (const suffix of ['table-throttles', 'table-system-errors']) {
          expect(names).toContainEqual(expect.stringMatching(new RegExp(`-${suffix}$`)));
        }
        for (const queue of ['webhooks', 'webhooksDlq', 'relayFailures']) {
          expect(names).toContainEqual(expect.stringMatching(new RegExp(`-queue-oldest-message-${queue}$`)));
        }
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateAgeOfOldestMessage',
          Threshold: 36 * 3600,
        });
      }
    });

    it("fences a zone's writer with its ARC routing control, read from SSM in the cell's own region", () => {
      for (const [template, region] of [
        [primary, 'us-east-1'],
        [secondary, 'us-west-2'],
      ] as const) {
        const parameterOf = (name: string) =>
          Object.entries(template.findParameters('*')).find(([, p]) => p.Default === name)?.[0];
        const controlParameter = parameterOf(`/commerce/failover/global/${region}/routing-control-arn`);
        const endpointsParameter = parameterOf('/commerce/failover/cluster-endpoints');
        expect(controlParameter).toBeDefined();
        expect(endpointsParameter).toBeDefined();
        expect(apiFunction(template).Properties.Environment.Variables).toMatchObject({
          WRITER_FENCE: 'arc',
          ROUTING_CONTROL_ARN: { Ref: controlParameter },
          ARC_CLUSTER_ENDPOINTS: { Ref: endpointsParameter },
        });
        template.hasResourceProperties('AWS::IAM::Policy', {
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Sid: 'ReadOwnRoutingControl',
                Effect: 'Allow',
                Action: 'route53-recovery-cluster:GetRoutingControlState',
                Resource: { Ref: controlParameter },
              },
            ]),
          },
        });
      }
      const sovereignEnv = apiFunction(sovereign).Properties.Environment.Variables;
      expect(sovereignEnv.WRITER_FENCE).toBe('none');
      expect(sovereignEnv.ROUTING_CONTROL_ARN).toBeUndefined();
      expect(JSON.stringify(sovereign.toJSON())).not.toContain('route53-recovery-cluster');
    });

    it("puts a WAF web ACL (per-IP rate rule, AWS managed rules) on every cell's stage", () => {
      for (const template of cells()) {
        template.hasResourceProperties('AWS::WAFv2::WebACL', {
          Scope: 'REGIONAL',
          DefaultAction: { Allow: {} },
          Rules: Match.arrayWith([
            Match.objectLike({
              Name: 'RateLimitPerIp',
              Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } },
            }),
            Match.objectLike({
              Statement: {
                ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' },
              },
            }),
          ]),
        });
        template.hasResource('AWS::WAFv2::WebACLAssociation', {
          Properties: { ResourceArn: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
          // The stage ARN is a plain string: the association must wait for the stage itself.
          DependsOn: Match.arrayWith([Match.stringLikeRegexp('^ApiDeploymentStagelive')]),
        });
      }
    });

    it('backs up the zone table with AWS Backup in its own region, encrypted with the zone key, only where it is owned', () => {
      for (const template of [primary, sovereign]) {
        template.hasResourceProperties('AWS::Backup::BackupVault', {
          EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
        });
        template.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
        template.hasResourceProperties('AWS::Backup::BackupPlan', {
          BackupPlan: {
            BackupPlanName: Match.anyValue(),
            BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 35 } })],
          },
        });
        template.hasResourceProperties('AWS::Backup::BackupSelection', {
          BackupSelection: Match.objectLike({
            Resources: [Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^DataTable'), 'Arn'] })],
          }),
        });
      }
      secondary.resourceCountIs('AWS::Backup::BackupVault', 0);
    });

    it('classifies API access logs (client IPs) as personal and encrypts them with the zone key', () => {
      const accessLogs = (template: Template) =>
        Object.values(template.findResources('AWS::Logs::LogGroup')).filter((g) =>
          (g.Properties.Tags as { Key: string; Value: string }[]).some(
            (t) => t.Key === TAG_KEYS.dataClassification && t.Value === 'personal',
          ),
        );
      for (const template of cells()) {
        const groups = accessLogs(template);
        expect(groups).toHaveLength(1);
        expect(groups[0]!.Properties.KmsKeyId).toBeDefined();
      }
      primary.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'CloudWatchLogsOfThisAccount',
              Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            }),
          ]),
        },
      });
    });

    it('outputs what operators need and never the disabled execute-api URL', () => {
      for (const template of cells()) {
        expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
          'AlarmTopicArn',
          'ApiFunctionName',
          'CellDomainName',
          'RegionalDomainName',
          'RelayFailureQueueUrl',
          'RelayFunctionName',
        ]);
        expect(JSON.stringify(template.findOutputs('*'))).not.toContain('execute-api');
      }
      primary.hasOutput('CellDomainName', { Value: 'api.us-east-1.global.shop.example.com' });
    });

    it('gives the relay and dispatcher only the table actions their code sends, and bounds webhook concurrency', () => {
      for (const template of cells()) {
        const roles = Object.entries(template.findResources('AWS::IAM::Role'))
          .filter(([id]) => /^(OutboxRelay|WebhooksDispatcher)Role/.test(id))
          .map(([id]) => id);
        expect(roles).toHaveLength(2);
        const allowed = Object.values(template.findResources('AWS::IAM::Policy'))
          .filter((p) => roles.includes((p.Properties.Roles as { Ref: string }[])[0]!.Ref))
          .flatMap(
            (p) => p.Properties.PolicyDocument.Statement as { Effect: string; Action: string | string[] }[],
          )
          .filter((st) => st.Effect === 'Allow')
          .flatMap((st) => [st.Action].flat());
        for (const broad of [
          'dynamodb:Scan',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'kms:Encrypt',
        ]) {
          expect(allowed).not.toContain(broad);
        }
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebhooksQueue'), 'Arn'] },
          ScalingConfig: { MaximumConcurrency: 10 },
        });
      }
    });

    it('denies every function a plain PutItem on audit items (only a transactional append)', () => {
      for (const template of cells()) {
        const denials = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
          (policy.Properties.PolicyDocument.Statement as { Sid?: string }[]).filter(
            (statement) => statement.Sid === 'AuditLogNoPlainPut',
          ),
        );
        expect(denials).toHaveLength(3);
        for (const denial of denials) {
          expect(denial).toMatchObject({
            Effect: 'Deny',
            Action: 'dynamodb:PutItem',
            Condition: {
              'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*', 'AUDITCORR#*'] },
              StringNotEqualsIfExists: { 'dynamodb:EnclosingOperation': 'TransactWriteItems' },
            },
          });
        }
      }
    });

    it("keeps the zone's CDN logs in its primary region, encrypted with its key, classified personal", () => {
      primary.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: 'commerce-global-cdn-logs-111111111111-us-east-1',
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
              },
            }),
          ],
        },
        Tags: Match.arrayWith([{ Key: TAG_KEYS.dataClassification, Value: 'personal' }]),
      });
      // No CDN fronts the sovereign zone, and a secondary has no log bucket of its own.
      for (const template of [secondary, sovereign]) template.resourceCountIs('AWS::S3::Bucket', 0);
    });
  });

  describe('tags', () => {
    it('tags resources with app, zone and residency, and data stores with their classification', () => {
      const [table] = Object.values(primary.findResources('AWS::DynamoDB::GlobalTable'));
      for (const replica of table!.Properties.Replicas) {
        expect(replica.Tags).toEqual(
          expect.arrayContaining([
            { Key: TAG_KEYS.app, Value: 'commerce' },
            { Key: TAG_KEYS.zone, Value: 'global' },
            { Key: TAG_KEYS.residency, Value: 'none' },
            { Key: TAG_KEYS.dataClassification, Value: 'personal' },
          ]),
        );
      }
      primary.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'commerce-global-webhooks',
        Tags: Match.arrayWith([{ Key: TAG_KEYS.dataClassification, Value: 'personal' }]),
      });
      primary.hasResourceProperties('AWS::Lambda::Function', {
        Tags: Match.arrayWith([
          { Key: TAG_KEYS.dataClassification, Value: 'operational' },
          { Key: TAG_KEYS.zone, Value: 'global' },
        ]),
      });
      sovereign.hasResourceProperties('AWS::KMS::Key', {
        // CloudFormation tags are sorted by key; arrayWith matches in order.
        Tags: Match.arrayWith([
          { Key: TAG_KEYS.residency, Value: 'eu' },
          { Key: TAG_KEYS.zone, Value: 'eu' },
        ]),
      });
    });
  });
});

describe('RegionalCellStack props', () => {
  it('turns termination protection off when the topology says so', () => {
    const model = buildModel(
      parseTopology({ ...validTopology(), deployment: { terminationProtection: false } }),
    );
    const stack = new RegionalCellStack(newCommerceApp(), 'Cell', { model, cell: model.zones[1]!.primary });
    expect(stack.terminationProtection).toBe(false);
  });

  it('refuses a cell outside the model and a hosted zone for a non-sovereign cell, in one message', () => {
    const model = loadTopology('topology.yaml');
    const app = newCommerceApp();
    const zone = route53.HostedZone.fromHostedZoneAttributes(new Stack(app, 'Z'), 'Z', {
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      zoneName: 'shop.example.com',
    });
    const stray = { ...model.zones[0]!.primary, stackName: 'commerce-cell-global-mars-1' };
    expect(() => new RegionalCellStack(app, 'Cell', { model, cell: stray, hostedZone: zone })).toThrow(
      /cell: commerce-cell-global-mars-1 is not a cell of the model.*hostedZone: only sovereign cells/,
    );
  });
});
