// A strict JSON (RFC 8259) reader for seccomp profiles. JSON.parse would
// round 64-bit argument values such as 18446744073709551615 to the nearest
// double; Go's encoding/json (runc, moby) and yajl (crun) read them exactly.
// Here an integer literal outside the safe range becomes a bigint, and a
// syntax error names its line and column.

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/** A syntax error at a 1-based line and column. */
export class JsonSyntaxError extends Error {
  constructor(readonly line: number, readonly column: number, readonly problem: string) {
    super(`${line}:${column}: ${problem}`);
    this.name = 'JsonSyntaxError';
  }
}

const MAX_DEPTH = 512;

/** Parse JSON text; integers beyond Number.MAX_SAFE_INTEGER come back as bigint. Duplicate keys: the last wins (as in Go). */
export function parseJson(text: string): JsonValue {
  let pos = 0;

  const fail = (problem: string, at = pos): never => {
    let line = 1;
    let col = 1;
    for (let i = 0; i < at && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    throw new JsonSyntaxError(line, col, problem);
  };
  const describe = (at: number): string => (at >= text.length ? 'end of input' : JSON.stringify(text[at]));

  const ws = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };

  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
    ws();
    const c = text[pos];
    if (c === '{') return object(depth);
    if (c === '[') return array(depth);
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    if (text.startsWith('true', pos)) return (pos += 4), true;
    if (text.startsWith('false', pos)) return (pos += 5), false;
    if (text.startsWith('null', pos)) return (pos += 4), null;
    return fail(`unexpected ${describe(pos)}, expected a value`);
  };

  const object = (depth: number): JsonValue => {
    pos++;
    const out: { [key: string]: JsonValue } = Object.create(null) as { [key: string]: JsonValue };
    ws();
    if (text[pos] === '}') return pos++, out;
    for (;;) {
      ws();
      if (text[pos] !== '"') fail(`unexpected ${describe(pos)}, expected a key in quotes`);
      const key = string();
      ws();
      if (text[pos] !== ':') fail(`unexpected ${describe(pos)}, expected ':'`);
      pos++;
      out[key] = value(depth + 1);
      ws();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') return pos++, out;
      return fail(`unexpected ${describe(pos)}, expected ',' or '}'`);
    }
  };

  const array = (depth: number): JsonValue => {
    pos++;
    const out: JsonValue[] = [];
    ws();
    if (text[pos] === ']') return pos++, out;
    for (;;) {
      out.push(value(depth + 1));
      ws();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === ']') return pos++, out;
      return fail(`unexpected ${describe(pos)}, expected ',' or ']'`);
    }
  };

  const string = (): string => {
    const start = pos;
    pos++;
    let out = '';
    let run = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(run, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail('control character in a string');
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(run, pos);
      const e = text[pos + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && e in simple) {
        out += simple[e];
        pos += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
        out += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16));
        pos += 6;
      } else {
        fail('bad escape in a string');
      }
      run = pos;
    }
  };

  const number = (): number | bigint => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(pos, pos + 400));
    if (!m) return fail('bad number');
    const lit = m[0];
    // A literal that runs on past 400 characters is not a number any profile holds.
    if (lit.length === 400) fail('number too long');
    pos += lit.length;
    if (m[2] === undefined && m[3] === undefined) {
      const n = Number(lit);
      return Number.isSafeInteger(n) ? n : BigInt(lit);
    }
    return Number(lit);
  };

  const v = value(0);
  ws();
  if (pos < text.length) fail(`unexpected ${describe(pos)} after the JSON value`);
  return v;
}
