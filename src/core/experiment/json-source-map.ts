// A strict JSON parser that also records where every value (and every property name) sits in the text, keyed
// by JSON pointer (RFC 6901, the form Ajv's instancePath uses), so a schema error can say file:line:column.
// JSON.parse cannot report positions of valid values, and syntax errors here name line and column as well.

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (what editors count for the BMP). */
  column: number;
}

export interface PointerLocation {
  /** The property name, for object members. */
  key?: SourcePosition;
  value: SourcePosition;
}

export interface ParsedJson {
  value: unknown;
  locations: Map<string, PointerLocation>;
  /** Properties written twice in one object (JSON.parse would silently keep the last). */
  duplicateKeys: { pointer: string; position: SourcePosition }[];
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: SourcePosition,
  ) {
    super(`${position.line}:${position.column}: ${reason}`);
    this.name = 'JsonSyntaxError';
  }
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  private i = 0;
  private readonly lineStarts: number[] = [0];
  readonly locations = new Map<string, PointerLocation>();
  readonly duplicateKeys: ParsedJson['duplicateKeys'] = [];

  constructor(private readonly text: string) {
    for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) this.lineStarts.push(k + 1);
  }

  position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  fail(reason: string, offset = this.i): never {
    throw new JsonSyntaxError(reason, this.position(offset));
  }

  skipWhitespace(): void {
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++;
      else if (c === '/' && (this.text[this.i + 1] === '/' || this.text[this.i + 1] === '*')) this.fail('comments are not allowed in JSON');
      else break;
    }
  }

  parseDocument(): unknown {
    this.skipWhitespace();
    const value = this.parseValue('');
    this.skipWhitespace();
    if (this.i < this.text.length) this.fail('unexpected text after the end of the JSON value');
    return value;
  }

  parseValue(pointer: string, key?: SourcePosition): unknown {
    this.skipWhitespace();
    if (this.i >= this.text.length) this.fail('unexpected end of file: a value is missing');
    this.locations.set(pointer, { key, value: this.position(this.i) });
    const c = this.text[this.i];
    if (c === '{') return this.parseObject(pointer);
    if (c === '[') return this.parseArray(pointer);
    if (c === '"') return this.parseString();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return value;
      }
    }
    numberPattern.lastIndex = this.i;
    const match = numberPattern.exec(this.text);
    if (match) {
      this.i += match[0].length;
      return Number(match[0]);
    }
    if (c === "'") this.fail('strings must use double quotes in JSON');
    this.fail(`unexpected character '${c}': expected a value (object, array, string, number, true, false or null)`);
  }

  parseString(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.text.length && this.text[this.i] !== '"') {
      const code = this.text.charCodeAt(this.i);
      if (code < 0x20) this.fail('unterminated string (or a raw control character / line break inside it; escape it as \\n)');
      this.i += this.text[this.i] === '\\' ? 2 : 1;
    }
    if (this.i >= this.text.length) this.fail('unterminated string', start);
    this.i++;
    try {
      return JSON.parse(this.text.slice(start, this.i)) as string;
    } catch {
      return this.fail('invalid escape sequence in string', start);
    }
  }

  parseObject(pointer: string): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.i++;
    this.skipWhitespace();
    if (this.text[this.i] === '}') {
      this.i++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.i] !== '"') {
        this.fail(this.text[this.i] === '}' ? 'trailing comma before "}" is not allowed in JSON' : 'expected a property name in double quotes');
      }
      const keyOffset = this.i;
      const name = this.parseString();
      const childPointer = `${pointer}/${escapePointerToken(name)}`;
      if (Object.prototype.hasOwnProperty.call(result, name)) this.duplicateKeys.push({ pointer: childPointer, position: this.position(keyOffset) });
      this.skipWhitespace();
      if (this.text[this.i] !== ':') this.fail(`expected ':' after the property name "${name}"`);
      this.i++;
      // defineProperty, because assigning a "__proto__" member would set the prototype instead.
      const value = this.parseValue(childPointer, this.position(keyOffset));
      Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      if (this.text[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.text[this.i] === '}') {
        this.i++;
        return result;
      }
      this.fail(`expected ',' or '}' after the value of "${name}"`);
    }
  }

  parseArray(pointer: string): unknown[] {
    const result: unknown[] = [];
    this.i++;
    this.skipWhitespace();
    if (this.text[this.i] === ']') {
      this.i++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.i] === ']') this.fail('trailing comma before "]" is not allowed in JSON');
      result.push(this.parseValue(`${pointer}/${result.length}`));
      this.skipWhitespace();
      if (this.text[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.text[this.i] === ']') {
        this.i++;
        return result;
      }
      this.fail(`expected ',' or ']' after array item ${result.length - 1}`);
    }
  }
}

/** Parses `text` (a leading byte-order mark is ignored); throws JsonSyntaxError with line and column. */
export function parseJsonWithLocations(text: string): ParsedJson {
  const parser = new Parser(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const value = parser.parseDocument();
  return { value, locations: parser.locations, duplicateKeys: parser.duplicateKeys };
}
