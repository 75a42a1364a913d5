/**
 * A reader for the part of the Cloudflare Rules language that decides which
 * requests a rule matches: `http.host`, `http.request.uri.path`,
 * `http.request.method` and `http.request.uri.path.extension` compared with
 * `eq`/`ne`/`==`/`!=`/`in {...}`/`contains`, `starts_with()`/`ends_with()`,
 * `and`/`or`/`not` and parentheses. The residency rules evaluate a rule's
 * expression on sample requests (a personal-data path on a CDN hostname) to
 * learn whether the rule applies.
 *
 * Three-valued: anything outside that subset (another field, a function, a
 * regex) evaluates to `unknown`, and the rules treat `unknown` as "may match"
 * where that is the unsafe side, so an expression this reader cannot follow
 * fails the check instead of passing it.
 */

export type Truth = true | false | 'unknown';

export interface SampleRequest {
  readonly host: string;
  readonly path: string;
  readonly method: string;
}

type Token =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'word'; readonly value: string }
  | { readonly kind: 'punct'; readonly value: string };

type Node =
  | { readonly kind: 'and' | 'or'; readonly left: Node; readonly right: Node }
  | { readonly kind: 'not'; readonly operand: Node }
  | {
      readonly kind: 'compare';
      readonly field: string;
      readonly op: string;
      readonly values: readonly string[];
    }
  | { readonly kind: 'call'; readonly fn: string; readonly field: string; readonly value: string }
  | { readonly kind: 'unknown' };

export class ExpressionError extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '"') {
      let value = '';
      i += 1;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i += 1;
        value += text[i];
        i += 1;
      }
      if (text[i] !== '"') throw new ExpressionError(`unterminated string in ${text}`);
      i += 1;
      tokens.push({ kind: 'string', value });
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))![0];
      tokens.push({ kind: 'word', value: match });
      i += match.length;
    } else {
      const two = text.slice(i, i + 2);
      if (['==', '!=', '&&', '||'].includes(two)) {
        tokens.push({ kind: 'punct', value: two });
        i += 2;
      } else if ('(){},!'.includes(c)) {
        tokens.push({ kind: 'punct', value: c });
        i += 1;
      } else {
        // Numbers, regex literals, IP ranges...: outside the subset; swallow up to the next separator.
        const match = /^[^\s(){},]+/.exec(text.slice(i))![0];
        tokens.push({ kind: 'word', value: match });
        i += match.length;
      }
    }
  }
  return tokens;
}

const COMPARISONS = new Set([
  'eq',
  '==',
  'ne',
  '!=',
  'contains',
  'in',
  'matches',
  '~',
  'lt',
  'le',
  'gt',
  'ge',
]);

class Parser {
  private index = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly text: string,
  ) {}

  parse(): Node {
    const node = this.or();
    if (this.index < this.tokens.length) this.fail(`unexpected ${this.tokens[this.index]!.value}`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (!token) this.fail('unexpected end');
    this.index += 1;
    return token!;
  }

  private fail(message: string): never {
    throw new ExpressionError(`${message} in expression: ${this.text}`);
  }

  private isWord(...values: string[]) {
    const token = this.peek();
    return token !== undefined && token.kind !== 'string' && values.includes(token.value);
  }

  private or(): Node {
    let left = this.and();
    while (this.isWord('or', '||')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.isWord('and', '&&')) {
      this.next();
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.isWord('not', '!')) {
      this.next();
      return { kind: 'not', operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): Node {
    if (this.isWord('(')) {
      this.next();
      const node = this.or();
      if (!this.isWord(')')) this.fail('missing )');
      this.next();
      return node;
    }
    const head = this.next();
    if (head.kind !== 'word') this.fail(`unexpected ${head.value}`);
    if (this.isWord('(')) {
      const call = this.call(head.value);
      const after = this.peek();
      if (after && after.kind !== 'string' && COMPARISONS.has(after.value)) {
        // A transformed field compared with a value (e.g. lower(http.host) eq "x"): outside the subset.
        this.next();
        this.operand();
        return { kind: 'unknown' };
      }
      return call;
    }
    const op = this.peek();
    if (op && op.kind !== 'string' && COMPARISONS.has(op.value)) {
      this.next();
      return { kind: 'compare', field: head.value, op: op.value, values: this.operand() };
    }
    // A bare boolean field (e.g. ssl, cf.bot_management.verified_bot): outside the subset.
    return { kind: 'unknown' };
  }

  private call(fn: string): Node {
    this.next(); // (
    const args: Token[] = [];
    let depth = 0;
    while (!(depth === 0 && this.isWord(')'))) {
      const token = this.next();
      if (token.value === '(' && token.kind === 'punct') depth += 1;
      if (token.value === ')' && token.kind === 'punct') depth -= 1;
      if (!(token.kind === 'punct' && token.value === ',' && depth === 0)) args.push(token);
    }
    this.next(); // )
    const [field, value] = args;
    if (
      (fn === 'starts_with' || fn === 'ends_with') &&
      args.length === 2 &&
      field?.kind === 'word' &&
      value?.kind === 'string'
    ) {
      return { kind: 'call', fn, field: field.value, value: value.value };
    }
    return { kind: 'unknown' };
  }

  private operand(): string[] {
    if (this.isWord('{')) {
      this.next();
      const values: string[] = [];
      while (!this.isWord('}')) {
        const token = this.next();
        values.push(token.value);
      }
      this.next();
      return values;
    }
    return [this.next().value];
  }
}

/** Parse once, evaluate on many requests. Throws ExpressionError for text that is not an expression at all. */
export function parseExpression(text: string): (request: SampleRequest) => Truth {
  const tree = new Parser(tokenize(text), text).parse();
  return (request) => evaluate(tree, request);
}

function fieldValue(field: string, request: SampleRequest): string | undefined {
  switch (field) {
    case 'http.host':
      return request.host;
    case 'http.request.uri.path':
      return request.path;
    case 'http.request.method':
      return request.method;
    case 'http.request.uri.path.extension': {
      const last = request.path.split('/').pop() ?? '';
      return last.includes('.') ? last.slice(last.lastIndexOf('.') + 1).toLowerCase() : '';
    }
    default:
      return undefined;
  }
}

function evaluate(node: Node, request: SampleRequest): Truth {
  switch (node.kind) {
    case 'unknown':
      return 'unknown';
    case 'not': {
      const value = evaluate(node.operand, request);
      return value === 'unknown' ? 'unknown' : !value;
    }
    case 'and': {
      const left = evaluate(node.left, request);
      if (left === false) return false;
      const right = evaluate(node.right, request);
      if (right === false) return false;
      return left === true && right === true ? true : 'unknown';
    }
    case 'or': {
      const left = evaluate(node.left, request);
      if (left === true) return true;
      const right = evaluate(node.right, request);
      if (right === true) return true;
      return left === false && right === false ? false : 'unknown';
    }
    case 'call': {
      const value = fieldValue(node.field, request);
      if (value === undefined) return 'unknown';
      return node.fn === 'starts_with' ? value.startsWith(node.value) : value.endsWith(node.value);
    }
    case 'compare': {
      const value = fieldValue(node.field, request);
      if (value === undefined) return 'unknown';
      switch (node.op) {
        case 'eq':
        case '==':
          return value === node.values[0];
        case 'ne':
        case '!=':
          return value !== node.values[0];
        case 'in':
          return node.values.includes(value);
        case 'contains':
          return value.includes(node.values[0] ?? '');
        default:
          return 'unknown';
      }
    }
  }
}
