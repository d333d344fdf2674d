// Ajv's raw errors ("must be number", one per failed anyOf branch) become one message per field that says what
// is wrong, what was given and what is allowed. For an anyOf over scalars ("auto" or an integer ≥ 1) the branch
// errors collapse into "must be "auto" or an integer ≥ 1 (got …)"; for an anyOf whose one structural branch
// (array / object) matches the value, that branch's own errors are kept, since they point deeper and precisely.
// Ajv must run with { allErrors: true, verbose: true } so errors carry their schema, parentSchema and data.
import type { ErrorObject } from 'ajv';
import { escapePointerToken } from './json-source-map';

export interface SchemaIssue {
  pointer: string;
  message: string;
  /** Point at the property name (unknown field) or at the value. */
  at: 'key' | 'value';
}

type SchemaNode = Record<string, unknown>;

function describeValue(data: unknown): string {
  if (Array.isArray(data)) return `an array of ${data.length}`;
  if (data !== null && typeof data === 'object') return 'an object';
  const text = JSON.stringify(data);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function jsonType(data: unknown): string {
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'array';
  if (typeof data === 'number') return Number.isInteger(data) ? 'integer' : 'number';
  return typeof data;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length];
}

/** ' (did you mean "x"?)' when one allowed word is a plausible typo of `given`, else ''. */
export function didYouMean(given: unknown, allowed: readonly unknown[]): string {
  if (typeof given !== 'string') return '';
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(given.length / 3)) + 1;
  for (const candidate of allowed) {
    if (typeof candidate !== 'string') continue;
    // A cut-short word ("all-lin") is as good a hint as a near miss.
    const truncated = given.length >= 3 && candidate.toLowerCase().startsWith(given.toLowerCase());
    const distance = truncated ? 1 : levenshtein(given.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** A short phrase for the values a schema node admits, e.g. 'an integer ≥ 1' or '"auto"'. */
export function describeAllowed(node: SchemaNode): string {
  if ('const' in node) return JSON.stringify(node.const) + (typeof node.description === 'string' ? ` (${node.description})` : '');
  if (Array.isArray(node.enum)) return `one of ${node.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (Array.isArray(node.anyOf)) return (node.anyOf as SchemaNode[]).map(describeAllowed).join(' or ');
  const bounds: string[] = [];
  if (typeof node.minimum === 'number') bounds.push(`≥ ${node.minimum}`);
  if (typeof node.exclusiveMinimum === 'number') bounds.push(`> ${node.exclusiveMinimum}`);
  if (typeof node.maximum === 'number') bounds.push(`≤ ${node.maximum}`);
  const bound = bounds.length ? ` ${bounds.join(' and ')}` : '';
  switch (node.type) {
    case 'integer':
      return `an integer${bound}`;
    case 'number':
      return `a number${bound}`;
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'array':
      return `a list${(node.items as SchemaNode | undefined)?.type ? ` of ${(node.items as SchemaNode).type}s` : ''}`;
    case 'object':
      return typeof node.description === 'string' ? `an object (${node.description})` : 'an object';
    default:
      return 'a value';
  }
}

function branchMatchesType(branch: SchemaNode, data: unknown): boolean {
  const types = Array.isArray(branch.type) ? branch.type : [branch.type];
  const actual = jsonType(data);
  return types.includes(actual) || (actual === 'integer' && types.includes('number'));
}

function firstSentence(text: unknown): string {
  return typeof text === 'string' ? text.split(/(?<=\.)\s/)[0] : '';
}

/**
 * A word given where an object is expected, that one of the object's fields admits ("method": "lora" for
 * "method": { "name": "lora" }): '; did you mean {"name": "lora"}?', else ''.
 */
export function wrappedSuggestion(node: SchemaNode, data: unknown): string {
  if (node.type !== 'object' || typeof data !== 'string') return '';
  for (const [field, property] of Object.entries((node.properties ?? {}) as Record<string, SchemaNode>)) {
    if (!Array.isArray(property.enum)) continue;
    const exact = property.enum.includes(data) ? data : undefined;
    const near = exact ?? /"(.*)"/.exec(didYouMean(data, property.enum))?.[1];
    if (near !== undefined) return `; did you mean ${JSON.stringify({ [field]: near }).replace(':', ': ')}?`;
  }
  return '';
}

function messageFor(error: ErrorObject): SchemaIssue {
  const pointer = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  const got = ` (got ${describeValue(error.data)})`;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((parent.properties ?? {}) as SchemaNode);
      const list = allowed.length ? `; allowed here: ${allowed.join(', ')}` : '';
      return { pointer: `${pointer}/${escapePointerToken(name)}`, at: 'key', message: `unknown field "${name}"${didYouMean(name, allowed)}${list}` };
    }
    case 'required': {
      const name = String(params.missingProperty);
      const about = firstSentence(((parent.properties as Record<string, SchemaNode> | undefined)?.[name] ?? {}).description);
      return { pointer, at: 'value', message: `missing required field "${name}"${about ? `: ${about}` : ''}` };
    }
    case 'enum':
      return { pointer, at: 'value', message: `must be ${describeAllowed(parent)}${got}${didYouMean(error.data, parent.enum as unknown[])}` };
    case 'type':
      return { pointer, at: 'value', message: `must be ${describeAllowed(parent)}${got}${wrappedSuggestion(parent, error.data)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'const':
      return { pointer, at: 'value', message: `must be ${describeAllowed(parent)}${got}` };
    case 'anyOf': {
      const branches = error.schema as SchemaNode[];
      const words = branches.flatMap((b) => ('const' in b ? [b.const] : Array.isArray(b.enum) ? b.enum : []));
      return { pointer, at: 'value', message: `must be ${describeAllowed({ anyOf: branches })}${got}${didYouMean(error.data, words)}` };
    }
    case 'pattern':
      return { pointer, at: 'value', message: `${describeValue(error.data)} is not allowed: ${firstSentence(parent.description) || `must match ${params.pattern}`}` };
    case 'minLength':
      return { pointer, at: 'value', message: params.limit === 1 ? 'must not be empty' : `must have at least ${params.limit} characters` };
    case 'maxLength':
      return { pointer, at: 'value', message: `must have at most ${params.limit} characters${got}` };
    case 'minItems':
      return { pointer, at: 'value', message: `must list at least ${params.limit} item${params.limit === 1 ? '' : 's'}` };
    case 'minProperties':
      return { pointer, at: 'value', message: `must have at least ${params.limit} entr${params.limit === 1 ? 'y' : 'ies'}` };
    case 'uniqueItems':
      return { pointer, at: 'value', message: `must not repeat items: items ${params.j} and ${params.i} are equal` };
    default:
      return { pointer, at: 'value', message: `${error.message ?? 'is invalid'}${got}` };
  }
}

/** Replaces each anyOf failure and its branch errors by either one summary or the errors of the matching branch. */
function collapseAnyOf(errors: ErrorObject[]): ErrorObject[] {
  let remaining = errors;
  const anyOfErrors = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const anyOf of anyOfErrors) {
    const branches = anyOf.schema as SchemaNode[];
    const isBranchError = (e: ErrorObject, index?: number) =>
      e !== anyOf && e.schemaPath.startsWith(index === undefined ? `${anyOf.schemaPath}/` : `${anyOf.schemaPath}/${index}/`);
    const structural = typeof anyOf.data === 'object' && anyOf.data !== null;
    const matching = branches.map((b, i) => (branchMatchesType(b, anyOf.data) ? i : -1)).filter((i) => i >= 0);
    if (structural && matching.length === 1) {
      const keep = matching[0];
      remaining = remaining.filter((e) => e !== anyOf && (!isBranchError(e) || isBranchError(e, keep)));
    } else {
      remaining = remaining.filter((e) => !isBranchError(e));
    }
  }
  return remaining;
}

export function schemaIssuesFromAjv(errors: readonly ErrorObject[]): SchemaIssue[] {
  const issues = collapseAnyOf([...errors]).map(messageFor);
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const id = `${issue.pointer}\n${issue.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
