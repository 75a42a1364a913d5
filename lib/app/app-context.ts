/**
 * Context every commerce app is built with (bin/app.ts passes it as
 * `postCliContext`, tests as `context`).
 *
 * `@aws-cdk/core:validateAgainstDefaultRules`: aws-cdk-lib runs its built-in
 * "CloudFormation Validate" plugin (resource schemas + default rules) on every
 * synth, but downgrades its errors to warnings unless this flag is true. With it,
 * an invalid template fails `cdk synth` (and `app.synth()` in tests).
 */
export const COMMERCE_APP_CONTEXT = {
  '@aws-cdk/core:validateAgainstDefaultRules': true,
  /*
   * The only cross-stack references are within one account and region (a
   * secondary cell -> its replica key stack, a sovereign cell -> its DNS stack).
   * Strong (Export/ImportValue) keeps a producer from being deleted under its consumer.
   */
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
} as const;
