import type { Partition } from '../../lib/topology';
import { type AssemblyStack, environmentsOf } from './assembly';

/**
 * One partition at a time: the stacks of `aws` and of `aws-eusc` live in
 * different accounts that no single set of credentials can reach, and no stack
 * depends on a stack of the other partition (the topology carries the few
 * facts that cross: delegated name servers, account ids).
 */

export class PlanError extends Error {
  override readonly name = 'PlanError';
}

/** The stacks of `partition` (or only `only` and what they depend on), dependencies first. */
export function partitionPlan(
  stacks: readonly AssemblyStack[],
  partition: Partition,
  only: readonly string[] = [],
): AssemblyStack[] {
  const byId = new Map(stacks.map((s) => [s.id, s]));
  const inPartition = stacks.filter((s) => s.partition === partition);
  if (inPartition.length === 0) {
    const present = [...new Set(stacks.map((s) => s.partition))].join(', ');
    throw new PlanError(
      `no stack of this assembly is in partition ${partition}; its partitions are ${present}`,
    );
  }
  for (const name of only) {
    const stack = stacks.find((s) => s.id === name || s.stackName === name);
    if (!stack)
      throw new PlanError(
        `--stacks: no stack named ${name}; stacks are ${stacks.map((s) => s.id).join(', ')}`,
      );
    if (stack.partition !== partition) {
      throw new PlanError(
        `--stacks: ${name} is in partition ${stack.partition}, not ${partition}; deploy it with that partition`,
      );
    }
  }
  const wanted = new Set<string>();
  const want = (stack: AssemblyStack) => {
    if (wanted.has(stack.id)) return;
    wanted.add(stack.id);
    for (const dep of stack.dependsOn) {
      const target = byId.get(dep)!;
      if (target.partition !== partition) {
        throw new PlanError(
          `${stack.id} (${partition}) depends on ${target.id} (${target.partition}); stacks must not depend across partitions`,
        );
      }
      want(target);
    }
  };
  const roots =
    only.length > 0 ? stacks.filter((s) => only.includes(s.id) || only.includes(s.stackName)) : inPartition;
  for (const stack of roots) want(stack);
  return topologicalOrder(stacks.filter((s) => wanted.has(s.id)));
}

/** Dependencies before dependants; ties by name, so the order is deterministic. */
function topologicalOrder(stacks: readonly AssemblyStack[]): AssemblyStack[] {
  const ids = new Set(stacks.map((s) => s.id));
  const placed = new Set<string>();
  const ordered: AssemblyStack[] = [];
  const remaining = [...stacks].sort((a, b) => a.id.localeCompare(b.id));
  while (remaining.length > 0) {
    const index = remaining.findIndex((s) => s.dependsOn.every((d) => !ids.has(d) || placed.has(d)));
    if (index < 0) throw new PlanError(`dependency cycle among ${remaining.map((s) => s.id).join(', ')}`);
    const [next] = remaining.splice(index, 1) as [AssemblyStack];
    placed.add(next.id);
    ordered.push(next);
  }
  return ordered;
}

export interface DeployOptions {
  readonly assembly: string;
  readonly profile?: string;
  readonly requireApproval?: 'never' | 'any-change' | 'broadening';
}

/** The exact CDK CLI invocation: the synthesized assembly, these stacks only (their order is CDK's, from the dependencies). */
export function deployCommand(plan: readonly AssemblyStack[], options: DeployOptions): string[] {
  return [
    'npx',
    'cdk',
    'deploy',
    '--app',
    options.assembly,
    '--exclusively',
    ...(options.profile ? ['--profile', options.profile] : []),
    ...(options.requireApproval ? ['--require-approval', options.requireApproval] : []),
    ...plan.map((s) => s.id),
  ];
}

/** `cdk bootstrap` for every environment of the assembly (of one partition, if given). */
export function bootstrapCommands(
  stacks: readonly AssemblyStack[],
  options: { readonly partition?: Partition; readonly profile?: string } = {},
): string[][] {
  return environmentsOf(stacks)
    .filter((env) => !options.partition || env.partition === options.partition)
    .map((env) => [
      'npx',
      'cdk',
      'bootstrap',
      `aws://${env.account}/${env.region}`,
      ...(options.profile ? ['--profile', options.profile] : []),
    ]);
}

/** A command line a shell user can paste (arguments here never contain spaces or quotes). */
export const shellLine = (argv: readonly string[]) => argv.join(' ');
