import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type Partition, regionFacts } from '../../lib/topology';

/**
 * What a synthesized cloud assembly says about its stacks: where each one
 * deploys, what it waits for, and which bootstrap version it needs. The
 * deploy, bootstrap and preflight commands all read the assembly `cdk synth`
 * wrote, so they act on exactly what will be deployed.
 */

export interface AssemblyStack {
  /** Artifact id (what `cdk deploy` takes). */
  readonly id: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly partition: Partition;
  /** Artifact ids of the stacks this one deploys after. */
  readonly dependsOn: readonly string[];
  readonly requiresBootstrapStackVersion?: number;
  readonly bootstrapStackVersionSsmParameter?: string;
}

const manifestSchema = z.looseObject({
  artifacts: z.record(
    z.string(),
    z.looseObject({
      type: z.string(),
      environment: z.string().optional(),
      dependencies: z.array(z.string()).optional(),
      properties: z
        .looseObject({
          stackName: z.string().optional(),
          requiresBootstrapStackVersion: z.number().optional(),
          bootstrapStackVersionSsmParameter: z.string().optional(),
        })
        .optional(),
    }),
  ),
});

export class AssemblyError extends Error {
  override readonly name = 'AssemblyError';
}

export function readAssembly(dir: string): AssemblyStack[] {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new AssemblyError(
      `${dir} has no cloud assembly (manifest.json); run \`npx cdk synth --quiet\` (with -c topology=FILE if you deploy another topology) first`,
    );
  }
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  const stackIds = new Set(
    Object.entries(manifest.artifacts)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([id]) => id),
  );
  return [...stackIds].map((id) => {
    const artifact = manifest.artifacts[id]!;
    const match = /^aws:\/\/(\d{12})\/([a-z0-9-]+)$/.exec(artifact.environment ?? '');
    if (!match) {
      throw new AssemblyError(
        `stack ${id} has no concrete environment (${artifact.environment}); every stack of this app names its account and region`,
      );
    }
    const [, account, region] = match as unknown as [string, string, string];
    const facts = regionFacts(region);
    if (!facts)
      throw new AssemblyError(`stack ${id} is in ${region}, a region lib/topology/regions.ts does not know`);
    const properties = artifact.properties ?? {};
    return {
      id,
      stackName: properties.stackName ?? id,
      account,
      region,
      partition: facts.partition,
      dependsOn: (artifact.dependencies ?? []).filter((d) => stackIds.has(d)),
      ...(properties.requiresBootstrapStackVersion !== undefined
        ? { requiresBootstrapStackVersion: properties.requiresBootstrapStackVersion }
        : {}),
      ...(properties.bootstrapStackVersionSsmParameter !== undefined
        ? { bootstrapStackVersionSsmParameter: properties.bootstrapStackVersionSsmParameter }
        : {}),
    };
  });
}

export interface Environment {
  readonly partition: Partition;
  readonly account: string;
  readonly region: string;
  /** Highest bootstrap version any stack of this environment requires. */
  readonly requiredBootstrapVersion: number;
  readonly bootstrapVersionParameter: string;
  readonly stacks: readonly string[];
}

/** Every account/region the stacks deploy to (what `cdk bootstrap` must have prepared), sorted. */
export function environmentsOf(stacks: readonly AssemblyStack[]): Environment[] {
  const byEnv = new Map<string, AssemblyStack[]>();
  for (const stack of stacks) {
    const key = `${stack.account}/${stack.region}`;
    byEnv.set(key, [...(byEnv.get(key) ?? []), stack]);
  }
  return [...byEnv.values()]
    .map((group) => {
      const first = group[0]!;
      return {
        partition: first.partition,
        account: first.account,
        region: first.region,
        requiredBootstrapVersion: Math.max(0, ...group.map((s) => s.requiresBootstrapStackVersion ?? 0)),
        bootstrapVersionParameter:
          group.find((s) => s.bootstrapStackVersionSsmParameter)?.bootstrapStackVersionSsmParameter ??
          '/cdk-bootstrap/hnb659fds/version',
        stacks: group.map((s) => s.stackName).sort(),
      };
    })
    .sort((a, b) => a.partition.localeCompare(b.partition) || a.region.localeCompare(b.region));
}
