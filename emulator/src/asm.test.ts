import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsmError, assemble, type AsmOptions } from './asm.js';
import { SHAPES } from './asm_syntax.js';
import { archByName } from './audit_arch.js';
import { insn, type Insn } from './bpf.js';
import { EmulatorInputError } from './codec.js';
import { disassemble } from './disasm.js';
import { numRuns } from './__test-helpers__/runs.js';
import { loadCorpusFilters } from './__test-helpers__/corpus.js';
import { AARCH64, hostileResolver, I386, testResolver, X86_64 } from './__test-helpers__/syscall_resolver.js';

const x86_64 = archByName('x86_64')!;
const aarch64 = archByName('aarch64')!;

/** The AsmError `assemble` throws. */
function asmError(text: string, opts?: AsmOptions): AsmError {
  try {
    assemble(text, opts);
  } catch (e) {
    if (e instanceof AsmError) return e;
    throw e;
  }
  throw new Error(`assembled without error: ${JSON.stringify(text)}`);
}

describe('assemble: hand-written bpf syntax', () => {
  it('takes any label names, decimal and hex, blank lines and comments', () => {
    const text = `
      ; a deny-list for x86_64
      ld [4]                          ; arch
      jeq #0xc000003e, native, kill   /* AUDIT_ARCH_X86_64 */
    native:
      ld [0]
      jeq #39, deny                   // getpid: jf falls through
      jne #62, allow                  ; kill? (jt falls through)
      ret #0x50001
    allow: ret #2147418112
    kill:  RET #0
    deny:
      ret ERRNO(1)
    `;
    expect(assemble(text)).toEqual([
      insn(0x20, 0, 0, 4),
      insn(0x15, 0, 5, X86_64),
      insn(0x20, 0, 0, 0),
      insn(0x15, 4, 0, 39),
      insn(0x15, 0, 1, 62),
      insn(0x06, 0, 0, 0x50001),
      insn(0x06, 0, 0, 0x7fff0000),
      insn(0x06, 0, 0, 0),
      insn(0x06, 0, 0, 0x50001),
    ]);
  });

  it('reads jlt/jle as JGE/JGT with the label in jf, and x forms', () => {
    const p = assemble('jlt #10, a\njle x, a\njset %x, a, b\njge #-1, b\na: ret a\nb: ret %a');
    expect(p).toEqual([
      insn(0x35, 0, 3, 10),
      insn(0x2d, 0, 2, 0),
      insn(0x4d, 1, 2, 0),
      insn(0x35, 1, 0, 0xffffffff),
      insn(0x16, 0, 0, 0),
      insn(0x16, 0, 0, 0),
    ]);
  });

  it('reads every load form and the raw directive', () => {
    const p = assemble(`
      ld #len
      ldi #7
      ld M[15]
      ldh [2]
      ldb [x + 3]
      ld [x+0x10]
      ldx #len
      ldxi #0b101
      ldxb 4*([14]&0xf)
      ldx 4 * ( [14] & 0xf )
      .insn 0x0094, 1, 2, 0x3
    `);
    expect(p).toEqual([
      insn(0x80, 0, 0, 0), insn(0x00, 0, 0, 7), insn(0x60, 0, 0, 15), insn(0x28, 0, 0, 2), insn(0x50, 0, 0, 3),
      insn(0x40, 0, 0, 16), insn(0x81, 0, 0, 0), insn(0x01, 0, 0, 5), insn(0xb1, 0, 0, 14), insn(0xb1, 0, 0, 14),
      insn(0x94, 1, 2, 3),
    ]);
  });

  it('resolves syscall and arch names with the arch the program establishes', () => {
    const text = `
      ld [4]
      jeq #AUDIT_ARCH_AARCH64, arm, out
    arm:
      ld [0]
      jeq #getpid, deny, out
    out: ret ALLOW
    deny: ret #0x50001
    `;
    expect(assemble(text, { syscalls: testResolver })).toEqual([
      insn(0x20, 0, 0, 4), insn(0x15, 0, 2, AARCH64), insn(0x20, 0, 0, 0), insn(0x15, 1, 0, 172),
      insn(0x06, 0, 0, 0x7fff0000), insn(0x06, 0, 0, 0x50001),
    ]);
  });
});

