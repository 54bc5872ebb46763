// The compiled engine: a checked program becomes one straight-line
// JavaScript function. Jumps are forward-only, so each jump target t gets a
// labelled block that ends just before instruction t, and "goto t" is
// "break Lt" (blocks nest outermost = farthest target). No per-instruction
// dispatch remains at run time: a jump to a RET becomes that return, and a
// program with very many targets runs as a few segments in sequence.
import { OP, isCondJump, type Program } from './bpf.js';
import { checkFilter } from './check.js';
import { ProgramRejectedError } from './interpreter.js';

/** A compiled filter: data words in, the 32-bit return value out. */
export type CompiledFilter = (words: Uint32Array | Int32Array) => number;

const s32 = (k: number): string => String(k | 0);
const u32 = (k: number): string => String(k >>> 0);

/**
 * Labelled blocks nest one level per jump target; V8's parser overflows its
 * stack somewhere past 2,000 levels, so a program with more targets is cut
 * into segments of at most this many, run in order by a small loop.
 */
export const MAX_LABELS_PER_SEGMENT = 800;

/** Follow a jump to its real destination: through JA chains, and into a RET it can inline. */
function resolveTarget(program: Program, t: number): number {
  for (let guard = 0; guard < program.length; guard++) {
    const ins = program[t];
    if (ins.code !== OP.JMP_JA) return t;
    t = t + 1 + ins.k;
  }
  return t;
}

