import { z } from 'zod';
import { PROFILE_NAMES } from '../../loadtests/profiles';
import { MAX_TASKS_PER_REGION } from '../../loadtests/engine/plan';
import { awsRegionSchema } from '../history/command';
import { s3TargetSchema } from '../history/s3-archive';

/**
 * The flags of `npm run drill -- run <drill> --aws ...`, validated at the
 * edge. Light on purpose (no AWS SDK, no aws-cdk-lib): the CLI reads it for
 * every `run`, and loads the AWS drill itself only for `--aws`.
 */

export const AWS_RUN_OPTIONS = {
  'load-regions': { type: 'string' },
  profile: { type: 'string' },
  'tasks-per-region': { type: 'string' },
  fault: { type: 'string' },
  flow: { type: 'string' },
  'steady-state-minutes': { type: 'string' },
} as const;

export const AWS_RUN_USAGE = `--zone global --load-regions us-east-1,eu-central-1 --profile load
         [--tasks-per-region 1] [--fault route53|drill-flag|fis] [--flow shopper|health]
         [--steady-state-minutes 30] [--yes] [--topology topology.yaml] [--out drills]
         [--report-s3 s3://<bucket>[/<prefix>] [--s3-region <region>]]
       (the shopper flow's bearer token comes from the DRILL_TOKEN environment variable)`;

/** How the fault of a "cell down" drill is made on AWS (chaos/injectors). */
export const AWS_FAULT_MECHANISMS = ['route53', 'drill-flag', 'fis'] as const;
export type AwsFaultMechanism = (typeof AWS_FAULT_MECHANISMS)[number];

export const awsRunArgsSchema = z.strictObject({
  drill: z.string().min(1),
  aws: z.literal(true),
  zone: z.string().min(1).default('global'),
  topology: z.string().min(1).optional(),
  out: z.string().min(1).default('drills'),
  'report-s3': s3TargetSchema.optional(),
  's3-region': awsRegionSchema.optional(),
  yes: z.boolean().default(false),
  'load-regions': z
    .string({ error: 'name the regions to generate load from, e.g. --load-regions us-east-1,eu-central-1' })
    .transform((value) =>
      value
        .split(',')
        .map((r) => r.trim())
        .filter((r) => r.length > 0),
    )
    .pipe(
      z
        .array(awsRegionSchema)
        .min(1)
        .refine((r) => new Set(r).size === r.length, 'each region once'),
    ),
  profile: z.enum(PROFILE_NAMES, { error: `one of ${PROFILE_NAMES.join(', ')}` }),
  'tasks-per-region': z.coerce.number().int().min(1).max(MAX_TASKS_PER_REGION).default(1),
  fault: z.enum(AWS_FAULT_MECHANISMS).default('route53'),
  flow: z.enum(['shopper', 'health']).default('shopper'),
  'steady-state-minutes': z.coerce.number().int().min(5).max(180).default(30),
});
export type AwsRunArgs = z.output<typeof awsRunArgsSchema>;
