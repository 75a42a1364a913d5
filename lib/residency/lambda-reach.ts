import { localReference, parseArn, resolveString } from './intrinsics';
import { type Inventory, type InventoryResource, sameStackResource } from './inventory';
import { stackScope } from './replication';
import { DATA_STORE_TYPES } from './resource-kinds';

/** A store (or ARN) a Lambda function's execution role is allowed to act on. */
export interface ReachableStore {
  /** Construct path of a store of the assembly, or the ARN / pattern the policy names. */
  readonly target: string;
  readonly type?: string;
  readonly region?: string;
  readonly zone?: string;
  readonly actions: readonly string[];
}

interface Statement {
  Effect?: string;
  Action?: unknown;
  Resource?: unknown;
}

const asArray = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/** Every local resource a value refers to, however deeply nested (e.g. `${table.arn}/index/*` joins). */
function referencedLogicalIds(value: unknown): string[] {
  const direct = localReference(value);
  if (direct) return [direct.logicalId];
  if (Array.isArray(value)) return value.flatMap(referencedLogicalIds);
  if (value && typeof value === 'object') return Object.values(value).flatMap(referencedLogicalIds);
  return [];
}

function roleStatements(fn: InventoryResource, inventory: Inventory): Statement[] {
  const role = localReference(fn.properties.Role);
  if (!role) return [];
  const roleResource = sameStackResource(inventory, fn, role.logicalId);
  const inline = asArray(roleResource?.properties.Policies).flatMap((p) =>
    asArray((p as { PolicyDocument?: { Statement?: unknown } }).PolicyDocument?.Statement),
  );
  const attached = inventory.resources
    .filter(
      (r) =>
        r.stack === fn.stack &&
        r.type === 'AWS::IAM::Policy' &&
        asArray(r.properties.Roles).some((ref) => localReference(ref)?.logicalId === role.logicalId),
    )
    .flatMap((r) => asArray((r.properties.PolicyDocument as { Statement?: unknown } | undefined)?.Statement));
  return [...inline, ...attached] as Statement[];
}

/** The stores a function can reach, from the Allow statements of its execution role's policies. */
export function reachableStores(fn: InventoryResource, inventory: Inventory): ReachableStore[] {
  const byTarget = new Map<string, { store: Omit<ReachableStore, 'actions'>; actions: Set<string> }>();
  const add = (store: Omit<ReachableStore, 'actions'>, actions: string[]) => {
    const entry = byTarget.get(store.target) ?? { store, actions: new Set<string>() };
    for (const action of actions) entry.actions.add(action);
    byTarget.set(store.target, entry);
  };
  for (const statement of roleStatements(fn, inventory)) {
    if (statement.Effect !== 'Allow') continue;
    const actions = asArray(statement.Action).map(String);
    for (const resource of asArray(statement.Resource)) {
      const ids = referencedLogicalIds(resource);
      if (ids.length > 0) {
        for (const id of ids) {
          const store = sameStackResource(inventory, fn, id);
          if (!store || !DATA_STORE_TYPES.has(store.type)) continue;
          add(
            {
              target: store.constructPath,
              type: store.type,
              ...(store.stack.region ? { region: store.stack.region } : {}),
              ...(store.zoneName ? { zone: store.zoneName } : {}),
            },
            actions,
          );
        }
        continue;
      }
      const text = resolveString(resource, stackScope(fn));
      if (!text) continue;
      const arn = parseArn(text);
      add({ target: text, ...(arn?.region ? { region: arn.region } : {}) }, actions);
    }
  }
  return [...byTarget.values()].map(({ store, actions }) => ({ ...store, actions: [...actions].sort() }));
}
