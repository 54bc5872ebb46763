import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../../emulator/src/__test-helpers__/runs.js';
import { JsonSyntaxError, parseJson, type JsonValue } from './oci_json.js';

/** bigint -> number, null-prototype objects -> plain ones, for comparing with JSON.parse. */
const plain = (v: JsonValue): unknown => {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
};

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJson(text);
  } catch (e) {
    expect(e).toBeInstanceOf(JsonSyntaxError);
    return e as JsonSyntaxError;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseJson', () => {
  it('reads what JSON.parse reads', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v, null, Math.random() < 0.5 ? 2 : undefined);
        expect(plain(parseJson(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: numRuns(500) },
    );
  });

  it('keeps 64-bit integers exact, as Go and yajl do', () => {
    expect(parseJson('18446744073709551615')).toBe(18446744073709551615n);
    expect(parseJson('[9007199254740991, 9007199254740993, -9007199254740993]')).toEqual([9007199254740991, 9007199254740993n, -9007199254740993n]);
    expect(parseJson('1.5e3')).toBe(1500);
  });

  it('keeps "__proto__" an ordinary key; duplicate keys: the last wins', () => {
    const v = parseJson('{"__proto__": {"x": 1}, "a": 1, "a": 2}') as Record<string, JsonValue>;
    expect(Object.keys(v)).toEqual(['__proto__', 'a']);
    expect(v.a).toBe(2);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('names the line and column of a syntax error', () => {
    expect(syntaxError('{\n  "a": 1,\n  "b": tru\n}')).toMatchObject({ line: 3, column: 8, problem: 'unexpected "t", expected a value' });
    expect(syntaxError('{"a": 1,}')).toMatchObject({ line: 1, column: 9, problem: 'unexpected "}", expected a key in quotes' });
    expect(syntaxError('[1 2]')).toMatchObject({ column: 4, problem: `unexpected "2", expected ',' or ']'` });
    expect(syntaxError('"abc')).toMatchObject({ column: 1, problem: 'unterminated string' });
    expect(syntaxError('"a\\x"').problem).toBe('bad escape in a string');
    expect(syntaxError('"a\tb"').problem).toBe('control character in a string');
    expect(syntaxError('01').problem).toBe('unexpected "1" after the JSON value');
    expect(syntaxError('').problem).toBe('unexpected end of input, expected a value');
    expect(syntaxError('[NaN]').problem).toBe('unexpected "N", expected a value');
    expect(syntaxError('['.repeat(600)).problem).toBe('nested deeper than 512 levels');
  });
});
