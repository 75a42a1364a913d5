import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
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
  /** @default { rateLimit: 100, burstLimit: 200 } */
  readonly throttling?: CommerceApiThrottling;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Physical name of the API function. @default - a CloudFormation-generated name */
  readonly functionName?: string;
}

const inZone = (name: string, zoneName: string) => name === zoneName || name.endsWith(`.${zoneName}`);

/**
 * The cell's HTTP API: a regional REST API (stage throttling, JSON access logs,
 * X-Ray) proxying to the API function, reachable only through its custom
 * domains (the execute-api endpoint is disabled so every client goes through
 * residency-aware DNS).
 */
export class CommerceApi extends Construct {
  readonly api: apigw.LambdaRestApi;
  readonly handler: CommerceFunction;
  readonly certificate: acm.Certificate;
  readonly accessLogs: logs.LogGroup;
  readonly domains: readonly apigw.DomainName[];

  constructor(scope: Construct, id: string, props: CommerceApiProps) {
    super(scope, id);
    const throttling = props.throttling ?? { rateLimit: 100, burstLimit: 200 };
    const problems: string[] = [];
    if (props.domainNames.length === 0) {
      problems.push("domainNames: list at least the cell's own name (cell.apiDomainName)");
    }
    if (new Set(props.domainNames).size !== props.domainNames.length) {
      problems.push(`domainNames: ${props.domainNames.join(', ')} contains duplicates`);
    }
    if (throttling.rateLimit <= 0 || throttling.burstLimit <= 0) {
      problems.push('throttling: rateLimit and burstLimit must be positive');
    }
    if (throttling.burstLimit < throttling.rateLimit) {
      problems.push(
        `throttling: burstLimit ${throttling.burstLimit} is below rateLimit ${throttling.rateLimit}; make the burst at least the rate`,
      );
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
    });
    this.api = new apigw.LambdaRestApi(this, 'Api', {
      handler: this.handler.function,
      proxy: true,
      description: `Commerce API at ${cellDomainName}`,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: true,
      // The account-level CloudWatch role is shared by every API in a region; the toolkit does not own it.
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'live',
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
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
          'A WAF web ACL is account policy (managed rules, cost); associate one to the stage per deployment',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'JSON access logs and X-Ray are on; execution logging needs the account-wide API Gateway CloudWatch role, which this toolkit deliberately does not own (@aws-cdk/aws-apigateway:disableCloudWatchRole)',
      },
    );
    acknowledge(this.handler.function, {
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by API Gateway: failures return to the caller, there is no async event to dead-letter',
    });
  }
}
