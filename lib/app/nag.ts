import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/**
 * cdk-nag v3 runs as CDK policy-validation plugins: any unacknowledged finding
 * fails synth. Acknowledgements live next to the resource they concern
 * (`Validations.of(construct).acknowledge({ id, reason })`), each with its reason.
 */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
