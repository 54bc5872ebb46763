// The boxlite/Firecracker thread map: byte layout, boxlite's 100,000-byte
// bincode limit with its exact boundary, and one-line errors for bad input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeProgram, insn, type Insn } from 'unicorn-bpf-emulator';
import { SeccheckError } from '../errors.js';
import {
  BINCODE_ENTRY_CLAIM, BOXLITE_BYTES_LIMIT, decodeThreadMap, encodeThreadMap, loadBincode, looksLikeBincode,
} from './bincode.js';

const u64le = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const bytesOf = (...parts: (number[] | string)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));
const zeros = (n: number): Insn[] => Array.from({ length: n }, () => insn(0, 0, 0, 0));
const ret = (n: number, k = 0x7fff0000): Insn[] => Array.from({ length: n }, () => insn(0x06, 0, 0, k));

/** The error a decode of `bytes` throws (or fails the test). */
function decodeError(bytes: Uint8Array): SeccheckError {
  try {
    decodeThreadMap(bytes, 'map.bin');
  } catch (e) {
    if (e instanceof SeccheckError) return e;
    throw e;
  }
  throw new Error('decoded without an error');
}

const insnArb = fc.record({ code: fc.integer({ min: 0, max: 0xffff }), jt: fc.integer({ min: 0, max: 255 }), jf: fc.integer({ min: 0, max: 255 }), k: fc.nat({ max: 0xffffffff }) })
  .map((r) => insn(r.code, r.jt, r.jf, r.k));
/** Thread names boxlite keeps as they are (lowercase already), distinct. */
const threadsArb = fc.uniqueArray(
  fc.record({ thread: fc.string({ maxLength: 12 }).filter((s) => s === s.toLowerCase()), program: fc.array(insnArb, { maxLength: 40 }) }),
  { selector: (t) => t.thread, minLength: 1, maxLength: 6 },
);

describe('bincode thread map: layout', () => {
  it('is boxlite\'s own test vector: {"VcpU": [0, 0]} in fixed-int little-endian bincode, key lowercased on load', () => {
    const bytes = bytesOf(u64le(1n), u64le(4n), 'VcpU', u64le(2n), u64le(0n), u64le(0n));
    expect(encodeThreadMap([{ thread: 'VcpU', program: zeros(2) }])).toEqual(bytes);
    const loaded = loadBincode(bytes, 'map.bin');
    expect(loaded.programs).toEqual([{ thread: 'vcpu', arch: null, program: zeros(2) }]);
    expect(loaded.warnings).toContain('thread "vcpu": stored as "VcpU"; boxlite lowercases thread names');
  });

  it('each u64 is one struct sock_filter read as a little-endian u64 (the same 8 bytes as a raw file)', () => {
    const program = [insn(0x20, 0, 0, 4), insn(0x15, 1, 2, 0xc000003e), insn(0x06, 0, 0, 0x80000000)];
    const bytes = encodeThreadMap([{ thread: 'vmm', program }]);
    expect(bytes.subarray(8 + 8 + 3 + 8)).toEqual(encodeProgram(program, 'little'));
    expect(Array.from(bytes.subarray(27, 35))).toEqual([0x20, 0, 0, 0, 4, 0, 0, 0]);
  });

  it('writes keys sorted, whatever the order given', () => {
    const a = encodeThreadMap([{ thread: 'vmm', program: ret(1) }, { thread: 'api', program: ret(2) }, { thread: 'vcpu', program: [] }]);
    const b = encodeThreadMap([{ thread: 'vcpu', program: [] }, { thread: 'api', program: ret(2) }, { thread: 'vmm', program: ret(1) }]);
    expect(a).toEqual(b);
    expect(decodeThreadMap(a, 'm').entries.map((e) => e.key)).toEqual(['api', 'vcpu', 'vmm']);
  });

  it('round trip: decode(encode(map)) gives the programs back, and encode(decode(bytes)) the same bytes', () => {
    fc.assert(
      fc.property(threadsArb, (threads) => {
        const bytes = encodeThreadMap(threads);
        const loaded = loadBincode(bytes, 'map.bin');
        const sorted = [...threads].sort((x, y) => (x.thread < y.thread ? -1 : x.thread > y.thread ? 1 : 0));
        expect(loaded.programs.map((p) => ({ thread: p.thread, program: p.program }))).toEqual(sorted);
        expect(encodeThreadMap(loaded.programs.map((p) => ({ thread: p.thread as string, program: p.program })))).toEqual(bytes);
        expect(looksLikeBincode(bytes)).toBe(true);
      }),
    );
  });
});

