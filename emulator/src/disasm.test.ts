import { describe, expect, it } from 'vitest';
import { assemble } from './asm.js';
import { archByName } from './audit_arch.js';
import { insn, type Insn } from './bpf.js';
import { disassemble } from './disasm.js';
import { knownArch } from './known_arch.js';
import { AARCH64, hostileResolver, I386, testResolver, X86_64 } from './__test-helpers__/syscall_resolver.js';

const x86_64 = archByName('x86_64')!;
const aarch64 = archByName('aarch64')!;

// SEMANTICS §5.4: libseccomp 2.5.4, default ALLOW, deny getpid, deny kill(1, ...).
const LIBSECCOMP_5_4: Insn[] = [
  insn(0x20, 0, 0, 4),
  insn(0x15, 0, 11, 0xc000003e),
  insn(0x20, 0, 0, 0),
  insn(0x35, 0, 1, 0x40000000),
  insn(0x15, 0, 8, 0xffffffff),
  insn(0x15, 6, 0, 39),
  insn(0x15, 0, 4, 62),
  insn(0x20, 0, 0, 20),
  insn(0x15, 0, 2, 0),
  insn(0x20, 0, 0, 16),
  insn(0x15, 1, 0, 1),
  insn(0x06, 0, 0, 0x7fff0000),
  insn(0x06, 0, 0, 0x00050001),
  insn(0x06, 0, 0, 0),
];

const LISTING_BPF = `\
     ld [4]                       ; arch
     jeq #0xc000003e, L2, L13     ; AUDIT_ARCH_X86_64
L2:  ld [0]                       ; nr
     jge #0x40000000, L4, L5
L4:  jeq #0xffffffff, L5, L13
L5:  jeq #39, L12, L6             ; getpid
L6:  jeq #62, L7, L11             ; kill
L7:  ld [20]                      ; args[0].hi
     jeq #0, L9, L11
L9:  ld [16]                      ; args[0].lo
     jeq #1, L12, L11
L11: ret #0x7fff0000              ; ALLOW
L12: ret #0x50001                 ; ERRNO(1)
L13: ret #0                       ; KILL_THREAD
`;

const LISTING_C = `\
0000: A = arch
0001: if (A != AUDIT_ARCH_X86_64) goto 13
0002: A = nr
0003: if (A < 0x40000000) goto 5
0004: if (A != 0xffffffff) goto 13
0005: if (A == getpid) goto 12
0006: if (A != kill) goto 11
0007: A = args[0].hi
0008: if (A != 0) goto 11
0009: A = args[0].lo
0010: if (A == 1) goto 12
0011: return ALLOW
0012: return ERRNO(1)
0013: return KILL_THREAD
`;

describe('disassemble: the SEMANTICS §5.4 libseccomp filter', () => {
  it('prints the bpf syntax with labels on jump targets and names in comments', () => {
    expect(disassemble(LIBSECCOMP_5_4, { syscalls: testResolver })).toBe(LISTING_BPF);
  });

  it('prints the C syntax with indices, negated jumps and inline names', () => {
    expect(disassemble(LIBSECCOMP_5_4, { syntax: 'c', syscalls: testResolver })).toBe(LISTING_C);
  });

  it('prints numbers where there is no resolver', () => {
    const c = disassemble(LIBSECCOMP_5_4, { syntax: 'c' });
    expect(c).toContain('0005: if (A == 39) goto 12\n');
    expect(c).toContain('0006: if (A != 62) goto 11\n');
    expect(c).toContain('if (A != AUDIT_ARCH_X86_64) goto 13'); // arch names need no table
    expect(disassemble(LIBSECCOMP_5_4)).toContain('L5:  jeq #39, L12, L6\n');
  });

  it('assembles both listings back to the program', () => {
    expect(assemble(LISTING_BPF, { syscalls: testResolver })).toEqual(LIBSECCOMP_5_4);
    expect(assemble(LISTING_C, { syscalls: testResolver })).toEqual(LIBSECCOMP_5_4);
  });
});

