import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insn } from './bpf.js';
import { decodeProgram, EmulatorInputError, encodeProgram, insnFromU64, insnToU64 } from './codec.js';
import { seccompData, seccompDataBytes, seccompDataFromWords, seccompDataWords } from './seccomp_data.js';

const anyInsn = fc
  .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffffffff }))
  .map(([c, jt, jf, k]) => insn(c, jt, jf, k));

describe('sock_filter codec', () => {
  it('lays out code, jt, jf, k little-endian', () => {
    const b = encodeProgram([insn(0x0015, 1, 2, 0xc000003e)], 'little');
    expect([...b]).toEqual([0x15, 0x00, 0x01, 0x02, 0x3e, 0x00, 0x00, 0xc0]);
  });

  it('lays out code, jt, jf, k big-endian', () => {
    const b = encodeProgram([insn(0x0015, 1, 2, 0xc000003e)], 'big');
    expect([...b]).toEqual([0x00, 0x15, 0x01, 0x02, 0xc0, 0x00, 0x00, 0x3e]);
  });

  for (const endian of ['little', 'big'] as const) {
    it(`round-trips any program (${endian}-endian)`, () => {
      fc.assert(
        fc.property(fc.array(anyInsn, { maxLength: 64 }), (p) => {
          expect(decodeProgram(encodeProgram(p, endian), endian)).toEqual(p);
        }),
      );
    });
    it(`round-trips any bytes of a whole number of instructions (${endian}-endian)`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 32 }).chain((n) => fc.uint8Array({ minLength: 8 * n, maxLength: 8 * n })), (bytes) => {
          expect(encodeProgram(decodeProgram(bytes, endian), endian)).toEqual(bytes);
        }),
      );
    });
  }

  it('rejects a length that is not a multiple of 8, saying so', () => {
    expect(() => decodeProgram(new Uint8Array(12))).toThrow(EmulatorInputError);
    expect(() => decodeProgram(new Uint8Array(12))).toThrow(/length 12 is not a multiple of 8/);
  });

  it('packs instructions into the u64 of Firecracker thread maps and back', () => {
    expect(insnToU64(insn(0x15, 1, 2, 0xc000003e))).toBe(0xc000003e_02_01_0015n);
    fc.assert(fc.property(anyInsn, (i) => {
      expect(insnFromU64(insnToU64(i))).toEqual(i);
    }));
  });
});

describe('seccomp_data', () => {
  const d = seccompData(39, 0xc000003e, [0x1122334455667788n, 0, 0, 0, 0, 0xabcn << 32n], 0x401000n);

  it('puts the low half of a u64 at the lower offset on little-endian arches (SEMANTICS 1.2)', () => {
    const w = seccompDataWords(d, 'little');
    expect(w[0]).toBe(39);
    expect(w[1]).toBe(0xc000003e);
    expect(w[2]).toBe(0x401000);
    expect(w[3]).toBe(0);
    expect(w[4]).toBe(0x55667788); // LD [16]
    expect(w[5]).toBe(0x11223344); // LD [20]
    expect(w[15]).toBe(0xabc); // LD [60]: args[5] high
  });

  it('puts the high half first on big-endian arches', () => {
    const w = seccompDataWords(d, 'big');
    expect(w[4]).toBe(0x11223344);
    expect(w[5]).toBe(0x55667788);
    expect(w[14]).toBe(0xabc);
  });

  it('stores nr as a signed 32-bit value (syscall(-1) reads 0xffffffff)', () => {
    expect(seccompDataWords(seccompData(-1, 0xc000003e))[0]).toBe(0xffffffff);
    expect(seccompDataFromWords(seccompDataWords(seccompData(-1, 0xc000003e))).nr).toBe(-1);
  });

  it('round-trips through words and bytes in both byte orders', () => {
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 0xffffffff }), fc.array(u64, { minLength: 6, maxLength: 6 }), u64, fc.constantFrom('little' as const, 'big' as const), (nr, arch, args, ip, endian) => {
        const data = seccompData(nr, arch, args, ip);
        expect(seccompDataFromWords(seccompDataWords(data, endian), endian)).toEqual(data);
        const bytes = seccompDataBytes(data, endian);
        const view = new DataView(bytes.buffer);
        expect(view.getInt32(0, endian === 'little')).toBe(nr);
        expect(view.getBigUint64(16, endian === 'little')).toBe(args[0]);
        expect(view.getBigUint64(8, endian === 'little')).toBe(ip);
      }),
    );
  });
});
