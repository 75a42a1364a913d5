/**
 * What the LoadGeneratorStack and the load engine agree on: container names,
 * environment variables, the results layout in S3 and the stack outputs the
 * engine reads. One definition, imported by both (no CDK import here, so the
 * drill CLI does not load aws-cdk-lib).
 */

/** The three containers of the load task definition. */
export const LOAD_CONTAINERS = {
  /** Copies the bundled k6 script from the CDK asset bucket to the shared volume, then exits. */
  fetchScript: 'fetch-script',
  /** The official k6 image running the script. */
  k6: 'k6',
  /** Copies the k6 results from the shared volume to the results bucket once k6 has exited. */
  uploadResults: 'upload-results',
} as const;

/** Environment variables the k6 script reads (see loadtests/k6/distributed.ts and flow-runner.ts). */
export const K6_ENV = {
  profile: 'PROFILE',
  baseUrl: 'BASE_URL',
  token: 'TOKEN',
  clientCountry: 'CLIENT_COUNTRY',
  flow: 'FLOW',
  runId: 'RUN_ID',
  rateScale: 'RATE_SCALE',
  durationScale: 'DURATION_SCALE',
  maxIterations: 'MAX_ITERATIONS',
  summaryDir: 'SUMMARY_DIR',
} as const;

/** Environment variable of the upload container: where in the results bucket this task's files go. */
export const RESULTS_PREFIX_ENV = 'RESULTS_PREFIX';

/** Everything of one run lives under `runs/<runId>/`, one folder per region and task. */
export const RESULTS_ROOT = 'runs/';

export function taskResultsPrefix(runId: string, region: string, taskIndex: number): string {
  return `${RESULTS_ROOT}${runId}/${region}/task-${taskIndex}/`;
}

export function regionResultsPrefix(runId: string, region: string): string {
  return `${RESULTS_ROOT}${runId}/${region}/`;
}

/** File k6's handleSummary writes (loadtests/k6/summary.ts): the parsed source of a task's figures. */
export function k6SummaryFileName(profile: string): string {
  return `k6-summary-${profile}.json`;
}

/** File `k6 run --summary-export` writes: kept beside it as the raw end-of-test summary. */
export const K6_SUMMARY_EXPORT_FILE = 'summary-export.json';

/** CloudFormation outputs of a load generator stack, read by the engine to run tasks there. */
export const LOAD_STACK_OUTPUTS = {
  cluster: 'ClusterName',
  taskDefinition: 'TaskDefinitionFamily',
  subnets: 'SubnetIds',
  securityGroup: 'SecurityGroupId',
  resultsBucket: 'ResultsBucketName',
} as const;

/** `<app>-load-<region>`: one load generator stack per region the operator chose. */
export function loadGeneratorStackName(appName: string, region: string): string {
  return `${appName}-load-${region}`;
}
