// A strict JSON reader for the seccompiler format: RFC 8259 as serde_json
// reads it, keeping what JSON.parse throws away. Objects keep every member in
// order, duplicate keys included (serde rejects duplicates, JSON.parse keeps
// the last); numbers keep their text (u64 values need all 64 bits); every
// value knows its line and column. Lone surrogate escapes are errors, as in
// serde_json, since a Rust String cannot hold them.

export type JsonValue =
  | { readonly kind: 'null'; readonly line: number; readonly col: number }
  | { readonly kind: 'bool'; readonly value: boolean; readonly line: number; readonly col: number }
  | { readonly kind: 'number'; readonly text: string; readonly line: number; readonly col: number }
  | { readonly kind: 'string'; readonly value: string; readonly line: number; readonly col: number }
  | { readonly kind: 'array'; readonly items: JsonValue[]; readonly line: number; readonly col: number }
  | { readonly kind: 'object'; readonly members: JsonMember[]; readonly line: number; readonly col: number };

export interface JsonMember {
  readonly key: string;
  readonly keyLine: number;
  readonly keyCol: number;
  readonly value: JsonValue;
}

/** A syntax error at a 1-based line and column. */
export class JsonSyntaxError extends Error {
  constructor(readonly line: number, readonly col: number, readonly problem: string) {
    super(`${line}:${col}: ${problem}`);
    this.name = 'JsonSyntaxError';
  }
}

/**
 * Deeper nesting than any valid seccompiler document has (7 levels) and no
 * deeper than serde_json's own recursion limit (128): whatever it stops is
 * rejected by seccompiler too, and the parser's recursion stays bounded.
 */
const MAX_DEPTH = 128;

/** Parse one JSON text (nothing but whitespace around it). */
export function parseJson(text: string): JsonValue {
  return new Parser(text).document();
}

class Parser {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  document(): JsonValue {
    this.skipWhitespace();
    const value = this.value(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('trailing characters after the JSON value');
    return value;
  }

  private col(): number {
    return this.pos - this.lineStart + 1;
  }

  private fail(problem: string): never {
    throw new JsonSyntaxError(this.line, this.col(), problem);
  }

  /** JSON whitespace only: space, tab, LF, CR. */
  private skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x0a) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (c === 0x20 || c === 0x09 || c === 0x0d) {
        this.pos++;
      } else {
        return;
      }
    }
  }

  private value(depth: number): JsonValue {
    const line = this.line;
    const col = this.col();
    const t = this.text;
    if (this.pos >= t.length) this.fail('unexpected end of input, expected a value');
    const c = t[this.pos];
    switch (c) {
      case '{':
        return this.object(depth + 1, line, col);
      case '[':
        return this.array(depth + 1, line, col);
      case '"':
        return { kind: 'string', value: this.string(), line, col };
      case 't':
        this.literal('true');
        return { kind: 'bool', value: true, line, col };
      case 'f':
        this.literal('false');
        return { kind: 'bool', value: false, line, col };
      case 'n':
        this.literal('null');
        return { kind: 'null', line, col };
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return { kind: 'number', text: this.number(), line, col };
        return this.fail(`expected a value, found ${describeChar(t.codePointAt(this.pos) ?? 0)}`);
    }
  }

  private literal(word: string): void {
    if (!this.text.startsWith(word, this.pos)) this.fail(`expected a value (did you mean ${word}?)`);
    this.pos += word.length;
  }

  private enter(depth: number): void {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  private object(depth: number, line: number, col: number): JsonValue {
    this.enter(depth);
    this.pos++; // {
    const members: JsonMember[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', members, line, col };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') {
        if (members.length > 0 && this.text[this.pos] === '}') this.fail("trailing comma before '}'");
        this.fail(this.pos >= this.text.length ? 'unexpected end of input inside an object' : 'expected a string key');
      }
      const keyLine = this.line;
      const keyCol = this.col();
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail("expected ':' after an object key");
      this.pos++;
      this.skipWhitespace();
      const value = this.value(depth);
      members.push({ key, keyLine, keyCol, value });
      this.skipWhitespace();
      const next = this.text[this.pos];
      if (next === ',') {
        this.pos++;
        continue;
      }
      if (next === '}') {
        this.pos++;
        return { kind: 'object', members, line, col };
      }
      this.fail(next === undefined ? 'unexpected end of input inside an object' : "expected ',' or '}' in an object");
    }
  }

  private array(depth: number, line: number, col: number): JsonValue {
    this.enter(depth);
    this.pos++; // [
    const items: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items, line, col };
    }
    for (;;) {
      this.skipWhitespace();
      if (items.length > 0 && this.text[this.pos] === ']') this.fail("trailing comma before ']'");
      items.push(this.value(depth));
      this.skipWhitespace();
      const next = this.text[this.pos];
      if (next === ',') {
        this.pos++;
        continue;
      }
      if (next === ']') {
        this.pos++;
        return { kind: 'array', items, line, col };
      }
      this.fail(next === undefined ? 'unexpected end of input inside an array' : "expected ',' or ']' in an array");
    }
  }

  /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? ; returns the text. */
  private number(): string {
    const t = this.text;
    const start = this.pos;
    const digits = (): number => {
      const s = this.pos;
      while (this.pos < t.length && t[this.pos] >= '0' && t[this.pos] <= '9') this.pos++;
      return this.pos - s;
    };
    if (t[this.pos] === '-') this.pos++;
    if (t[this.pos] === '0') {
      this.pos++;
      if (t[this.pos] >= '0' && t[this.pos] <= '9') this.fail('invalid number: leading zero');
    } else if (digits() === 0) {
      this.fail('invalid number');
    }
    if (t[this.pos] === '.') {
      this.pos++;
      if (digits() === 0) this.fail('invalid number: no digits after the decimal point');
    }
    if (t[this.pos] === 'e' || t[this.pos] === 'E') {
      this.pos++;
      if (t[this.pos] === '+' || t[this.pos] === '-') this.pos++;
      if (digits() === 0) this.fail('invalid number: no digits in the exponent');
    }
    return t.slice(start, this.pos);
  }

  private string(): string {
    const t = this.text;
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('unexpected end of input inside a string');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character inside a string (escape it)');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(runStart, this.pos);
      this.pos++; // backslash
      const e = t[this.pos];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const unit = this.hex4();
          if (unit >= 0xdc00 && unit <= 0xdfff) this.fail('lone trailing surrogate in a \\u escape');
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (t[this.pos + 1] !== '\\' || t[this.pos + 2] !== 'u') this.fail('lone leading surrogate in a \\u escape');
            this.pos += 2;
            const low = this.hex4();
            if (low < 0xdc00 || low > 0xdfff) this.fail('lone leading surrogate in a \\u escape');
            out += String.fromCharCode(unit, low);
          } else {
            out += String.fromCharCode(unit);
          }
          break;
        }
        default:
          this.fail('invalid escape in a string');
      }
      this.pos++;
      runStart = this.pos;
    }
  }

  /** Reads the 4 hex digits after "\u" (pos on the 'u'); leaves pos on the last digit. */
  private hex4(): number {
    const h = this.text.slice(this.pos + 1, this.pos + 5);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('invalid \\u escape');
    this.pos += 4;
    return parseInt(h, 16);
  }
}

function describeChar(cp: number): string {
  if (cp >= 0x21 && cp <= 0x7e) return `'${String.fromCodePoint(cp)}'`;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}
