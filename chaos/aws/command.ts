import type { DrillReport } from '../report';
import type { S3Target } from '../history/s3-archive';

export interface AwsCommandHooks {
  usageError(issues: readonly { path: PropertyKey[]; message: string }[]): number;
  finish(
    report: DrillReport,
    options: { readonly out: string; readonly 'report-s3'?: S3Target; readonly 's3-region'?: string },
  ): Promise<number>;
}

export async function runAwsCommand(
  _values: Record<string, unknown>,
  _hooks: AwsCommandHooks,
): Promise<number> {
  return 2;
}
