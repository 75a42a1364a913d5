import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { TAG_KEYS } from '../tagging';
import type { TopologyModel, Zone } from '../topology/model';
import { regionFacts } from '../topology/regions';
import type { InventoryResource, InventoryStack, StackSource, ZoneSource } from './inventory-types';

export type { InventoryResource, InventoryStack, StackSource, ZoneSource } from './inventory-types';
import { resourceTags } from './tags';
import { type TerraformSource, terraformResources, terraformSourcesFromOutdir } from './terraform';

/**
 * The residency inventory: every resource of every stack of a synthesized
 * cloud assembly, with the facts the rules and the report need (region,
 * partition, zone, classification, construct path). Built the same way for
 * the synth-time check (from the template paths CDK hands a validation plugin)
 * and for the report (from a `cdk.out` directory).
 */

/** A stack output exported for other stacks of the same account and region (Fn::ImportValue). */
export interface InventoryExport {
  readonly stack: InventoryStack;
  readonly value: unknown;
}

export interface Inventory {
  readonly model: TopologyModel;
  readonly stacks: readonly InventoryStack[];
  readonly resources: readonly InventoryResource[];
  /** Exports by name, so an imported value can be traced to the resource that produced it. */
  readonly exports?: ReadonlyMap<string, InventoryExport>;
  /**
   * Resources of the Terraform JSON the toolkit writes for other vendors
   * (lib/cdn-terraform), kept apart from the CloudFormation resources so that
   * rules written for AWS types never misread them.
   */
  readonly terraformResources: readonly InventoryResource[];
}

const UNKNOWN = new Set(['unknown-account', 'unknown-region']);

const stackArtifactSchema = z.looseObject({
  type: z.literal('aws:cloudformation:stack'),
  environment: z.string(),
  displayName: z.string().optional(),
  metadata: z.record(z.string(), z.array(z.looseObject({ type: z.string(), data: z.unknown() }))).optional(),
  additionalMetadataFile: z.string().optional(),
  properties: z.looseObject({
    templateFile: z.string(),
    tags: z.record(z.string(), z.string()).optional(),
  }),
});

const nestedAssemblySchema = z.looseObject({
  type: z.literal('cdk:cloud-assembly'),
  properties: z.looseObject({ directoryName: z.string() }),
});

const manifestSchema = z.looseObject({
  artifacts: z.record(z.string(), z.looseObject({ type: z.string() })).default({}),
});

const templateSchema = z.looseObject({
  Resources: z
    .record(
      z.string(),
      z.looseObject({
        Type: z.string(),
        Properties: z.record(z.string(), z.unknown()).optional(),
        Metadata: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .default({}),
  Outputs: z
    .record(
      z.string(),
      z.looseObject({ Value: z.unknown(), Export: z.looseObject({ Name: z.unknown() }).optional() }),
    )
    .default({}),
});

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function parseEnvironment(environment: string): { account?: string; region?: string } {
  const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(environment);
  if (!match) return {};
  const [, account, region] = match as unknown as [string, string, string];
  return {
    ...(UNKNOWN.has(account) ? {} : { account }),
    ...(UNKNOWN.has(region) ? {} : { region }),
  };
}

const metadataFileSchema = z.record(
  z.string(),
  z.array(z.looseObject({ type: z.string(), data: z.unknown() })),
);

type StackMetadata = z.infer<typeof metadataFileSchema>;

function constructPathsFromMetadata(...sources: (StackMetadata | undefined)[]): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const metadata of sources) {
    for (const [path, entries] of Object.entries(metadata ?? {})) {
      for (const entry of entries) {
        if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
          paths[entry.data] = path.replace(/^\//, '');
        }
      }
    }
  }
  return paths;
}

/** Every stack of the assembly in `dir`, nested stage assemblies included. */
export function stackSourcesFromAssembly(dir: string): StackSource[] {
  const manifest = manifestSchema.parse(readJson(join(dir, 'manifest.json')));
  const sources: StackSource[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts)) {
    const stack = stackArtifactSchema.safeParse(artifact);
    if (stack.success) {
      const extra = stack.data.additionalMetadataFile
        ? metadataFileSchema.parse(readJson(join(dir, stack.data.additionalMetadataFile)))
        : undefined;
      sources.push({
        artifactId,
        constructPath: stack.data.displayName ?? artifactId,
        templatePath: join(dir, stack.data.properties.templateFile),
        ...parseEnvironment(stack.data.environment),
        tags: stack.data.properties.tags ?? {},
        constructPaths: constructPathsFromMetadata(stack.data.metadata, extra),
      });
      continue;
    }
    const nested = nestedAssemblySchema.safeParse(artifact);
    if (nested.success)
      sources.push(...stackSourcesFromAssembly(join(dir, nested.data.properties.directoryName)));
  }
  return sources;
}