describe('assemble: hand-written C syntax', () => {
  it('takes statements with or without indices, names, and else branches', () => {
    const text = `
      // allow-list for x86_64 and i386
      A = arch
      if (A == AUDIT_ARCH_X86_64) goto 4
      if (A == AUDIT_ARCH_I386) goto 8; else goto 11
      0003: return KILL_PROCESS
      A = nr;
      if (A == read) goto 10
      if (A != write) goto 12
      goto 10
      A = nr
      if (A > getpid) goto 12; else goto 10
      return ALLOW
      return KILL
      return ERRNO(1)
    `;
    expect(assemble(text, { syscalls: testResolver })).toEqual([
      insn(0x20, 0, 0, 4),
      insn(0x15, 2, 0, X86_64),
      insn(0x15, 5, 8, I386),
      insn(0x06, 0, 0, 0x80000000),
      insn(0x20, 0, 0, 0),
      insn(0x15, 4, 0, 0),
      insn(0x15, 0, 5, 1),
      insn(0x05, 0, 0, 2),
      insn(0x20, 0, 0, 0),
      insn(0x25, 2, 0, 20), // getpid on i386
      insn(0x06, 0, 0, 0x7fff0000),
      insn(0x06, 0, 0, 0),
      insn(0x06, 0, 0, 0x50001),
    ]);
  });

  it('swaps the targets of a negated condition with an else branch', () => {
    const p = assemble('if (A != 5) goto 3; else goto 2\nif (!(A & X)) goto 3\nreturn A\nreturn 0x00010000');
    expect(p).toEqual([insn(0x15, 1, 2, 5), insn(0x4d, 0, 1, 0), insn(0x16, 0, 0, 0), insn(0x06, 0, 0, 0x10000)]);
  });

  it('places args halves by the byte order known at each instruction', () => {
    const text = 'A = arch\nif (A != AUDIT_ARCH_S390X) goto 3\nA = args[1].lo\nA = args[1].lo\nreturn A';
    expect(assemble(text).map((i) => i.k)).toEqual([4, 0x80000016, 28, 24, 0]);
    expect(assemble(text, { endian: 'little' }).map((i) => i.k)).toEqual([4, 0x80000016, 24, 24, 0]);
    expect(assemble('A = ip.hi\nA = data[X + 4]\nA = data16[6]\nX = 4 * (data8[1] & 15)', { arch: archByName('ppc64') })).toEqual([
      insn(0x20, 0, 0, 8), insn(0x40, 0, 0, 4), insn(0x28, 0, 0, 6), insn(0xb1, 0, 0, 1),
    ]);
  });

  it('takes labels as goto targets too', () => {
    expect(assemble('start: A = len\nif (A >= 64) goto big\ngoto out\nbig: out: return A', { syntax: 'c' })).toEqual([
      insn(0x80, 0, 0, 0), insn(0x35, 1, 0, 64), insn(0x05, 0, 0, 0), insn(0x16, 0, 0, 0),
    ]);
    expect(assemble('jmp end\nend: ret a')).toEqual([insn(0x05, 0, 0, 0), insn(0x16, 0, 0, 0)]);
  });

  it('detects the syntax, or takes it from the options', () => {
    expect(assemble('ret #1')).toEqual([insn(0x06, 0, 0, 1)]);
    expect(assemble('return 1')).toEqual([insn(0x06, 0, 0, 1)]);
    expect(assemble('; comment\nL0: tax')).toEqual([insn(0x07, 0, 0, 0)]);
    expect(assemble('0000: X = A')).toEqual([insn(0x07, 0, 0, 0)]);
    expect(assemble('')).toEqual([]);
    expect(asmError('tax', { syntax: 'c' }).message).toBe("line 1: unknown statement 'tax'");
  });
});

