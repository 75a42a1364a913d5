import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, type AppProps, type Stack } from 'aws-cdk-lib';
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

/** What a test app does beyond building the stacks: both cost seconds per synth, so both are off unless asked. */
export interface TestAppOptions {
  /**
   * Run aws-cdk-lib's built-in CloudFormation validator with its errors as errors (as `cdk synth` does here).
   * The context flag alone only turns its errors into warnings: the validator still runs (5-7 s per whole-app
   * synth on these machines), so test apps switch the plugin off unless asked. test/lib/app/build-app.test.ts
   * keeps it on for both shipped topologies, so an invalid template still fails the suite.
   * @default false
   */
  readonly validateTemplates?: boolean;
  /**
   * Bundle the Lambda entries with esbuild. Off, CDK skips bundling (`aws:cdk:bundling-stacks` empty) and gives
   * each function a placeholder asset: templates are the same but for asset hashes, and a whole-app synth is
   * 5-20 s faster. test/lib/app/build-app.test.ts bundles, so a broken entry still fails the suite.
   * @default false
   */
  readonly bundle?: boolean;
}

/** The App props that switch the validator and the bundling as `options` say (for any test app). */
export function testAppProps(
  options: TestAppOptions = {},
): Pick<AppProps, 'context' | 'builtinCloudFormationValidation'> {
  const validate = options.validateTemplates ?? false;
  return {
    context: {
      '@aws-cdk/core:validateAgainstDefaultRules': validate,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
    builtinCloudFormationValidation: validate,
  };
}

/** A fresh App with cdk.json's and the toolkit's context, writing into a temp dir (never the repo's cdk.out). */
export function newCommerceApp(options: TestAppOptions = {}): App {
  const props = testAppProps(options);
  return new App({
    ...props,
    context: { ...cliContext(), ...COMMERCE_APP_CONTEXT, ...props.context },
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
  options: BuildCommerceAppOptions & TestAppOptions = { nag: false },
): BuiltApp {
  const model = typeof topology === 'string' ? loadTopology(topology) : buildModel(parseTopology(topology));
  const { validateTemplates, bundle, ...buildOptions } = options;
  const app = newCommerceApp({ validateTemplates, bundle });
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
