import { App, Aspects, CfnResource, type IAspect, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';
import { COMMERCE_APP_CONTEXT } from '../../lib/app/app-context';
import { buildCommerceApp, type CommerceApp } from '../../lib/app/build-app';
import { RESIDENCY_PLUGIN_NAME } from '../../lib/residency/guardrails';
import { tagZone } from '../../lib/stacks/zone-tags';
import { SHARED_ZONE_TAG } from '../../lib/tagging';
import { buildModel, parseTopology, type TopologyInput, type TopologyModel } from '../../lib/topology';

/**
 * The app the integration tests deploy: one single-region zone in the `aws`
 * partition, on a test sub-domain whose hosted zone already exists in the
 * account (INTEG_DOMAIN, INTEG_HOSTED_ZONE_ID). Offline (jest) the defaults
 * below are used and nothing is deployed.
 */
export function integTopology(env: NodeJS.ProcessEnv = process.env): TopologyInput {
  return {
    appName: 'integ',
    domain: env.INTEG_DOMAIN ?? 'integ.shop.example.com',
    hostedZone: { id: env.INTEG_HOSTED_ZONE_ID ?? 'Z0000000000000INTEG' },
    accounts: { aws: env.CDK_DEFAULT_ACCOUNT ?? '111111111111' },
    zones: [{ name: 'global', residency: 'none', primaryRegion: 'us-east-1', geographies: ['default'] }],
    edge: { enabled: false },
    drills: { fis: false },
    backup: { enabled: false },
    deployment: { terminationProtection: false },
    ...(env.INTEG_AUTH_ISSUER && env.INTEG_AUTH_AUDIENCE && env.INTEG_AUTH_JWKS_URL
      ? {
          auth: {
            issuer: env.INTEG_AUTH_ISSUER,
            audience: env.INTEG_AUTH_AUDIENCE,
            jwksUrl: env.INTEG_AUTH_JWKS_URL,
          },
        }
      : {}),
  };
}

/** A test must leave nothing behind: every resource is destroyed with its stack (production retains data). */
class DestroyEverything implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof dynamodb.CfnGlobalTable) {
      node.addPropertyOverride('Replicas.0.DeletionProtectionEnabled', false);
    }
    if (node instanceof CfnResource) node.applyRemovalPolicy(RemovalPolicy.DESTROY);
  }
}

export interface IntegApp {
  readonly app: App;
  readonly model: TopologyModel;
  readonly built: CommerceApp;
  /** Stack that holds the assertions (deployed last, in the control region). */
  readonly assertionStack: Stack;
}

export function buildIntegApp(app: App = new App({ context: COMMERCE_APP_CONTEXT })): IntegApp {
  const model = buildModel(parseTopology(integTopology()));
  // cdk-nag judges these stacks in every production synth; the assertion stack is CDK's own test machinery.
  const built = buildCommerceApp(app, model, { nag: false });
  for (const stack of [...built.baselines, ...built.cells, built.routing]) {
    Aspects.of(stack).add(new DestroyEverything());
  }
  const assertionStack = new Stack(app, 'integ-assertions', {
    env: { account: model.config.accounts.aws!, region: model.controlRegion },
  });
  tagZone(assertionStack, model, { name: SHARED_ZONE_TAG, residency: 'none' });
  // integ-runner synthesizes with every current feature flag; under them the assertion providers it adds
  // at synth time are not reached by the stack's tags. They are CDK's test machinery and hold no data.
  Validations.of(assertionStack).acknowledge({
    id: `${RESIDENCY_PLUGIN_NAME}::ResidencyTagged`,
    reason: "integ-tests-alpha's assertion providers (Lambda, Step Functions) hold no customer data",
  });
  return { app, model, built, assertionStack };
}
