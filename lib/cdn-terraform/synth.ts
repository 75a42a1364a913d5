import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Testing } from 'cdktf';
import type { TopologyModel } from '../topology';
import {
  CloudflareEdgeStack,
  type CloudflareEdgeStackProps,
  cloudflareStackName,
} from './cloudflare-edge-stack';

export { DEFAULT_TERRAFORM_OUTDIR } from './outdir';

export interface TerraformSynthResult {
  readonly outdir: string;
  readonly stackName: string;
  /** Path of the stack's Terraform JSON (`cdk.tf.json`). */
  readonly configPath: string;
  readonly stack: CloudflareEdgeStack;
}

/**
 * Synthesizes the Cloudflare stack for a topology into `outdir` (a cdktf
 * assembly: manifest.json and stacks/<name>/cdk.tf.json). No credentials, no
 * network: the provider is configured at `terraform apply` time.
 */
export function synthCloudflare(model: TopologyModel, outdir: string): TerraformSynthResult {
  const absolute = resolve(outdir);
  const app = new App({ outdir: absolute, skipValidation: false });
  const stackName = cloudflareStackName(model);
  const stack = new CloudflareEdgeStack(app, stackName, { model });
  app.synth();
  return { outdir: absolute, stackName, configPath: terraformConfigPath(absolute, stackName), stack };
}

/** The Terraform JSON of a stack inside a cdktf output directory. */
export function terraformConfigPath(outdir: string, stackName: string): string {
  return join(outdir, 'stacks', stackName, 'cdk.tf.json');
}

/** Stack names listed by a cdktf output directory's manifest (empty when there is none). */
export function terraformStacksIn(outdir: string): string[] {
  const manifest = join(outdir, 'manifest.json');
  if (!existsSync(manifest)) return [];
  const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { stacks?: Record<string, unknown> };
  return Object.keys(parsed.stacks ?? {});
}

/**
 * The Terraform JSON of the Cloudflare stack, in memory, for tests and tools
 * (stack name `cdn`): callers outside this folder never import cdktf.
 */
export function cloudflareTerraformJson(
  model: TopologyModel,
  props: Omit<CloudflareEdgeStackProps, 'model'> = {},
): unknown {
  const stack = new CloudflareEdgeStack(Testing.app(), 'cdn', { model, ...props });
  return JSON.parse(Testing.synth(stack));
}