describe('disassemble: every classic opcode', () => {
  // [code, jt, jf, k] in a 3-instruction program at index 0 (two RETs follow), bpf text, C text.
  const cases: [number, number, number, number, string, string][] = [
    [0x00, 0, 0, 0x7fff0000, 'ld #0x7fff0000', 'A = 0x7fff0000'],
    [0x01, 0, 0, 5, 'ldx #5', 'X = 5'],
    [0x02, 0, 0, 3, 'st M[3]', 'M[3] = A'],
    [0x03, 0, 0, 15, 'stx M[15]', 'M[15] = X'],
    [0x04, 0, 0, 5, 'add #5', 'A += 5'],
    [0x0c, 0, 0, 0, 'add x', 'A += X'],
    [0x14, 0, 0, 16, 'sub #0x10', 'A -= 0x10'],
    [0x1c, 0, 0, 0, 'sub x', 'A -= X'],
    [0x24, 0, 0, 3, 'mul #3', 'A *= 3'],
    [0x2c, 0, 0, 0, 'mul x', 'A *= X'],
    [0x34, 0, 0, 2, 'div #2', 'A /= 2'],
    [0x3c, 0, 0, 0, 'div x', 'A /= X'],
    [0x44, 0, 0, 1, 'or #1', 'A |= 1'],
    [0x4c, 0, 0, 0, 'or x', 'A |= X'],
    [0x54, 0, 0, 0xff, 'and #0xff', 'A &= 0xff'],
    [0x5c, 0, 0, 0, 'and x', 'A &= X'],
    [0x64, 0, 0, 4, 'lsh #4', 'A <<= 4'],
    [0x6c, 0, 0, 0, 'lsh x', 'A <<= X'],
    [0x74, 0, 0, 31, 'rsh #0x1f', 'A >>= 0x1f'],
    [0x7c, 0, 0, 0, 'rsh x', 'A >>= X'],
    [0x84, 0, 0, 0, 'neg', 'A = -A'],
    [0x94, 0, 0, 3, 'mod #3', 'A %= 3'],
    [0x9c, 0, 0, 0, 'mod x', 'A %= X'],
    [0xa4, 0, 0, 6, 'xor #6', 'A ^= 6'],
    [0xac, 0, 0, 0, 'xor x', 'A ^= X'],
    [0x05, 0, 0, 1, 'ja L2', 'goto 2'],
    [0x15, 0, 1, 7, 'jeq #7, L1, L2', 'if (A != 7) goto 2'],
    [0x1d, 1, 0, 0, 'jeq x, L2, L1', 'if (A == X) goto 2'],
    [0x25, 0, 1, 7, 'jgt #7, L1, L2', 'if (A <= 7) goto 2'],
    [0x2d, 1, 1, 0, 'jgt x, L2, L2', 'if (A > X) goto 2; else goto 2'],
    [0x35, 0, 1, 7, 'jge #7, L1, L2', 'if (A < 7) goto 2'],
    [0x3d, 1, 0, 0, 'jge x, L2, L1', 'if (A >= X) goto 2'],
    [0x45, 0, 1, 7, 'jset #7, L1, L2', 'if (!(A & 7)) goto 2'],
    [0x4d, 1, 0, 0, 'jset x, L2, L1', 'if (A & X) goto 2'],
    [0x06, 0, 0, 0x7ffc0000, 'ret #0x7ffc0000', 'return LOG'],
    [0x16, 0, 0, 0, 'ret a', 'return A'],
    [0x07, 0, 0, 0, 'tax', 'X = A'],
    [0x87, 0, 0, 0, 'txa', 'A = X'],
    [0x20, 0, 0, 24, 'ld [24]', 'A = args[1].lo'],
    [0x28, 0, 0, 2, 'ldh [2]', 'A = data16[2]'],
    [0x30, 0, 0, 70, 'ldb [70]', 'A = data8[70]'],
    [0x40, 0, 0, 4, 'ld [x+4]', 'A = data[X + 4]'],
    [0x48, 0, 0, 0, 'ldh [x+0]', 'A = data16[X + 0]'],
    [0x50, 0, 0, 9, 'ldb [x+9]', 'A = data8[X + 9]'],
    [0x60, 0, 0, 3, 'ld M[3]', 'A = M[3]'],
    [0x61, 0, 0, 3, 'ldx M[3]', 'X = M[3]'],
    [0x80, 0, 0, 0, 'ld #len', 'A = len'],
    [0x81, 0, 0, 0, 'ldx #len', 'X = len'],
    [0xb1, 0, 0, 14, 'ldx 4*([14]&0xf)', 'X = 4 * (data8[14] & 0xf)'],
  ];
  it('covers the 49 classic opcodes', () => {
    expect(new Set(cases.map((c) => c[0])).size).toBe(49);
  });
  for (const [code, jt, jf, k, bpf, c] of cases) {
    const p = [insn(code, jt, jf, k), insn(0x06, 0, 0, 0), insn(0x06, 0, 0, 0)];
    it(`0x${code.toString(16).padStart(2, '0')}: ${bpf} / ${c}`, () => {
      expect(disassemble(p).split('\n')[0].trim().replace(/\s+;.*$/, '')).toBe(bpf);
      expect(disassemble(p, { syntax: 'c' }).split('\n')[0]).toBe(`0000: ${c}`);
      expect(assemble(disassemble(p))).toEqual(p);
      expect(assemble(disassemble(p, { syntax: 'c' }))).toEqual(p);
    });
  }
});

