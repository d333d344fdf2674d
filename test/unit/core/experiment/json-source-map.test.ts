import * as assert from 'assert';
import { JsonSyntaxError, parseJsonWithLocations } from '../../../../src/core/experiment/json-source-map';

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJsonWithLocations(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e;
    throw e;
  }
  assert.fail(`expected a syntax error for ${text}`);
}

describe('parseJsonWithLocations', () => {
  it('parses exactly what JSON.parse parses', () => {
    const samples = [
      '{"a": [1, -2.5e3, true, false, null], "b": {"c": "x\\"y\\u00e9\\n"}, "": 0}',
      '[]',
      '  "text"  ',
      '{"__proto__": {"polluted": 1}}',
      '[0.1, 1E+2, -0, {"nested": [[[]]]}]',
    ];
    for (const text of samples) assert.deepStrictEqual(parseJsonWithLocations(text).value, JSON.parse(text), text);
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
  });

  it('locates values and property names by JSON pointer (1-based line and column)', () => {
    const text = '{\n  "training": {\n    "lr": 0.1,\n    "a/b~c": [10, 20]\n  }\n}';
    const { locations } = parseJsonWithLocations(text);
    assert.deepStrictEqual(locations.get(''), { key: undefined, value: { line: 1, column: 1 } });
    assert.deepStrictEqual(locations.get('/training/lr'), { key: { line: 3, column: 5 }, value: { line: 3, column: 11 } });
    assert.deepStrictEqual(locations.get('/training/a~1b~0c/1')?.value, { line: 4, column: 19 });
  });

  it('reports duplicate keys with their position', () => {
    const { duplicateKeys } = parseJsonWithLocations('{"a": 1,\n "a": 2}');
    assert.deepStrictEqual(duplicateKeys, [{ pointer: '/a', position: { line: 2, column: 2 } }]);
  });

  it('explains syntax errors at line:column', () => {
    const cases: [string, string, number, number][] = [
      ['{"a": 1,\n}', 'trailing comma before "}"', 2, 1],
      ['[1, 2,]', 'trailing comma before "]"', 1, 7],
      ['{"a" 1}', `expected ':' after the property name "a"`, 1, 6],
      ['{"a": 1 "b": 2}', `expected ',' or '}' after the value of "a"`, 1, 9],
      ['{\n  // note\n}', 'comments are not allowed', 2, 3],
      ["{'a': 1}", 'expected a property name in double quotes', 1, 2],
      ['{"a": "x\ny"}', 'unterminated string', 1, 9],
      ['{"a": 1} x', 'unexpected text after the end', 1, 10],
      ['{"a": ', 'unexpected end of file', 1, 7],
      ['{"a": "\\q"}', 'invalid escape', 1, 7],
    ];
    for (const [text, reason, line, column] of cases) {
      const error = syntaxError(text);
      assert.ok(error.reason.includes(reason), `${text}: ${error.reason}`);
      assert.deepStrictEqual(error.position, { line, column }, text);
    }
  });
});
