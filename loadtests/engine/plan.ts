import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type LoadProfile, PROFILE_NAMES, PROFILES, profileDurationSeconds, scaleProfile } from '../profiles';
import { K6_ENV, taskResultsPrefix } from './contract';

/**
 * A distributed load run: one profile, one target, N generators per region.
 * The profile describes the TOTAL offered load (the same shape whether one
 * process or twenty tasks produce it): each generator runs 1/N of the rate
 * and of the iteration bound, so adding generators spreads the load, it does
 * not multiply it.
 */

export const MAX_TASKS_PER_REGION = 50;

export const loadShapeSchema = z.strictObject({
  startRate: z.number().nonnegative(),
  stages: z
    .array(z.strictObject({ durationSeconds: z.number().positive(), target: z.number().nonnegative() }))
    .min(1),
  maxInFlight: z.number().int().positive(),
  maxIterations: z.number().int().positive(),
});
export type LoadShape = z.output<typeof loadShapeSchema>;

export const loadPlanSchema = z
  .object({
    /** Names the run: S3 prefix, ECS startedBy, idempotency keys. */
    runId: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{2,47}$/,
        'use 3-48 characters of a-z, 0-9 and -, e.g. 2026-q4-region-failover',
      ),
    profile: z.enum(PROFILE_NAMES),
    /** Where the load goes: a deployed API (AWS engine) or a loopback URL (local engine, enforced there). */
    baseUrl: z.url({ protocol: /^https?$/ }),
    flow: z.enum(['shopper', 'health']).default('shopper'),
    /** Bearer token for the shopper flow: short-lived, it is visible in the ECS task's environment. */
    token: z.string().min(1).optional(),
    clientCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO country code such as DE')
      .optional(),
    regions: z
      .array(
        z.object({
          region: z
            .string()
            .regex(
              /^([a-z]{2,4}(-[a-z]+)+-\d+|local)$/,
              'a region name such as eu-central-1 (or `local` for load processes on this machine)',
            ),
          tasks: z.number().int().min(1).max(MAX_TASKS_PER_REGION),
        }),
      )
      .min(1, 'name at least one region to generate load from')
      .refine((regions) => new Set(regions.map((r) => r.region)).size === regions.length, {
        message: 'each region once; raise its tasks instead of listing it twice',
      }),
    /** Shortens every stage (local runs); 1 on AWS. */
    durationScale: z.number().positive().max(1).default(1),
    /** Caps each generator's iterations below its share of the profile's bound. */
    maxIterationsPerTask: z.number().int().positive().optional(),
    /**
     * Replaces the named profile's arrival shape, keeping its thresholds: a local drill's constant
     * rate for exactly the drill's length. Local engine only (the k6 script runs named profiles).
     */
    shape: loadShapeSchema.optional(),
  })
  .strict();

export type LoadPlanInput = z.input<typeof loadPlanSchema>;
export type LoadPlan = z.output<typeof loadPlanSchema>;

export function parseLoadPlan(input: unknown): LoadPlan {
  const parsed = loadPlanSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(plan)'}: ${i.message}`);
    throw new Error(`Invalid load plan: ${parsed.error.issues.length} problem(s)\n${problems.join('\n')}`);
  }
  return parsed.data;
}

/** One generator of the plan. */
export interface TaskAssignment {
  readonly region: string;
  readonly index: number;
  /** `<region>-<index>`: unique within the run. */
  readonly taskId: string;
  /** Unique per generator: the flow derives idempotency keys from it, so two generators never share one. */
  readonly generatorRunId: string;
  readonly rateScale: number;
  readonly durationScale: number;
  readonly maxIterations: number;
  /** Where this task's files land in the region's results bucket. */
  readonly resultsPrefix: string;
}

export function totalTasks(plan: LoadPlan): number {
  return plan.regions.reduce((sum, r) => sum + r.tasks, 0);
}

/** The profile the plan runs in total: the named one, or its thresholds with the plan's own shape. */
export function planProfile(plan: LoadPlan): LoadProfile {
  return plan.shape ? { ...PROFILES[plan.profile], ...plan.shape } : PROFILES[plan.profile];
}

export function planTasks(plan: LoadPlan): TaskAssignment[] {
  const total = totalTasks(plan);
  const profile = planProfile(plan);
  const share = Math.ceil(profile.maxIterations / total);
  const maxIterations = Math.min(share, plan.maxIterationsPerTask ?? share);
  return plan.regions.flatMap(({ region, tasks }) =>
    Array.from({ length: tasks }, (_, index) => ({
      region,
      index,
      taskId: `${region}-${index}`,
      generatorRunId: `${plan.runId}-${region}-${index}`,
      rateScale: 1 / total,
      durationScale: plan.durationScale,
      maxIterations,
      resultsPrefix: taskResultsPrefix(plan.runId, region, index),
    })),
  );
}

/** The profile as one generator runs it (the same scaling the k6 script applies from its environment). */
export function generatorProfile(plan: LoadPlan, task: TaskAssignment): LoadProfile {
  return scaleProfile(planProfile(plan), {
    rate: task.rateScale,
    duration: task.durationScale,
    maxIterations: task.maxIterations,
  });
}

/** How long a generator should take at most: the scaled profile, plus k6's graceful stop. */
export function expectedRunSeconds(plan: LoadPlan): number {
  const profile = planProfile(plan);
  return Math.ceil(profileDurationSeconds(profile) * plan.durationScale) + 30;
}

/** The k6 container's environment for one task (values only; secrets are the caller's to keep short-lived). */
export function k6Environment(
  plan: LoadPlan,
  task: TaskAssignment,
  summaryDir: string,
): Record<string, string> {
  return {
    [K6_ENV.profile]: plan.profile,
    [K6_ENV.baseUrl]: plan.baseUrl,
    [K6_ENV.flow]: plan.flow,
    [K6_ENV.runId]: task.generatorRunId,
    [K6_ENV.rateScale]: String(task.rateScale),
    [K6_ENV.durationScale]: String(task.durationScale),
    [K6_ENV.maxIterations]: String(task.maxIterations),
    [K6_ENV.summaryDir]: summaryDir,
    ...(plan.token ? { [K6_ENV.token]: plan.token } : {}),
    ...(plan.clientCountry ? { [K6_ENV.clientCountry]: plan.clientCountry } : {}),
  };
}

/** ECS's idempotency token for RunTask: at most 64 characters, stable for one task of one run. */
export function runTaskClientToken(plan: LoadPlan, task: TaskAssignment): string {
  const token = `${plan.runId}-${task.taskId}`;
  return token.length <= 64 ? token : createHash('sha256').update(token).digest('hex').slice(0, 64);
}