/** Generate the body of the JS function for a program that passed checkFilter. */
export function compileToSource(program: Program): string {
  const n = program.length;
  // Where each jump really lands, and which landing places need a label.
  const dest = (from: number, off: number): number => resolveTarget(program, from + 1 + off);
  const isRet = (t: number): boolean => program[t].code === OP.RET_K || program[t].code === OP.RET_A;
  const targets = new Set<number>();
  const memUsed = new Set<number>();
  const addTarget = (from: number, off: number): void => {
    const t = dest(from, off);
    if (t !== from + 1 && !isRet(t)) targets.add(t);
  };
  program.forEach((ins, pc) => {
    if (ins.code === OP.JMP_JA) addTarget(pc, ins.k);
    else if (isCondJump(ins.code)) {
      addTarget(pc, ins.jt);
      addTarget(pc, ins.jf);
    } else if (ins.code === OP.ST || ins.code === OP.STX || ins.code === OP.LD_MEM || ins.code === OP.LDX_MEM) {
      memUsed.add(ins.k);
    }
  });

  // Segments: [segStart[i], segStart[i+1]) each holding at most MAX_LABELS_PER_SEGMENT targets.
  const segStart: number[] = [0];
  let inSeg = 0;
  for (let pc = 0; pc < n; pc++) {
    if (targets.has(pc)) {
      if (inSeg === MAX_LABELS_PER_SEGMENT) {
        segStart.push(pc);
        inSeg = 0;
      } else inSeg++;
    }
  }
  const segments = segStart.length;
  const ret = (t: number): string => (program[t].code === OP.RET_K ? `return ${u32(program[t].k)};` : 'return a >>> 0;');
  const lines: string[] = ['"use strict";', 'let a = 0, x = 0;'];
  if (memUsed.size) lines.push(`let ${[...memUsed].sort((p, q) => p - q).map((i) => `m${i} = 0`).join(', ')};`);
  if (segments > 1) lines.push('let pc = 0;', 'run: for (;;) {');

  for (let s = 0; s < segments; s++) {
    const lo = segStart[s];
    const hi = s + 1 < segments ? segStart[s + 1] : n;
    const segTargets = [...targets].filter((t) => t > lo && t < hi).sort((p, q) => q - p);
    const goto = (from: number, off: number): string => {
      const t = dest(from, off);
      if (t === from + 1 && !isRet(t)) return '';
      if (isRet(t)) return ret(t);
      if (t < hi) return `break L${t};`;
      return `{ pc = ${t}; continue run; }`;
    };
    if (segments > 1) lines.push(`if (pc < ${hi}) {`);
    if (segTargets.length) lines.push(segTargets.map((t) => `L${t}: {`).join(' '));
    if (segments > 1 && s > 0) {
      // Entry from an earlier segment may land on any of this segment's targets.
      const entries = segTargets.map((t) => `case ${t}: break L${t};`).join(' ');
      if (entries) lines.push(`switch (pc) { ${entries} }`);
    }
    for (let pc = lo; pc < hi; pc++) {
      if (targets.has(pc) && pc !== lo) lines.push(`} // L${pc}`);
      const { code, jt, jf, k } = program[pc];
      let cond: string | null = null;
      switch (code) {
        case OP.LD_W_ABS:
        case OP.LDX_W_ABS: lines.push(`a = w[${k >>> 2}] | 0;`); break;
        case OP.LD_W_LEN: lines.push('a = 64;'); break;
        case OP.LDX_W_LEN: lines.push('x = 64;'); break;
        case OP.LD_IMM: lines.push(`a = ${s32(k)};`); break;
        case OP.LDX_IMM: lines.push(`x = ${s32(k)};`); break;
        case OP.LD_MEM: lines.push(`a = m${k};`); break;
        case OP.LDX_MEM: lines.push(`x = m${k};`); break;
        case OP.ST: lines.push(`m${k} = a;`); break;
        case OP.STX: lines.push(`m${k} = x;`); break;
        case OP.MISC_TAX: lines.push('x = a;'); break;
        case OP.MISC_TXA: lines.push('a = x;'); break;
        case OP.ALU_ADD_K: lines.push(`a = (a + ${s32(k)}) | 0;`); break;
        case OP.ALU_ADD_X: lines.push('a = (a + x) | 0;'); break;
        case OP.ALU_SUB_K: lines.push(`a = (a - ${s32(k)}) | 0;`); break;
        case OP.ALU_SUB_X: lines.push('a = (a - x) | 0;'); break;
        case OP.ALU_MUL_K: lines.push(`a = Math.imul(a, ${s32(k)});`); break;
        case OP.ALU_MUL_X: lines.push('a = Math.imul(a, x);'); break;
        case OP.ALU_DIV_K: lines.push(`a = ((a >>> 0) / ${u32(k)}) | 0;`); break;
        // bpf_convert_filter: DIV by X == 0 makes the whole filter return 0.
        case OP.ALU_DIV_X: lines.push('if (x === 0) return 0; a = ((a >>> 0) / (x >>> 0)) | 0;'); break;
        case OP.ALU_AND_K: lines.push(`a &= ${s32(k)};`); break;
        case OP.ALU_AND_X: lines.push('a &= x;'); break;
        case OP.ALU_OR_K: lines.push(`a |= ${s32(k)};`); break;
        case OP.ALU_OR_X: lines.push('a |= x;'); break;
        case OP.ALU_XOR_K: lines.push(`a ^= ${s32(k)};`); break;
        case OP.ALU_XOR_X: lines.push('a ^= x;'); break;
        // JS masks shift counts to 5 bits, as the kernel does for X shifts.
        case OP.ALU_LSH_K: lines.push(`a <<= ${k & 31};`); break;
        case OP.ALU_LSH_X: lines.push('a <<= x;'); break;
        case OP.ALU_RSH_K: lines.push(`a = (a >>> ${k & 31}) | 0;`); break;
        case OP.ALU_RSH_X: lines.push('a = (a >>> x) | 0;'); break;
        case OP.ALU_NEG: lines.push('a = -a | 0;'); break;
        case OP.JMP_JA: lines.push(goto(pc, k)); break;
        case OP.JMP_JEQ_K: cond = `a === ${s32(k)}`; break;
        case OP.JMP_JEQ_X: cond = 'a === x'; break;
        case OP.JMP_JGT_K: cond = `(a >>> 0) > ${u32(k)}`; break;
        case OP.JMP_JGT_X: cond = '(a >>> 0) > (x >>> 0)'; break;
        case OP.JMP_JGE_K: cond = `(a >>> 0) >= ${u32(k)}`; break;
        case OP.JMP_JGE_X: cond = '(a >>> 0) >= (x >>> 0)'; break;
        case OP.JMP_JSET_K: cond = `(a & ${s32(k)}) !== 0`; break;
        case OP.JMP_JSET_X: cond = '(a & x) !== 0'; break;
        case OP.RET_K: lines.push(`return ${u32(k)};`); break;
        case OP.RET_A: lines.push('return a >>> 0;'); break;
        default:
          throw new Error(`compile: opcode 0x${code.toString(16)} at ${pc} is not a checked seccomp instruction`);
      }
      if (cond !== null) {
        const gt = goto(pc, jt);
        const gf = goto(pc, jf);
        if (gt && gf) lines.push(`if (${cond}) ${gt} else ${gf}`);
        else if (gt) lines.push(`if (${cond}) ${gt}`);
        else if (gf) lines.push(`if (!(${cond})) ${gf}`);
      }
    }
    if (segments > 1) lines.push(`pc = ${hi};`, '}');
  }
  if (segments > 1) lines.push('}');
  // The checker guarantees the last instruction is a RET; this is unreachable.
  lines.push('return 0;');
  return lines.join('\n');
}

/**
 * Compile a program to a function returning the same value as the
 * interpreter for every input. The program is checked first (a rejected
 * program has no defined meaning); pass `check: false` only for programs
 * already accepted by checkFilter.
 */
export function compileFilter(program: Program, opts: { check?: boolean } = {}): CompiledFilter {
  if (opts.check ?? true) {
    const r = checkFilter(program);
    if (!r.accepted) throw new ProgramRejectedError(r);
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('w', compileToSource(program)) as CompiledFilter;
}