describe('disassemble: raw forms', () => {
  const one = (ins: Insn, syntax: 'bpf' | 'c' = 'c'): string => disassemble([ins, insn(0x06, 0, 0, 0)], { syntax }).split('\n')[0];
  it('prints unknown opcodes raw, with the reason', () => {
    expect(one(insn(0x0e, 0, 0, 0))).toBe('0000: raw(0x000e, 0, 0, 0)  // raw: not a classic BPF opcode');
    expect(one(insn(0x0106, 1, 2, 0xdead), 'bpf')).toBe('  .insn 0x0106, 1, 2, 0xdead   ; raw: not an 8-bit opcode');
    expect(one(insn(0x21, 0, 0, 4))).toContain('raw(0x0021, 0, 0, 4)');
  });
  it('prints unused fields that are not zero raw', () => {
    expect(one(insn(0x00, 1, 0, 5))).toBe('0000: raw(0x0000, 1, 0, 5)  // raw: jt/jf are unused but not 0');
    expect(one(insn(0x0c, 0, 0, 1))).toBe('0000: raw(0x000c, 0, 0, 1)  // raw: k is unused but not 0');
    expect(one(insn(0x1d, 0, 0, 0x10))).toContain('raw(0x001d, 0, 0, 0x10)');
    expect(one(insn(0x16, 0, 0, 7))).toContain('raw(0x0016, 0, 0, 7)');
    expect(one(insn(0x05, 1, 0, 0))).toContain('raw(0x0005, 1, 0, 0)');
    expect(one(insn(0x80, 0, 0, 64))).toContain('raw(0x0080, 0, 0, 0x40)');
  });
  it('prints jumps past the last instruction raw', () => {
    expect(one(insn(0x15, 0, 1, 39))).toBe('0000: raw(0x0015, 0, 1, 0x27)  // raw: jumps past the last instruction');
    expect(one(insn(0x05, 0, 0, 0xffffffff), 'bpf')).toContain('.insn 0x0005, 0, 0, 0xffffffff');
    expect(one(insn(0x15, 0, 0, 39))).toBe('0000: if (A == 0x27) goto 1');
  });
});

describe('disassemble: actions', () => {
  const ret = (k: number): string => disassemble([insn(0x06, 0, 0, k)], { syntax: 'c' }).trim();
  it('names the eight actions and keeps data bits', () => {
    expect(ret(0x7fff0000)).toBe('0000: return ALLOW');
    expect(ret(0x7fff0007)).toBe('0000: return ALLOW(7)');
    expect(ret(0x80000000)).toBe('0000: return KILL_PROCESS');
    expect(ret(0x80000005)).toBe('0000: return KILL_PROCESS(5)');
    expect(ret(0)).toBe('0000: return KILL_THREAD');
    expect(ret(0x0003beef)).toBe('0000: return TRAP(0xbeef)');
    expect(ret(0x00030000)).toBe('0000: return TRAP(0)');
    expect(ret(0x00050000)).toBe('0000: return ERRNO(0)');
    expect(ret(0x00050026)).toBe('0000: return ERRNO(38)');
    expect(ret(0x7ff00003)).toBe('0000: return TRACE(3)');
    expect(ret(0x7ffc0000)).toBe('0000: return LOG');
    expect(ret(0x7fc00000)).toBe('0000: return USER_NOTIF');
  });
  it('prints unknown actions in hex with a note', () => {
    expect(ret(0x00010000)).toBe('0000: return 0x00010000  // unknown action (acts as KILL_PROCESS)');
    expect(disassemble([insn(0x06, 0, 0, 0x00010000)])).toBe('  ret #0x10000                 ; unknown action (acts as KILL_PROCESS)\n');
  });
});

