import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REPO_ROOT } from '../topology';
import { acknowledge } from './nag-acknowledgements';

/** Handler entry files (runtime root `lambdas/`); constructs point at these, handlers know nothing of CDK. */
export const LAMBDA_ENTRIES = {
  api: resolve(REPO_ROOT, 'lambdas/api/lambda.ts'),
  outboxRelay: resolve(REPO_ROOT, 'lambdas/event-pipeline/relay-entry.ts'),
  webhookDispatcher: resolve(REPO_ROOT, 'lambdas/event-pipeline/dispatcher-entry.ts'),
  failoverPromoter: resolve(REPO_ROOT, 'lambdas/failover/promoter.ts'),
  failoverWiring: resolve(REPO_ROOT, 'lambdas/failover/wiring.ts'),
} as const;

/**
 * Bundling options shared by every function of every stack. They must not
 * contain per-stack values (no `define` of a region, no per-cell env): CDK's
 * AssetStaging caches a bundle by source path + bundling options, so identical
 * options mean one esbuild run per entry per synth, however many cells exist.
 */
export const SHARED_BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  target: 'node22',
  format: nodejs.OutputFormat.CJS,
};

export interface CommerceFunctionProps {
  /** Absolute path of the handler entry file (one of LAMBDA_ENTRIES). */
  readonly entry: string;
  readonly description: string;
  /** Environment variables; NODE_OPTIONS=--enable-source-maps is always added. */
  readonly environment: Readonly<Record<string, string>>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Physical function name, for functions other tools address by ARN (e.g. FIS experiments).
   * @default - a CloudFormation-generated name
   */
  readonly functionName?: string;
}

/**
 * A NodejsFunction with the toolkit's runtime defaults: nodejs22.x on arm64,
 * minified with source maps, X-Ray tracing, its own log group with explicit
 * retention, and a role that may write only to that log group (no managed policy).
 */
export class CommerceFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CommerceFunctionProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!existsSync(props.entry)) {
      problems.push(`entry: ${props.entry} does not exist; point it at a file of LAMBDA_ENTRIES`);
    }
    if (props.memorySize !== undefined && (props.memorySize < 128 || props.memorySize > 10240)) {
      problems.push(`memorySize: ${props.memorySize} MB is outside Lambda's 128-10240 MB`);
    }
    if (props.timeout !== undefined && props.timeout.toSeconds() > 900) {
      problems.push(`timeout: ${props.timeout.toSeconds()} s exceeds Lambda's 900 s maximum`);
    }
    if (props.functionName !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(props.functionName)) {
      problems.push(
        `functionName: "${props.functionName}" must be 1-64 characters of A-Z, a-z, 0-9, - and _`,
      );
    }
    if (problems.length > 0) {
      throw new Error(`CommerceFunction ${this.node.path}: ${problems.join('; ')}`);
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      ...(props.functionName ? { functionName: props.functionName } : {}),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      projectRoot: REPO_ROOT,
      depsLockFilePath: resolve(REPO_ROOT, 'package-lock.json'),
      bundling: SHARED_BUNDLING,
    });
    for (const [name, value] of Object.entries(props.environment)) {
      this.function.addEnvironment(name, value);
    }
    this.function.addEnvironment('NODE_OPTIONS', '--enable-source-maps');

    const runtimeReason =
      'nodejs22.x is the runtime the toolkit is built and tested for (esbuild target node22, docs/architecture.md section 7); a runtime upgrade is a deliberate, tested change';
    acknowledge(
      this.function,
      { id: 'AwsSolutions-L1', reason: runtimeReason },
      { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
    );
    acknowledge(this.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments/PutTelemetryRecords do not support resource-level permissions',
    });
  }
}
