import * as assert from 'assert';
import Ajv from 'ajv';
import * as fs from 'fs';
import { experimentSchemaPath } from '../../../../src/core/experiment/load-experiment';

type Node = Record<string, unknown>;

// Every property of every object in the schema, with its JSON pointer, so the editor can document them all.
function properties(node: Node, pointer = ''): { pointer: string; node: Node; required: boolean }[] {
  const found: { pointer: string; node: Node; required: boolean }[] = [];
  const required = new Set((node.required as string[] | undefined) ?? []);
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) {
    found.push({ pointer: `${pointer}/${name}`, node: child, required: required.has(name) });
    found.push(...properties(child, `${pointer}/${name}`));
  }
  const items = node.items as Node | undefined;
  if (items) found.push(...properties(items, `${pointer}/*`));
  for (const branch of (node.anyOf ?? []) as Node[]) {
    const entry = branch.additionalProperties;
    if (entry && typeof entry === 'object') found.push(...properties(entry as Node, `${pointer}/<module>`));
  }
  return found;
}

describe('thanora.schema.json', () => {
  const schema = JSON.parse(fs.readFileSync(experimentSchemaPath(), 'utf8')) as Node;
  const all = properties(schema);

  it('is a draft-07 schema that Ajv compiles in strict mode', () => {
    assert.strictEqual(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    new Ajv({ strict: true, allErrors: true }).compile(schema);
    assert.ok(all.length > 40, `only ${all.length} properties found`);
  });

  it('gives every field a description and a default (or examples where there is no sensible default)', () => {
    for (const { pointer, node, required } of all) {
      assert.ok(typeof node.description === 'string' && node.description.length > 10, `${pointer} has no description`);
      const hasDefault = 'default' in node;
      assert.ok(hasDefault || Array.isArray(node.examples), `${pointer} has neither default nor examples`);
      assert.ok(!(required && hasDefault), `${pointer} is required, so a default would never apply`);
    }
  });

  it('has defaults and examples that satisfy their own field', () => {
    const ajv = new Ajv({ strict: false });
    for (const { pointer, node } of all) {
      const check = ajv.compile({ ...node, default: undefined, examples: undefined });
      const samples = [...('default' in node ? [node.default] : []), ...((node.examples as unknown[]) ?? [])];
      for (const sample of samples) assert.ok(check(sample), `${pointer}: ${JSON.stringify(sample)} fails: ${ajv.errorsText(check.errors)}`);
    }
  });
});
