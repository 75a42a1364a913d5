import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AlarmTopic } from '../../../lib/constructs/alarm-topic';
import { CellBackup } from '../../../lib/constructs/cell-backup';
import { CatalogDistribution } from '../../../lib/constructs/catalog-distribution';
import { CommerceApi } from '../../../lib/constructs/commerce-api';
import { CommerceData } from '../../../lib/constructs/commerce-data';
import { CommerceFunction } from '../../../lib/constructs/commerce-function';
import { OutboxRelay } from '../../../lib/constructs/outbox-relay';
import { WebAcl } from '../../../lib/constructs/web-acl';
import { WebhookDispatcher } from '../../../lib/constructs/webhook-dispatcher';
import { ZoneFailoverRecords } from '../../../lib/constructs/zone-failover-records';
import { loadTopology, zoneByName } from '../../../lib/topology';
import { newCommerceApp } from '../app/synth-fixture';

/** Constructs validate their props up front and report every problem at once, naming the prop and the fix. */
describe('construct props validation', () => {
  const model = loadTopology('topology.yaml');
  const global = zoneByName(model, 'global');
  const stack = () =>
    new Stack(newCommerceApp(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });

  it('CommerceFunction names the entry, memory and timeout problems together', () => {
    expect(
      () =>
        new CommerceFunction(stack(), 'F', {
          entry: '/nope/lambda.ts',
          description: 'x',
          environment: {},
          memorySize: 64,
          timeout: Duration.minutes(20),
        }),
    ).toThrow(/entry: \/nope\/lambda\.ts does not exist.*memorySize: 64 MB.*timeout: 1200 s/);
  });

  it('CommerceData refuses a replica outside the zone and a primary without its replica key', () => {
    const s = stack();
    const key = new kms.Key(s, 'K');
    expect(
      () =>
        new CommerceData(s, 'D', {
          appName: 'commerce',
          cell: global.primary,
          key,
          replicaKeyArns: { 'eu-west-1': 'arn:aws:kms:eu-west-1:111111111111:alias/x' },
        }),
    ).toThrow(/missing the key of replica region us-west-2.*eu-west-1 is not this zone's secondary region/);
  });

  it('OutboxRelay requires a stream and bounded retries', () => {
    const s = stack();
    const key = new kms.Key(s, 'K');
    const table = dynamodb.TableV2.fromTableName(s, 'T', 'no-stream');
    expect(
      () =>
        new OutboxRelay(s, 'R', {
          table,
          eventBus: new events.EventBus(s, 'B'),
          webhookQueue: new sqs.Queue(s, 'Q'),
          key,
          environment: {},
          retryAttempts: -1,
          maxRecordAge: Duration.seconds(10),
        }),
    ).toThrow(/table: has no stream ARN.*retryAttempts: -1.*maxRecordAge: 10 s/);
  });

  it('WebhookDispatcher bounds batch size and receive count', () => {
    const s = stack();
    expect(
      () =>
        new WebhookDispatcher(s, 'W', {
          queueName: 'ok',
          key: new kms.Key(s, 'K'),
          environment: {},
          batchSize: 11,
          maxReceiveCount: 0,
        }),
    ).toThrow(
      /maxReceiveCount: 0 must be 9-1000 \(above the dispatcher's 8 scheduled attempts\).*batchSize: 11/,
    );
  });

  it('CommerceApi needs a domain and sane throttling', () => {
    expect(
      () =>
        new CommerceApi(stack(), 'A', {
          domainNames: [],
          environment: {},
          throttling: { rateLimit: 100, burstLimit: 10 },
        }),
    ).toThrow(/domainNames: list at least the cell's own name.*burstLimit 10 is below rateLimit 100/);
  });

  it('CatalogDistribution refuses personal-data paths and sovereign zones', () => {
    expect(
      () =>
        new CatalogDistribution(stack(), 'C', {
          zone: zoneByName(model, 'eu'),
          assetsBucket: {} as never,
          logBucket: {} as never,
          publicPathPrefixes: ['/v1/products', '/v1/orders'],
          cachePolicy: {} as never,
          priceClass: 'PriceClass_100' as never,
        }),
    ).toThrow(/zone: eu is sovereign.*"\/v1\/orders" carries personal data/);
  });

  it('CatalogDistribution names origin timeouts CloudFront refuses, a personal health path and an empty custom domain', () => {
    expect(
      () =>
        new CatalogDistribution(stack(), 'C', {
          zone: global,
          assetsBucket: {} as never,
          logBucket: {} as never,
          publicPathPrefixes: ['/v1/products'],
          cachePolicy: {} as never,
          priceClass: 'PriceClass_100' as never,
          originTimeouts: { connectionAttempts: 5, connectionTimeoutSeconds: 0, readTimeoutSeconds: 90 },
          healthPath: '/v1/customers/health',
          customDomain: { domainNames: [], certificate: {} as never },
        }),
    ).toThrow(
      /originTimeouts\.connectionAttempts: 5 must be 1-3; originTimeouts\.connectionTimeoutSeconds: 0 must be 1-10; originTimeouts\.readTimeoutSeconds: 90 must be 1-60; healthPath: "\/v1\/customers\/health" carries personal data.*customDomain\.domainNames: list at least one name/,
    );
  });
});

describe('construct props validation: deploy and operations constructs', () => {
  const stack = () =>
    new Stack(newCommerceApp(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });

  it('WebAcl refuses a rate limit below AWS WAF minimum', () => {
    expect(() => new WebAcl(stack(), 'W', { scope: 'REGIONAL', name: 'x', rateLimitPerIp: 5 })).toThrow(
      /rateLimitPerIp 5 must be an integer of at least 10/,
    );
  });

  it('CellBackup refuses a retention AWS Backup plans here do not allow', () => {
    const s = stack();
    expect(
      () =>
        new CellBackup(s, 'B', {
          tableArn: 'arn:aws:dynamodb:us-east-1:1:table/t',
          key: new kms.Key(s, 'K'),
          retentionDays: 3,
        }),
    ).toThrow(/retentionDays 3 must be an integer from 7 to 3650/);
  });

  it('AlarmTopic names the addresses that are not e-mail addresses', () => {
    expect(
      () => new AlarmTopic(stack(), 'A', { displayName: 'x', emails: ['ops@example.com', 'pager'] }),
    ).toThrow(/emails: pager are not e-mail addresses/);
  });

  it('WebhookDispatcher refuses an event-source concurrency SQS does not accept', () => {
    const s = stack();
    expect(
      () =>
        new WebhookDispatcher(s, 'W', {
          queueName: 'q',
          key: new kms.Key(s, 'K'),
          environment: {},
          maxConcurrency: 1,
        }),
    ).toThrow(/maxConcurrency: 1 must be an integer from 2 to 1000/);
  });

  it('ZoneFailoverRecords needs a routing control for every cell of a fenced zone, or none', () => {
    const model = loadTopology('topology.yaml');
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack(), 'Z', {
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      zoneName: 'shop.example.com',
    });
    expect(
      () =>
        new ZoneFailoverRecords(zone.stack, 'R', {
          hostedZone: zone,
          zone: zoneByName(model, 'global'),
          healthCheck: model.config.healthCheck,
          ttlSeconds: 60,
          routingControlArns: new Map([
            ['us-east-1', 'arn:aws:route53-recovery-control::1:controlpanel/a/routingcontrol/b'],
          ]),
        }),
    ).toThrow(/routingControlArns: no routing control for us-west-2/);
  });
});