describe('assemble: errors name the line and the problem', () => {
  const cases: [string, AsmOptions | undefined, number, string][] = [
    ['ld [4]\nlod [0]', undefined, 2, "line 2: unknown instruction 'lod'"],
    ['ja nowhere\nret #0', undefined, 1, "line 1: no label 'nowhere'"],
    ['a: ret #0\na: ret #1', undefined, 2, "line 2: label 'a' is already defined on line 1"],
    ['a: ld #1\n\njeq #1, a, a\nret #0', undefined, 3, "line 3: jump to label 'a', which is not after this instruction (1); jumps go forward only"],
    ['jeq #1, end\nret #0\nend:', undefined, 1, "line 1: jump to label 'end', past the last instruction (1)"],
    [`jeq #1, far\n${'ret #0\n'.repeat(256)}far: ret #1`, undefined, 1, "line 1: jump to label 'far' is 256 instructions ahead; a conditional jump reaches at most 255"],
    ['A = nr\n\n\n\n\n\nif (A == getpid) goto 2\nreturn ALLOW', { syscalls: testResolver }, 7, "line 7: syscall name 'getpid' needs a known arch; add an arch check or pass --arch"],
    ['A = arch\nif (A != AUDIT_ARCH_X86_64) goto 4\nA = nr\nif (A == getpdi) goto 4\nreturn 0', { syscalls: testResolver }, 4, "line 4: unknown syscall 'getpdi' for AUDIT_ARCH_X86_64"],
    ['A = nr\nif (A == getpid) goto 2\nreturn 0', { arch: x86_64 }, 2, "line 2: syscall name 'getpid' needs a syscall table, and none was given"],
    ['A = arch\nif (A == getpid) goto 2\nreturn 0', { arch: x86_64, syscalls: testResolver }, 2, "line 2: syscall name 'getpid' is compared with the arch word; use an AUDIT_ARCH_* name or a number"],
    ['return 0\nif (A == getpid) goto 2\nreturn 0', { syscalls: testResolver }, 2, "line 2: syscall name 'getpid' needs a known arch; add an arch check or pass --arch (no path reaches this instruction)"],
    ['0000: A = nr\n0002: return A', undefined, 2, "line 2: index 0002 does not match the instruction's position 1"],
    ['ld #0x100000000', undefined, 1, 'line 1: 0x100000000 does not fit in 32 bits'],
    ['ld #010', undefined, 1, "line 1: ambiguous number '010' (leading zero); write it in decimal without the zero or in 0x hex"],
    ['ld #12ab', undefined, 1, "line 1: bad number '12ab'"],
    ['ret #0\n/* open\nret #1', undefined, 2, "line 2: comment '/*' is not closed"],
    ['ret #0 $', undefined, 1, "line 1: unexpected character '$'"],
    ['jeq #1 L1\nL1: ret #0', undefined, 1, "line 1: expected ',', found 'L1'"],
    ['ld #AUDIT_ARCH_VAX', undefined, 1, "line 1: unknown arch constant 'AUDIT_ARCH_VAX'"],
    ['return ERRNO(65536)', undefined, 1, 'line 1: 65536 is out of range for ERRNO data (at most 0xffff)'],
    ['A = args[6].lo', undefined, 1, 'line 1: 6 is out of range for an argument index (at most 5)'],
    ['A = args[0].mid', undefined, 1, "line 1: expected 'lo' or 'hi', found 'mid'"],
    ['raw(0x10000, 0, 0, 0)', undefined, 1, 'line 1: 0x10000 is out of range for an opcode (at most 0xffff)'],
    ['.insn 0x15, 256, 0, 0', undefined, 1, 'line 1: 256 is out of range for jt (at most 255)'],
    ['A = nr\nif (A == ALLOW) goto 2\nreturn 0', undefined, 2, "line 2: expected a number or a syscall name, found 'ALLOW'"],
    ['M[1] = 5', undefined, 1, "line 1: expected 'A' or 'X', found '5'"],
    ['ret #0 extra', undefined, 1, "line 1: unexpected 'extra'"],
    ['ld', undefined, 1, "line 1: expected '[', found end of line"],
    ['ret #-0x80000001', undefined, 1, 'line 1: 0x80000001 does not fit in 32 bits'],
  ];
  for (const [text, opts, line, message] of cases) {
    it(message, () => {
      const e = asmError(text, opts);
      expect(e.message).toBe(message);
      expect(e.line).toBe(line);
      expect(e).toBeInstanceOf(EmulatorInputError);
    });
  }
});

