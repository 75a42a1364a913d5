import type { Inventory, InventoryResource } from './inventory';

/** The outcome of one rule on one resource. */
export interface Finding {
  readonly ruleId: string;
  readonly compliant: boolean;
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly constructPath: string;
  readonly templatePath: string;
  /** Where in the resource the evidence sits, e.g. `Properties/Replicas/0/Region`. */
  readonly location: string;
  readonly message: string;
  /** How to fix a non-compliant resource (empty when compliant). */
  readonly fix: string;
}

/** A residency rule: a pure function of the inventory; the file name is its id (cdk-nag style). */
export interface ResidencyRule {
  readonly id: string;
  readonly description: string;
  evaluate(inventory: Inventory): Finding[];
}

function base(ruleId: string, resource: InventoryResource, location: string) {
  return {
    ruleId,
    stack: resource.stack.constructPath,
    logicalId: resource.logicalId,
    type: resource.type,
    constructPath: resource.constructPath,
    templatePath: resource.stack.templatePath,
    location,
  };
}

export function compliant(
  ruleId: string,
  resource: InventoryResource,
  message: string,
  location = 'Properties',
): Finding {
  return { ...base(ruleId, resource, location), compliant: true, message, fix: '' };
}

export function violation(
  ruleId: string,
  resource: InventoryResource,
  message: string,
  fix: string,
  location = 'Properties',
): Finding {
  return { ...base(ruleId, resource, location), compliant: false, message, fix };
}

/** One line a human reads in a synth failure or a report: rule id, construct path, problem, fix. */
export function describeFinding(finding: Finding): string {
  return `[${finding.ruleId}] ${finding.constructPath} (${finding.type}): ${finding.message}${
    finding.fix ? ` Fix: ${finding.fix}` : ''
  }`;
}
