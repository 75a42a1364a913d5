import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { InventoryResource, InventoryStack } from './inventory-types';

/**
 * Terraform JSON (what `npm run cdn:synth` writes with CDK for Terraform, or
 * any `*.tf.json`) read into inventory resources, so the residency rules and
 * the report cover the second CDN vendor exactly as they cover the CDK
 * templates. Each resource keeps its Terraform address (`type.name`) as its
 * logical id and its cdktf construct path where the JSON records one.
 */

export interface TerraformSource {
  readonly stackName: string;
  /** Path of the stack's Terraform JSON. */
  readonly configPath: string;
}

const manifestSchema = z.looseObject({
  stacks: z.record(z.string(), z.looseObject({ synthesizedStackPath: z.string() })).default({}),
});

const configSchema = z.looseObject({
  resource: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))).default({}),
});

/** The stacks of a cdktf output directory (its manifest.json); none when the directory has no manifest. */
export function terraformSourcesFromOutdir(outdir: string): TerraformSource[] {
  const manifestPath = join(outdir, 'manifest.json');
  if (!existsSync(manifestPath)) return [];
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  return Object.entries(manifest.stacks).map(([stackName, stack]) => ({
    stackName,
    configPath: join(outdir, stack.synthesizedStackPath),
  }));
}

/** Every resource block of the Terraform JSON files, as inventory resources (no tags, no AWS region). */
export function terraformResources(sources: readonly TerraformSource[]): InventoryResource[] {
  return sources.flatMap((source) => {
    const stack: InventoryStack = {
      artifactId: source.stackName,
      constructPath: source.stackName,
      templatePath: source.configPath,
      tags: {},
    };
    const config = configSchema.parse(JSON.parse(readFileSync(source.configPath, 'utf8')));
    return Object.entries(config.resource).flatMap(([type, blocks]) =>
      Object.entries(blocks).map(([name, block]): InventoryResource => {
        const { '//': meta, ...properties } = block;
        const path = (meta as { metadata?: { path?: unknown } } | undefined)?.metadata?.path;
        return {
          stack,
          logicalId: `${type}.${name}`,
          type,
          properties,
          constructPath: typeof path === 'string' ? path : `${source.stackName}/${name}`,
          tags: {},
          zoneSource: 'none',
        };
      }),
    );
  });
}

const REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/;

/**
 * A string attribute of a Terraform resource: the literal, or the literal
 * another resource of the same file holds when the value is a plain
 * `${type.name.attribute}` reference. Undefined when it cannot be resolved.
 */
export function terraformString(
  value: unknown,
  from: InventoryResource,
  resources: readonly InventoryResource[],
): string | undefined {
  if (typeof value !== 'string') return undefined;
  const reference = REFERENCE.exec(value);
  if (!reference) return value.includes('${') ? undefined : value;
  const [, type, name, attribute] = reference as unknown as [string, string, string, string];
  const target = resources.find((r) => r.stack === from.stack && r.logicalId === `${type}.${name}`);
  return target ? terraformString(target.properties[attribute], target, resources) : undefined;
}

/** The Terraform address a `${type.name.attr}` reference points at, e.g. `cloudflare_load_balancer_pool.p`. */
export function terraformReference(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const reference = REFERENCE.exec(value);
  return reference ? `${reference[1]}.${reference[2]}` : undefined;
}