// ------------------------------------------------------------ round trips

const u8 = fc.integer({ min: 0, max: 0xff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const smallJump = fc.integer({ min: 0, max: 6 });
const anyInsn = fc.tuple(fc.integer({ min: 0, max: 0xffff }), u8, u8, u32).map(([c, jt, jf, k]) => insn(c, jt, jf, k));
const SHAPE_CODES = [...SHAPES.keys()];
const NO_K = new Set(['alu_x', 'neg', 'jcond_x', 'ret_a', 'tax', 'txa', 'ld_len', 'ldx_len']);
const interestingK = fc.oneof(
  u32,
  fc.constantFrom(X86_64, I386, AARCH64, 0x80000016, 0x40000000, 0xffffffff),
  fc.constantFrom(0, 1, 3, 4, 20, 39, 62, 63, 64, 129, 172, 231, 0x40000027),
  fc.constantFrom(0x7fff0000, 0x00050001, 0x80000000, 0x7fff0007, 0x0003beef, 0x00010000),
);
/** Instructions that print canonically (when their jumps land inside the program). */
const wellFormed = fc.oneof(
  fc.tuple(fc.constantFrom(...SHAPE_CODES), smallJump, smallJump, interestingK).map(([code, jt, jf, k]) => {
    const shape = SHAPES.get(code)!;
    const jump = shape === 'jcond_k' || shape === 'jcond_x';
    return insn(code, jump ? jt : 0, jump ? jf : 0, NO_K.has(shape) ? 0 : shape === 'ja' ? k % 4 : k);
  }),
  fc.constantFrom(0, 4, 8, 16, 20, 60).map((k) => insn(0x20, 0, 0, k)),
  fc.tuple(smallJump, smallJump, interestingK).map(([jt, jf, k]) => insn(0x15, jt, jf, k)),
);
/** Arch and syscall checks as filters write them: `ld [4]; jeq #arch` and `ld [0]; jeq #nr`. */
const archK = fc.oneof(fc.constantFrom(X86_64, I386, AARCH64, 0x80000016), u32);
const nrK = fc.oneof(fc.constantFrom(0, 1, 3, 20, 39, 62, 63, 172, 231, 0x40000027, 0xffffffff), u32);
const check = fc.oneof(
  fc.tuple(smallJump, smallJump, archK).map(([jt, jf, k]) => [insn(0x20, 0, 0, 4), insn(0x15, jt, jf, k)]),
  fc.tuple(smallJump, smallJump, nrK).map(([jt, jf, k]) => [insn(0x20, 0, 0, 0), insn(0x15, jt, jf, k)]),
  // the true branch of an arch check falls into a syscall check
  fc.tuple(smallJump, archK, smallJump, smallJump, nrK).map(([f1, a, jt, jf, k]) => [
    insn(0x20, 0, 0, 4), insn(0x15, 0, f1, a), insn(0x20, 0, 0, 0), insn(0x15, jt, jf, k),
  ]),
);
const chunk = fc.oneof(
  { arbitrary: wellFormed.map((i) => [i]), weight: 4 },
  { arbitrary: check, weight: 2 },
  { arbitrary: anyInsn.map((i) => [i]), weight: 1 },
);
const program = fc.array(chunk, { minLength: 1, maxLength: 40, size: 'medium' }).map((cs) => cs.flat().slice(0, 64));
const options = fc.record({
  syntax: fc.constantFrom('bpf' as const, 'c' as const),
  endian: fc.constantFrom(undefined, 'little' as const, 'big' as const),
  arch: fc.constantFrom(undefined, x86_64, aarch64, archByName('s390x')!),
  syscalls: fc.constantFrom(undefined, testResolver, hostileResolver),
});

describe('assemble(disassemble(p, o), o) is p', () => {
  for (const syntax of ['bpf', 'c'] as const) {
    for (const endian of ['little', 'big'] as const) {
      it(`for any program (${syntax} syntax, ${endian}-endian, with and without resolver and arch)`, () => {
        fc.assert(
          fc.property(program, fc.constantFrom(undefined, x86_64, aarch64), fc.boolean(), (p, arch, named) => {
            const o: AsmOptions = { syntax, endian, arch, syscalls: named ? testResolver : undefined };
            expect(assemble(disassemble(p, o), o)).toEqual(p);
          }),
          { numRuns: numRuns(300) },
        );
      });
    }
  }

  it('for any program and any options, the syntax detected', () => {
    fc.assert(
      fc.property(program, options, (p, o) => {
        const text = disassemble(p, o);
        expect(assemble(text, o)).toEqual(p);
        expect(assemble(text, { ...o, syntax: undefined })).toEqual(p);
      }),
      { numRuns: numRuns(500) },
    );
  });

  it('for programs of arbitrary fields only', () => {
    fc.assert(
      fc.property(fc.array(anyInsn, { minLength: 1, maxLength: 64 }), options, (p, o) => {
        expect(assemble(disassemble(p, o), o)).toEqual(p);
      }),
      { numRuns: numRuns(300) },
    );
  });

  it('names syscalls in generated programs (the generator reaches the name paths)', () => {
    let named = 0;
    fc.assert(
      fc.property(program, (p) => {
        const text = disassemble(p, { syntax: 'c', syscalls: testResolver, arch: x86_64 });
        if (/[!=]= (getpid|kill|read|write|exit_group)\)/.test(text)) named++;
        expect(assemble(text, { syscalls: testResolver, arch: x86_64 })).toEqual(p);
      }),
      { numRuns: numRuns(300) },
    );
    expect(named).toBeGreaterThan(0);
  });
});

// -------------------------------------------------------------- the corpus

const corpusFilters = (): [string, Insn[]][] => loadCorpusFilters().map((f) => [f.name, f.program]);

describe('real filters round-trip', () => {
  const filters = corpusFilters();
  it('finds the 24 libseccomp and 4 docker filters', () => {
    expect(filters.length).toBe(28);
  });
  const variants: AsmOptions[] = [
    {},
    { syntax: 'c' },
    { syntax: 'c', syscalls: testResolver },
    { syscalls: testResolver, arch: x86_64, endian: 'big' },
    { syntax: 'c', syscalls: testResolver, arch: aarch64 },
  ];
  for (const [name, p] of filters) {
    it(name, () => {
      for (const o of variants) {
        const text = disassemble(p, o);
        expect(text).not.toMatch(/raw\(|\.insn/);
        expect(assemble(text, o)).toEqual(p);
      }
    });
  }

  it('names the syscalls of docker-moby x86_64 and aarch64 by their own arch blocks', () => {
    const byName = new Map(filters);
    const x = disassemble(byName.get('docker-moby/x86_64/libseccomp-2.5.4-debian')!, { syntax: 'c', syscalls: testResolver });
    const a = disassemble(byName.get('docker-moby/aarch64/libseccomp-2.5.4-debian')!, { syntax: 'c', syscalls: testResolver });
    for (const t of [x, a]) for (const s of ['read', 'write', 'getpid', 'kill']) expect(t).toMatch(new RegExp(`A == ${s}\\)`));
    expect(x).toContain('AUDIT_ARCH_I386');
    expect(a).toContain('AUDIT_ARCH_ARM');
  });
});