describe('bincode thread map: boxlite\'s 100,000-byte limit (bincode 2 Limit, claimed bytes)', () => {
  // 8 + sum(16 + key + 8 x instructions): four threads, 12,489 instructions.
  const sized = (fourth: string) => encodeThreadMap([
    { thread: 'vmm', program: ret(4096) }, { thread: 'vcpu', program: ret(4096) },
    { thread: 'api', program: ret(4096) }, { thread: fourth, program: ret(201) },
  ]);

  it('99,999 and 100,000 bytes load; 100,001 bytes fail with LimitExceeded, one line', () => {
    const b99999 = sized('extra');
    const b100000 = sized('extra1');
    const b100001 = sized('gvproxy');
    expect([b99999.length, b100000.length, b100001.length]).toEqual([99_999, 100_000, 100_001]);
    expect(loadBincode(b99999, 'm').programs).toHaveLength(4);
    expect(loadBincode(b100000, 'm').programs).toHaveLength(4);
    const e = decodeError(b100001);
    expect(e.message).toMatch(/^map\.bin: bincode thread map exceeds boxlite's 100,000-byte deserialization limit \(DESERIALIZATION_BYTES_LIMIT\): .*100,001 bytes.*LimitExceeded$/);
    expect(e.message).not.toMatch(/\n/);
  });

  it('a one-entry map loads exactly when it is at most 100,000 bytes', () => {
    // 24 + key + 8n: a key of 7 + 8k bytes... sizes around the limit.
    for (const keyLen of [7, 8, 9]) {
      const bytes = encodeThreadMap([{ thread: 'k'.repeat(keyLen), program: ret(12_496) }]);
      expect(bytes.length).toBe(99_992 + keyLen);
      if (bytes.length <= BOXLITE_BYTES_LIMIT) expect(() => decodeThreadMap(bytes, 'm')).not.toThrow();
      else expect(decodeError(bytes).message).toMatch(/LimitExceeded/);
    }
  });

  it('the limit is not the file size: each entry not yet decoded counts 48 bytes (size_of (String, Vec<u64>))', () => {
    expect(BINCODE_ENTRY_CLAIM).toBe(48);
    const many = (n: number) => encodeThreadMap(Array.from({ length: n }, (_, i) => ({ thread: `t${String(i).padStart(4, '0')}`, program: [] })));
    // 8 + 48 x 2083 = 99,992 fits; 8 + 48 x 2084 = 100,040 does not, though the file is only 43,772 bytes.
    expect(loadBincode(many(2083), 'm').programs).toHaveLength(2083);
    const big = many(2084);
    expect(big.length).toBe(43_772);
    expect(decodeError(big).message).toMatch(/the thread map \(2084 entries x 48 bytes\).*100,040 bytes.*LimitExceeded/);
  });

  it('boxlite\'s own test: a program of DESERIALIZATION_BYTES_LIMIT + 1 instructions is LimitExceeded', () => {
    const bytes = encodeThreadMap([{ thread: 'VcpU', program: zeros(BOXLITE_BYTES_LIMIT + 1) }]);
    expect(decodeError(bytes).message).toMatch(/thread "VcpU" at byte 28 bincode counts 800,036 bytes, so boxlite fails with LimitExceeded/);
  });

  it('absurd counts (2^60, 2^64-1) fail at once with LimitExceeded, before any allocation', () => {
    for (const n of [1n << 60n, (1n << 64n) - 1n]) {
      const t0 = Date.now();
      expect(decodeError(bytesOf(u64le(n))).message).toMatch(/LimitExceeded/); // thread count
      expect(decodeError(bytesOf(u64le(1n), u64le(n))).message).toMatch(/LimitExceeded/); // key length
      expect(decodeError(bytesOf(u64le(1n), u64le(3n), 'vmm', u64le(n))).message).toMatch(/LimitExceeded/); // instruction count
      expect(Date.now() - t0).toBeLessThan(1000);
      // Detection does not believe them either.
      expect(looksLikeBincode(bytesOf(u64le(1n), u64le(3n), 'vmm', u64le(n)))).toBe(false);
    }
  });
});

describe('bincode thread map: bad input is one line naming the file', () => {
  const good = encodeThreadMap([{ thread: 'api', program: ret(3) }, { thread: 'vmm', program: ret(2) }]);

  it('boxlite\'s own test: "invalid data" is refused', () => {
    const e = decodeError(new TextEncoder().encode('invalid data'));
    expect(e.message).toMatch(/^map\.bin: /);
  });

  it('every truncation of a valid map is "truncated"', () => {
    for (let n = 0; n < good.length; n++) expect(decodeError(good.subarray(0, n)).message).toMatch(/^map\.bin: bincode thread map truncated: .*UnexpectedEof/);
  });

  it('trailing bytes are refused (boxlite would ignore them)', () => {
    const e = decodeError(bytesOf([...good], [0]));
    expect(e.message).toBe(`map.bin: 1 trailing byte after the bincode thread map, which ends at byte ${good.length} (boxlite's decoder stops there and ignores them)`);
  });

  it('invalid UTF-8 in a thread name', () => {
    expect(decodeError(bytesOf(u64le(1n), u64le(2n), [0xc3, 0x28], u64le(0n))).message).toMatch(/thread name 0 at byte 16 is not valid UTF-8 \(boxlite fails with Utf8\)/);
  });

  it('a thread given twice, or twice once lowercased', () => {
    const twice = bytesOf(u64le(2n), u64le(3n), 'vmm', u64le(0n), u64le(3n), 'vmm', u64le(0n));
    expect(decodeError(twice).message).toMatch(/thread "vmm" appears twice in the bincode thread map \(boxlite silently keeps the last one\)/);
    const folded = bytesOf(u64le(2n), u64le(3n), 'VMM', u64le(0n), u64le(3n), 'vmm', u64le(0n));
    expect(decodeError(folded).message).toMatch(/threads "VMM" and "vmm" are both "vmm" once boxlite lowercases them/);
  });

  it('random bytes: only SeccheckError, and only one line', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          decodeThreadMap(b, 'map.bin');
        } catch (e) {
          expect(e).toBeInstanceOf(SeccheckError);
          expect((e as Error).message).not.toMatch(/\n/);
        }
      }),
    );
  });
});