// An x86_64 and an aarch64 block that meet at instruction 8.
function twoArchFilter(): Insn[] {
  return [
    /* 0 */ insn(0x20, 0, 0, 4),
    /* 1 */ insn(0x15, 0, 3, X86_64),
    /* 2 */ insn(0x20, 0, 0, 0),
    /* 3 */ insn(0x15, 6, 0, 39),
    /* 4 */ insn(0x05, 0, 0, 3), // x86_64, not getpid: on to 8
    /* 5 */ insn(0x15, 0, 3, AARCH64),
    /* 6 */ insn(0x20, 0, 0, 0),
    /* 7 */ insn(0x15, 2, 0, 172),
    /* 8 */ insn(0x15, 1, 0, 39), // reached from both arches: 39 is getpid only on x86_64
    /* 9 */ insn(0x06, 0, 0, 0x7fff0000),
    /* 10 */ insn(0x06, 0, 0, 0x00050001),
  ];
}

describe('disassemble: syscall and arch names', () => {
  it('names a number by the arch the program established', () => {
    const c = disassemble(twoArchFilter(), { syntax: 'c', syscalls: testResolver });
    expect(c).toContain('0001: if (A != AUDIT_ARCH_X86_64) goto 5\n');
    expect(c).toContain('0003: if (A == getpid) goto 10\n');
    expect(c).toContain('0005: if (A != AUDIT_ARCH_AARCH64) goto 9\n');
    expect(c).toContain('0007: if (A == getpid) goto 10\n'); // 172 on aarch64
  });

  it('prints the number where paths with different arches join', () => {
    const c = disassemble(twoArchFilter(), { syntax: 'c', syscalls: testResolver });
    expect(c).toContain('0008: if (A == 39) goto 10\n');
    const f = knownArch(twoArchFilter());
    expect(f[3].auditArch).toBe(X86_64);
    expect(f[7].auditArch).toBe(AARCH64);
    expect(f[8].auditArch).toBeUndefined();
    expect(f[8].a).toBe('nr');
  });

  it('uses opts.arch only where no path tested the arch', () => {
    const noCheck = [insn(0x20, 0, 0, 0), insn(0x15, 0, 1, 172), insn(0x06, 0, 0, 0x50001), insn(0x06, 0, 0, 0x7fff0000)];
    expect(disassemble(noCheck, { syntax: 'c', syscalls: testResolver })).toContain('if (A != 172) goto 3');
    expect(disassemble(noCheck, { syntax: 'c', syscalls: testResolver, arch: aarch64 })).toContain('if (A != getpid) goto 3');
    expect(disassemble(noCheck, { syntax: 'c', syscalls: testResolver, arch: x86_64 })).toContain('if (A != 172) goto 3');
    // After a failed arch check the default no longer applies: 39 on the false branch stays a number.
    const falseBranch = [insn(0x20, 0, 0, 4), insn(0x15, 2, 0, X86_64), insn(0x20, 0, 0, 0), insn(0x15, 0, 0, 39), insn(0x06, 0, 0, 0)];
    const c = disassemble(falseBranch, { syntax: 'c', syscalls: testResolver, arch: x86_64 });
    expect(c).toContain('0003: if (A == 39) goto 4');
  });

  it('does not name a number in a comparison that is not JEQ', () => {
    const p = [insn(0x20, 0, 0, 4), insn(0x15, 0, 2, X86_64), insn(0x20, 0, 0, 0), insn(0x35, 0, 0, 39), insn(0x06, 0, 0, 0)];
    expect(disassemble(p, { syntax: 'c', syscalls: testResolver })).toContain('0003: if (A >= 39) goto 4');
  });

  it('prints the number when the name does not map back to it (x32 numbers here)', () => {
    const p = [insn(0x20, 0, 0, 4), insn(0x15, 0, 2, X86_64), insn(0x20, 0, 0, 0), insn(0x15, 0, 0, 0x40000027), insn(0x06, 0, 0, 0)];
    expect(testResolver.name(X86_64, 0x40000027)).toBe('getpid');
    expect(disassemble(p, { syntax: 'c', syscalls: testResolver })).toContain('0003: if (A == 0x40000027) goto 4');
    expect(disassemble(p, { syscalls: testResolver })).toContain('jeq #0x40000027, L4, L4\n');
  });

  it('never prints a name the assembler would read as something else', () => {
    const p: Insn[] = [insn(0x20, 0, 0, 4), insn(0x15, 0, 16, X86_64), insn(0x20, 0, 0, 0)];
    for (let nr = 0; nr < 15; nr++) p.push(insn(0x15, 14 - nr, 0, nr));
    p.push(insn(0x06, 0, 0, 0));
    for (const syntax of ['bpf', 'c'] as const) {
      const text = disassemble(p, { syntax, syscalls: hostileResolver });
      expect(assemble(text, { syscalls: hostileResolver })).toEqual(p);
      if (syntax === 'c') {
        expect(text).toContain('if (A == L3) goto 18'); // nr 8: a plain name that maps back
        expect(text).toContain('if (A == getpid) goto 18'); // nr 14
        expect(text).toContain('if (A == 0) goto 18'); // 'X' is the register
        expect(text).toContain('if (A == 3) goto 18'); // 'ALLOW' is an action
      }
    }
  });

  it('names AUDIT_ARCH values in every comparison with the arch word, not elsewhere', () => {
    const p = [insn(0x20, 0, 0, 4), insn(0x25, 0, 1, I386), insn(0x00, 0, 0, X86_64), insn(0x15, 0, 0, X86_64), insn(0x06, 0, 0, 0)];
    const c = disassemble(p, { syntax: 'c' });
    expect(c).toContain('0001: if (A <= AUDIT_ARCH_I386) goto 3');
    expect(c).toContain('0002: A = 0xc000003e');
    expect(c).toContain('0003: if (A == 0xc000003e) goto 4');
  });
});

