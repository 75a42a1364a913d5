import { Annotations, Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { TAG_KEYS } from '../tagging';
import { CommerceFunction, LAMBDA_ENTRIES } from './commerce-function';
import { acknowledge } from './nag-acknowledgements';

export interface CommerceApiThrottling {
  /** Steady-state requests per second for the whole stage. */
  readonly rateLimit: number;
  /** Burst bucket size. */
  readonly burstLimit: number;
}

export interface CommerceApiProps {
  /**
   * Custom domain names this cell answers to. The first is the cell's own name
   * (api.<region>.<zone>.<domain>, health-checked and aliased to this API); the
   * others are the names clients resolve through failover and geolocation
   * records (api.<zone>.<domain>, api.<domain>): API Gateway routes by the TLS
   * server name, so each must exist as a custom domain in every cell serving it.
   */
  readonly domainNames: readonly string[];
  /**
   * Hosted zone holding (some of) the names: when given, the certificate is
   * validated by DNS in it and the cell name gets an alias record.
   * @default - no DNS automation: the certificate waits for the operator to add
   *   its validation records, and a warning says so
   */
  readonly hostedZone?: route53.IHostedZone;
  /** Cell environment of the API function (see cellEnvironment). */
  readonly environment: Readonly<Record<string, string>>;
  /** Every business route of the stage (API Gateway keeps one bucket per method). @default { rateLimit: 100, burstLimit: 200 } */
  readonly throttling?: CommerceApiThrottling;
  /**
   * The health route: `GET <healthPath>` is its own API Gateway method with its
   * own throttle, so business traffic never throttles Route 53's checks.
   * @default { path: '/v1/health', throttling: { rateLimit: 20, burstLimit: 40 } }
   */
  readonly health?: { readonly path: string; readonly throttling: CommerceApiThrottling };
  /**
   * Key encrypting the access logs (they carry client IPs: personal data). The
   * key policy must allow the regional CloudWatch Logs service (CellDataKey does).
   * @default - CloudWatch Logs' own encryption
   */
  readonly accessLogKey?: kms.IKey;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Physical name of the API function. @default - a CloudFormation-generated name */
  readonly functionName?: string;
}

const inZone = (name: string, zoneName: string) => name === zoneName || name.endsWith(`.${zoneName}`);

/**
 * Every path and method reaches the API function (ANY + {proxy+} at the root and
 * along the health path, so explicit resources never hide a route), and
 * `GET <healthPath>` is a method of its own: API Gateway throttles per method,
 * so it gets its own bucket (and its own method settings).
 */
function routeEverythingTo(api: apigw.RestApi, healthPath: string): void {
  let resource: apigw.IResource = api.root;
  resource.addMethod('ANY');
  resource.addProxy({ anyMethod: true });
  for (const segment of healthPath.split('/').filter(Boolean)) {
    resource = resource.addResource(segment);
    resource.addMethod('ANY');
    resource.addProxy({ anyMethod: true });
  }
  resource.addMethod('GET');
}

/**
 * The cell's HTTP API: a regional REST API (stage throttling, JSON access logs,
 * X-Ray) proxying to the API function, reachable only through its custom
 * domains (the execute-api endpoint is disabled so every client goes through
 * residency-aware DNS).
 */
export class CommerceApi extends Construct {
  readonly api: apigw.RestApi;
  readonly handler: CommerceFunction;
  readonly certificate: acm.Certificate;
  readonly accessLogs: logs.LogGroup;
  readonly domains: readonly apigw.DomainName[];

  constructor(scope: Construct, id: string, props: CommerceApiProps) {
    super(scope, id);
    const throttling = props.throttling ?? { rateLimit: 100, burstLimit: 200 };
    const health = props.health ?? { path: '/v1/health', throttling: { rateLimit: 20, burstLimit: 40 } };
    const problems: string[] = [];
    if (!/^\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(health.path)) {
      problems.push(
        `health.path: "${health.path}" must be an absolute path of plain segments such as /v1/health`,
      );
    }
    if (props.domainNames.length === 0) {
      problems.push("domainNames: list at least the cell's own name (cell.apiDomainName)");
    }
    if (new Set(props.domainNames).size !== props.domainNames.length) {
      problems.push(`domainNames: ${props.domainNames.join(', ')} contains duplicates`);
    }
    for (const [name, limits] of [
      ['throttling', throttling],
      ['health.throttling', health.throttling],
    ] as const) {
      if (limits.rateLimit <= 0 || limits.burstLimit <= 0) {
        problems.push(`${name}: rateLimit and burstLimit must be positive`);
      }
      if (limits.burstLimit < limits.rateLimit) {
        problems.push(
          `${name}: burstLimit ${limits.burstLimit} is below rateLimit ${limits.rateLimit}; make the burst at least the rate`,
        );
      }
    }
    if (problems.length > 0) throw new Error(`CommerceApi ${this.node.path}: ${problems.join('; ')}`);

    const [cellDomainName, ...clientDomainNames] = props.domainNames as [string, ...string[]];
    const zone = props.hostedZone;
    const automated = zone ? props.domainNames.filter((n) => inZone(n, zone.zoneName)) : [];
    const manual = props.domainNames.filter((n) => !automated.includes(n));
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: cellDomainName,
      subjectAlternativeNames: clientDomainNames,
      validation:
        zone && automated.length > 0
          ? acm.CertificateValidation.fromDnsMultiZone(Object.fromEntries(automated.map((n) => [n, zone])))
          : acm.CertificateValidation.fromDns(),
    });
    if (manual.length > 0) {
      Annotations.of(this).addWarningV2(
        'commerce:certificate-manual-validation',
        `The certificate for ${manual.join(', ')} has no hosted zone in this partition/stack to validate in: ` +
          'the deployment waits until you add the DNS validation CNAMEs shown in the ACM console. ' +
          'Set hostedZone.id in the topology (after the routing stack created the zone) to automate it.',
      );
    }

    this.handler = new CommerceFunction(this, 'Handler', {
      entry: LAMBDA_ENTRIES.api,
      description: 'Commerce HTTP API (/v1)',
      environment: props.environment,
      memorySize: 512,
      timeout: Duration.seconds(29),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.functionName ? { functionName: props.functionName } : {}),
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
      ...(props.accessLogKey ? { encryptionKey: props.accessLogKey } : {}),
    });
    // Access log lines carry the caller's IP address.
    Tags.of(this.accessLogs).add(TAG_KEYS.dataClassification, 'personal');
    const healthMethodKey = `${health.path}/GET`;
    this.api = new apigw.RestApi(this, 'Api', {
      description: `Commerce API at ${cellDomainName}`,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: true,
      defaultIntegration: new apigw.LambdaIntegration(this.handler.function),
      // The account-level CloudWatch role is set once per account and region by the AccountBaselineStack.
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'live',
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
        methodOptions: {
          [healthMethodKey]: {
            throttlingRateLimit: health.throttling.rateLimit,
            throttlingBurstLimit: health.throttling.burstLimit,
          },
        },
        tracingEnabled: true,
        metricsEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    routeEverythingTo(this.api, health.path);
    // RestApi always outputs the execute-api URL, which is disabled: clients use the custom domains only.
    this.api.node.tryRemoveChild('Endpoint');
    this.acknowledgeNagFindings();

    this.domains = props.domainNames.map(
      (domainName, index) =>
        new apigw.DomainName(this, index === 0 ? 'CellDomain' : `ClientDomain${index}`, {
          domainName,
          certificate: this.certificate,
          endpointType: apigw.EndpointType.REGIONAL,
          securityPolicy: apigw.SecurityPolicy.TLS_1_2,
          mapping: this.api,
        }),
    );

    if (zone && inZone(cellDomainName, zone.zoneName)) {
      new route53.ARecord(this, 'CellRecord', {
        zone,
        recordName: cellDomainName,
        target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(this.domains[0]!)),
      });
    }
  }

  private acknowledgeNagFindings(): void {
    const inHandler =
      'Authorization (JWT scopes) and body validation (zod schemas, 4xx problem+json) happen in the API handler, which owns the contract; /v1/health and catalog reads are public';
    acknowledge(
      this.api,
      { id: 'AwsSolutions-APIG2', reason: inHandler },
      { id: 'AwsSolutions-APIG4', reason: inHandler },
      {
        id: 'AwsSolutions-COG4',
        reason: `${inHandler}; identities come from the merchant's IdP, not a Cognito pool`,
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'The cell stack associates the topology WAF web ACL (waf.enabled, on by default) with this stage; with waf.enabled false the operator chose to run without one',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'JSON access logs (client IP included, encrypted with the cell key) and X-Ray are on; execution logs would copy request data into log groups API Gateway creates without retention or the cell key',
      },
    );
    acknowledge(this.handler.function, {
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by API Gateway: failures return to the caller, there is no async event to dead-letter',
    });
  }
}
