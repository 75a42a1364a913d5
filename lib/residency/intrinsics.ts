/**
 * Just enough CloudFormation intrinsic evaluation to answer residency
 * questions from a synthesized template: which region an ARN names, which
 * local resource a property points at. Anything that cannot be decided from
 * the template (imports, parameters, cross-stack lookups) stays `undefined`,
 * and the rules treat undefined as "cannot prove compliance".
 */

export interface StackScope {
  readonly region?: string;
  readonly account?: string;
  readonly partition?: string;
}

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pseudoParameter(name: string, scope: StackScope): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return scope.region;
    case 'AWS::AccountId':
      return scope.account;
    case 'AWS::Partition':
      return scope.partition;
    case 'AWS::URLSuffix':
      return scope.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    default:
      return undefined;
  }
}

/** Evaluate a property to a literal string when the template alone decides it. */
export function resolveString(value: Json, scope: StackScope): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (!isRecord(value)) return undefined;
  const [fn, args] = Object.entries(value)[0] ?? [];
  if (Object.keys(value).length !== 1) return undefined;
  if (fn === 'Ref' && typeof args === 'string') return pseudoParameter(args, scope);
  if (fn === 'Fn::Join' && Array.isArray(args) && typeof args[0] === 'string' && Array.isArray(args[1])) {
    const parts = args[1].map((part) => resolveString(part, scope));
    return parts.every((p) => p !== undefined) ? parts.join(args[0]) : undefined;
  }
  if (fn === 'Fn::Sub' && typeof args === 'string') {
    let unresolved = false;
    const text = args.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
      const resolved = pseudoParameter(name, scope);
      if (resolved === undefined) unresolved = true;
      return resolved ?? '';
    });
    return unresolved ? undefined : text;
  }
  return undefined;
}

export interface LocalReference {
  readonly logicalId: string;
  /** `Ref` or the attribute of `Fn::GetAtt`. */
  readonly attribute: string;
}

/** `{Ref: X}` / `{Fn::GetAtt: [X, Attr]}` to a resource of the same template (pseudo parameters excluded). */
export function localReference(value: Json): LocalReference | undefined {
  if (!isRecord(value) || Object.keys(value).length !== 1) return undefined;
  if (typeof value.Ref === 'string' && !value.Ref.startsWith('AWS::')) {
    return { logicalId: value.Ref, attribute: 'Ref' };
  }
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
    return { logicalId: getAtt[0], attribute: getAtt[1] };
  }
  if (typeof getAtt === 'string' && getAtt.includes('.')) {
    const [logicalId, attribute] = getAtt.split('.', 2) as [string, string];
    return { logicalId, attribute };
  }
  return undefined;
}

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

export function parseArn(text: string): ParsedArn | undefined {
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, account, ...rest] = parts as [string, string, string, string, string];
  return { partition, service, region, account, resource: rest.join(':') };
}