describe('disassemble: halves of 64-bit words follow the byte order', () => {
  const loads = [insn(0x20, 0, 0, 8), insn(0x20, 0, 0, 12), insn(0x20, 0, 0, 16), insn(0x20, 0, 0, 60), insn(0x20, 0, 0, 2), insn(0x06, 0, 0, 0)];
  it('little-endian by default: the low half at the lower offset', () => {
    const c = disassemble(loads, { syntax: 'c' });
    expect(c).toBe('0000: A = ip.lo\n0001: A = ip.hi\n0002: A = args[0].lo\n0003: A = args[5].hi\n0004: A = data[2]\n0005: return KILL_THREAD\n');
  });
  it('big-endian when asked, or when opts.arch is big-endian', () => {
    const want = '0000: A = ip.hi\n0001: A = ip.lo\n0002: A = args[0].hi\n0003: A = args[5].lo\n';
    expect(disassemble(loads, { syntax: 'c', endian: 'big' })).toContain(want);
    expect(disassemble(loads, { syntax: 'c', arch: archByName('s390x') })).toContain(want);
    expect(disassemble(loads, { syntax: 'c', arch: archByName('s390x'), endian: 'little' })).toContain('0002: A = args[0].lo');
  });
  it('big-endian after the program established a big-endian arch', () => {
    const p = [insn(0x20, 0, 0, 4), insn(0x15, 0, 1, 0x80000016), insn(0x20, 0, 0, 16), insn(0x20, 0, 0, 16), insn(0x06, 0, 0, 0)];
    const c = disassemble(p, { syntax: 'c' });
    expect(c).toContain('0002: A = args[0].hi');
    expect(c).toContain('0003: A = args[0].lo'); // reached also from the false branch: arch unknown
    expect(disassemble(p)).toMatch(/L2: +ld \[16\] +; args\[0\]\.hi\nL3: +ld \[16\] +; args\[0\]\.lo\n/);
  });
});
