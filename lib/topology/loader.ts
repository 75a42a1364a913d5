import { readFileSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { buildModel, type TopologyModel } from './model';
import { type Topology, topologySchema } from './schema';

/** Default topology file, relative to the repository root. */
export const DEFAULT_TOPOLOGY_FILE = 'topology.yaml';
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Thrown for an invalid topology; `problems` has one line per problem, each naming the field and the fix. */
export class TopologyError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(
      `Invalid topology ${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems
        .map((p) => `  - ${p}`)
        .join('\n')}`,
    );
    this.name = 'TopologyError';
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = fieldPath(issue.path);
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/** Validate an already-parsed object (from a file, a test, or a generated fixture). */
export function parseTopology(input: unknown, source = '<inline>'): Topology {
  const result = topologySchema.safeParse(input);
  if (!result.success) throw new TopologyError(source, describeIssues(result.error.issues));
  return result.data;
}

export function readTopologyFile(path: string): unknown {
  const absolute = isAbsolute(path) ? path : resolve(REPO_ROOT, path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new TopologyError(path, [
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)}); pass an existing file with -c topology=PATH`,
    ]);
  }
  try {
    return extname(absolute) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new TopologyError(path, [
      `is not valid ${extname(absolute) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
    ]);
  }
}

/** Load, validate and derive: the single entry point for every consumer of the topology. */
export function loadTopology(path: string = DEFAULT_TOPOLOGY_FILE): TopologyModel {
  return buildModel(parseTopology(readTopologyFile(path), path));
}