export interface ValidationStackTemplate {
  readonly stackConstructPath: string;
  readonly templatePath: string;
  readonly accountId?: string;
  readonly region?: string;
}

/**
 * The stacks a CDK validation plugin is given. Stack tags are not in the
 * plugin context, so they are read from the manifest written next to the
 * templates (CDK writes the manifest before it runs the plugins).
 */
export function stackSourcesFromValidation(stacks: readonly ValidationStackTemplate[]): StackSource[] {
  const manifests = new Map<string, StackSource[]>();
  const fromManifest = (dir: string): StackSource[] => {
    if (!manifests.has(dir)) {
      let found: StackSource[] = [];
      try {
        found = stackSourcesFromAssembly(dir);
      } catch {
        found = [];
      }
      manifests.set(dir, found);
    }
    return manifests.get(dir)!;
  };
  return stacks.map((stack) => {
    const dir = dirname(stack.templatePath);
    const known = fromManifest(dir).find((s) => basename(s.templatePath) === basename(stack.templatePath));
    return {
      artifactId: known?.artifactId ?? basename(stack.templatePath, '.template.json'),
      constructPath: stack.stackConstructPath,
      templatePath: stack.templatePath,
      ...(stack.accountId ? { account: stack.accountId } : {}),
      ...(stack.region ? { region: stack.region } : {}),
      tags: known?.tags ?? {},
      ...(known?.constructPaths ? { constructPaths: known.constructPaths } : {}),
    };
  });
}

function zoneForRegion(model: TopologyModel, region: string | undefined): Zone | undefined {
  if (!region) return undefined;
  const zones = model.zones.filter((z) => z.regions.includes(region));
  return zones.length === 1 ? zones[0] : undefined;
}

export function buildInventory(
  sources: readonly StackSource[],
  model: TopologyModel,
  terraform: readonly TerraformSource[] = [],
): Inventory {
  const stacks: InventoryStack[] = sources.map((source) => {
    const partition = source.region ? regionFacts(source.region)?.partition : undefined;
    return { ...source, ...(partition ? { partition } : {}) };
  });
  const resources: InventoryResource[] = [];
  const exports = new Map<string, InventoryExport>();
  for (const stack of stacks) {
    const template = templateSchema.parse(readJson(stack.templatePath));
    for (const output of Object.values(template.Outputs)) {
      if (typeof output.Export?.Name === 'string')
        exports.set(output.Export.Name, { stack, value: output.Value });
    }
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const properties = resource.Properties ?? {};
      const tags = resourceTags(resource.Type, properties);
      const cdkPath = resource.Metadata?.['aws:cdk:path'];
      const taggedZone = tags[TAG_KEYS.zone];
      const stackZone = stack.tags[TAG_KEYS.zone];
      const zoneName = taggedZone ?? stackZone ?? zoneForRegion(model, stack.region)?.name;
      const zoneSource: ZoneSource = taggedZone
        ? 'resource-tag'
        : stackZone
          ? 'stack-tag'
          : zoneName
            ? 'region'
            : 'none';
      const zone = zoneName ? model.zones.find((z) => z.name === zoneName) : undefined;
      const classification = tags[TAG_KEYS.dataClassification] ?? stack.tags[TAG_KEYS.dataClassification];
      resources.push({
        stack,
        logicalId,
        type: resource.Type,
        properties,
        constructPath:
          typeof cdkPath === 'string'
            ? cdkPath
            : (stack.constructPaths?.[logicalId] ?? `${stack.constructPath}/${logicalId}`),
        tags,
        ...(zoneName ? { zoneName } : {}),
        ...(zone ? { zone } : {}),
        zoneSource,
        ...(classification ? { classification } : {}),
      });
    }
  }
  return { model, stacks, resources, exports, terraformResources: terraformResources(terraform) };
}

/** The inventory of a cloud assembly, and of a cdktf output directory when one is given. */
export function inventoryFromAssembly(
  dir: string,
  model: TopologyModel,
  terraformOutdir?: string,
): Inventory {
  return buildInventory(
    stackSourcesFromAssembly(dir),
    model,
    terraformOutdir ? terraformSourcesFromOutdir(terraformOutdir) : [],
  );
}

/** The resource `logicalId` of the same stack as `from`. */
export function sameStackResource(
  inventory: Inventory,
  from: InventoryResource,
  logicalId: string,
): InventoryResource | undefined {
  return inventory.resources.find((r) => r.stack === from.stack && r.logicalId === logicalId);
}

/** Residency-restricted zones: any zone whose data may not leave its residency class, and every sovereign zone. */
export function isRestricted(zone: Zone): boolean {
  return zone.residency !== 'none' || zone.sovereign;
}