describe('bincode thread map: boxlite\'s rules as warnings', () => {
  it('an empty program means no seccomp for that thread; over 4096 instructions is FilterTooLarge; no vmm fails apply_vmm_filter', () => {
    const loaded = loadBincode(encodeThreadMap([{ thread: 'vcpu', program: [] }, { thread: 'api', program: ret(4097) }]), 'm');
    expect(loaded.programs.map((p) => [p.thread, p.program.length])).toEqual([['api', 4097], ['vcpu', 0]]);
    expect(loaded.warnings).toEqual([
      'thread "api": 4097 instructions: boxlite refuses it with FilterTooLarge (more than 4096)',
      'thread "vcpu": empty program: boxlite applies no seccomp filter',
      'no "vmm" thread: boxlite\'s apply_vmm_filter fails with "Missing vmm filter"',
    ]);
  });

  it('4096 instructions are fine; boxlite\'s empty filters (--no-seccomp) give three empty-program warnings', () => {
    expect(loadBincode(encodeThreadMap([{ thread: 'vmm', program: ret(4096) }]), 'm').warnings).toEqual([]);
    const empty = loadBincode(encodeThreadMap(['vmm', 'api', 'vcpu'].map((thread) => ({ thread, program: [] }))), 'm');
    expect(empty.warnings).toHaveLength(3);
    expect(empty.warnings.every((w) => w.endsWith('empty program: boxlite applies no seccomp filter'))).toBe(true);
  });
});
