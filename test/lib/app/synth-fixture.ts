import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { COMMERCE_APP_CONTEXT } from '../../../lib/app/app-context';
import { type BuildCommerceAppOptions, buildCommerceApp, type CommerceApp } from '../../../lib/app/build-app';
import {
  buildModel,
  loadTopology,
  parseTopology,
  REPO_ROOT,
  type TopologyInput,
  type TopologyModel,
} from '../../../lib/topology';

/**
 * cdk.json's context as the CLI passes it (feature flags such as partition
 * literals change finding ids and ARNs), minus flags that aws-cdk-lib v2 rejects.
 */
function cliContext(): Record<string, unknown> {
  const { context } = JSON.parse(readFileSync(resolve(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(context).filter(([flag]) => !cxapi.CURRENT_VERSION_EXPIRED_FLAGS.includes(flag)),
  );
}

/**
 * A fresh App with cdk.json's and the toolkit's context, writing into a temp dir (never the repo's cdk.out).
 * CloudFormation schema validation (`@aws-cdk/core:validateAgainstDefaultRules`) costs 15-25 s per synth on
 * these machines, so test apps run without it unless asked; test/lib/app/template-validation.test.ts keeps it
 * on for both shipped topologies, so an invalid template still fails the suite.
 */
export function newCommerceApp(options: { readonly validateTemplates?: boolean } = {}): App {
  return new App({
    context: {
      ...cliContext(),
      ...COMMERCE_APP_CONTEXT,
      '@aws-cdk/core:validateAgainstDefaultRules': options.validateTemplates ?? false,
    },
    outdir: mkdtempSync(join(tmpdir(), 'commerce-synth-')),
  });
}

export interface BuiltApp {
  readonly app: App;
  readonly model: TopologyModel;
  readonly built: CommerceApp;
  readonly template: (stack: Stack) => Template;
  readonly stackNamed: (stackName: string) => Stack;
}

/** Build the whole app for a topology file or an inline topology, and synthesize it once. */
export function synthesizeCommerceApp(
  topology: string | TopologyInput,
  options: BuildCommerceAppOptions & { readonly validateTemplates?: boolean } = { nag: false },
): BuiltApp {
  const model = typeof topology === 'string' ? loadTopology(topology) : buildModel(parseTopology(topology));
  const { validateTemplates, ...buildOptions } = options;
  const app = newCommerceApp({ validateTemplates });
  const built = buildCommerceApp(app, model, buildOptions);
  app.synth();
  const templates = new Map<Stack, Template>();
  const all: Stack[] = [
    ...built.baselines,
    ...(built.failoverControl ? [built.failoverControl] : []),
    ...built.cells,
    ...built.replicaKeys,
    ...built.sovereignDns,
    built.routing,
    ...(built.edge ? [built.edge] : []),
    ...built.drills,
    ...built.loadGenerators,
  ];
  return {
    app,
    model,
    built,
    template: (stack) => {
      let template = templates.get(stack);
      if (!template) {
        template = Template.fromStack(stack);
        templates.set(stack, template);
      }
      return template;
    },
    stackNamed: (stackName) => {
      const stack = all.find((s) => s.stackName === stackName);
      if (!stack)
        throw new Error(`no stack ${stackName}; stacks are ${all.map((s) => s.stackName).join(', ')}`);
      return stack;
    },
  };
}
