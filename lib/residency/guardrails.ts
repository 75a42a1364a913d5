import {
  type App,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  type Stage,
  Validations,
} from 'aws-cdk-lib';
import type { TopologyModel } from '../topology/model';
import { describeFinding, type Finding } from './finding';
import { buildInventory, stackSourcesFromValidation } from './inventory';
import { evaluateRules, RESIDENCY_RULES } from './rules';

/**
 * The synth-time guard: a CDK policy validation plugin. CDK hands it every
 * stack's template path together with the stack's account and region
 * (`stackTemplates`), after the assembly is written; a non-compliant finding
 * fails synth (an exception in-process and in tests, exit code 1 under the
 * CDK CLI) with the rule id, the construct path and the fix.
 *
 * A plugin rather than an Aspect: it sees the final templates (after every
 * Aspect, including Tags, has run) and the resolved stack regions, which is
 * exactly what the report reads too, so synth and report share one
 * implementation.
 */

export const RESIDENCY_PLUGIN_NAME = 'residency-guardrails';

export function findingsToReport(findings: readonly Finding[]): PolicyValidationPluginReport {
  const violations = findings
    .filter((f) => !f.compliant)
    .map((f) => ({
      ruleName: f.ruleId,
      description: describeFinding({ ...f, fix: '' }),
      fix: f.fix,
      severity: 'error',
      violatingResources: [
        { resourceLogicalId: f.logicalId, templatePath: f.templatePath, locations: [f.location] },
      ],
    }));
  return { success: violations.length === 0, violations };
}

export function residencyValidationPlugin(model: TopologyModel): IPolicyValidationPlugin {
  return {
    name: RESIDENCY_PLUGIN_NAME,
    version: '1.0.0',
    ruleIds: RESIDENCY_RULES.map((r) => r.id),
    validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
      const inventory = buildInventory(stackSourcesFromValidation(context.stackTemplates), model);
      return findingsToReport(evaluateRules(inventory));
    },
  };
}

/** Call once from bin/app.ts: synth fails on any residency violation. */
export function addResidencyGuardrails(app: App | Stage, model: TopologyModel): void {
  Validations.of(app).addPlugins(residencyValidationPlugin(model));
}
