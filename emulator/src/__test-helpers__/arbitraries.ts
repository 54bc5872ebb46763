// fast-check arbitraries for the emulator's own tests: programs the kernel
// accepts (with realistic and odd shapes) and data words biased toward the
// program's constants.
import fc from 'fast-check';
import { insn, OP, type Insn } from '../bpf.js';
import { checkFilter } from '../check.js';

const ALU_K = [OP.ALU_ADD_K, OP.ALU_SUB_K, OP.ALU_MUL_K, OP.ALU_DIV_K, OP.ALU_AND_K, OP.ALU_OR_K, OP.ALU_XOR_K, OP.ALU_LSH_K, OP.ALU_RSH_K];
const ALU_X = [OP.ALU_ADD_X, OP.ALU_SUB_X, OP.ALU_MUL_X, OP.ALU_DIV_X, OP.ALU_AND_X, OP.ALU_OR_X, OP.ALU_XOR_X, OP.ALU_LSH_X, OP.ALU_RSH_X];
const JCOND = [OP.JMP_JEQ_K, OP.JMP_JEQ_X, OP.JMP_JGT_K, OP.JMP_JGT_X, OP.JMP_JGE_K, OP.JMP_JGE_X, OP.JMP_JSET_K, OP.JMP_JSET_X];

const interesting32 = fc.oneof(
  fc.constantFrom(0, 1, 2, 31, 32, 33, 39, 64, 0x7fffffff, 0x80000000, 0xffffffff, 0x40000000, 0xc000003e, 0x40000003, 0x7fff0000, 0x00050001),
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0, max: 64 }),
);

const retValue = fc.oneof(
  fc.constantFrom(0x7fff0000, 0x80000000, 0x00000000, 0x00030000, 0x7fc00000, 0x7ff00000, 0x7ffc0000),
  fc.integer({ min: 0, max: 0xffff }).map((d) => (0x00050000 | d) >>> 0),
  fc.integer({ min: 0, max: 0xffffffff }),
);

/** One instruction at position pc of a program of length n (jumps stay inside). */
function insnAt(pc: number, n: number): fc.Arbitrary<Insn> {
  const room = n - pc - 2; // largest offset that still lands on an instruction
  const off = room >= 0 ? fc.integer({ min: 0, max: Math.min(255, room) }) : fc.constant(0);
  const choices: fc.Arbitrary<Insn>[] = [
    fc.integer({ min: 0, max: 15 }).map((w) => insn(OP.LD_W_ABS, 0, 0, w * 4)),
    interesting32.map((k) => insn(OP.LD_IMM, 0, 0, k)),
    interesting32.map((k) => insn(OP.LDX_IMM, 0, 0, k)),
    fc.constantFrom(OP.LD_W_LEN, OP.LDX_W_LEN, OP.MISC_TAX, OP.MISC_TXA, OP.ALU_NEG).map((c) => insn(c, 0, 0, 0)),
    fc.tuple(fc.constantFrom(OP.ST, OP.STX, OP.LD_MEM, OP.LDX_MEM), fc.integer({ min: 0, max: 15 })).map(([c, k]) => insn(c, 0, 0, k)),
    fc.tuple(fc.constantFrom(...ALU_K), interesting32).map(([c, k]) => {
      if (c === OP.ALU_DIV_K && k === 0) k = 1;
      if (c === OP.ALU_LSH_K || c === OP.ALU_RSH_K) k &= 31;
      return insn(c, 0, 0, k);
    }),
    fc.constantFrom(...ALU_X).map((c) => insn(c, 0, 0, 0)),
    fc.tuple(fc.constantFrom(...JCOND), off, off, interesting32).map(([c, jt, jf, k]) => insn(c, jt, jf, k)),
    off.map((k) => insn(OP.JMP_JA, 0, 0, k)),
    retValue.map((k) => insn(OP.RET_K, 0, 0, k)),
    fc.constant(insn(OP.RET_A, 0, 0, 0)),
  ];
  return fc.oneof(...choices);
}

/**
 * Make a program acceptable by replacing each instruction the checker
 * complains about with a harmless one; the shape of the rest survives.
 */
export function repairProgram(program: Insn[]): Insn[] {
  const p = program.slice();
  for (let guard = 0; guard <= p.length; guard++) {
    const r = checkFilter(p);
    if (r.accepted) return p;
    const at = r.insn ?? p.length - 1;
    p[at] = at === p.length - 1 ? insn(OP.RET_A, 0, 0, 0) : insn(OP.LD_IMM, 0, 0, p[at].k);
  }
  throw new Error('repairProgram did not converge');
}

/** Programs checkFilter accepts, 1..maxLength instructions long. */
export function validProgram(maxLength = 40): fc.Arbitrary<Insn[]> {
  return fc
    .integer({ min: 1, max: maxLength })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, pc) => insnAt(pc, n))))
    .map((p) => repairProgram(p));
}

/** 16 data words, each either random or one of the program's own constants (±1). */
export function dataWordsFor(program: readonly Insn[]): fc.Arbitrary<Uint32Array> {
  const ks = [...new Set(program.map((i) => i.k >>> 0))];
  const word = ks.length
    ? fc.oneof(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.constantFrom(...ks),
        fc.tuple(fc.constantFrom(...ks), fc.constantFrom(-1, 1)).map(([k, d]) => (k + d) >>> 0),
        fc.constantFrom(0, 0xffffffff),
      )
    : fc.integer({ min: 0, max: 0xffffffff });
  return fc.array(word, { minLength: 16, maxLength: 16 }).map((w) => Uint32Array.from(w));
}

/** A valid program together with data words biased toward it. */
export const programAndData = (maxLength = 40): fc.Arbitrary<{ program: Insn[]; words: Uint32Array[] }> =>
  validProgram(maxLength).chain((program) =>
    fc.array(dataWordsFor(program), { minLength: 1, maxLength: 8 }).map((words) => ({ program, words })),
  );
