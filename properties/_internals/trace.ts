// A tiny tracing evaluator for one checked program: the value it returns
// and whether the path it took established the arch word equal to a given
// AUDIT_ARCH value (a JEQ K on A holding LD [4], taken on its true side),
// and where it compared the syscall number.
import { OP, type Program } from 'unicorn-bpf-emulator';

export interface ArchTrace {
  readonly raw: number;
  /** A JEQ K == auditArch on the loaded arch word was taken on its true side. */
  readonly established: boolean;
  /** Conditional jumps executed while A held the loaded nr word. */
  readonly nrCompares: readonly number[];
}

export function runEstablishing(program: Program, words: Uint32Array, auditArch: number): ArchTrace {
  let a = 0, x = 0, pc = 0, aIsArch = false, aIsNr = false, established = false;
  const nrCompares: number[] = [];
  const m = new Int32Array(16);
  for (;;) {
    const { code, jt, jf, k } = program[pc];
    let cond: boolean | null = null;
    const op2 = (code & 0x08) !== 0 ? x >>> 0 : k >>> 0;
    switch (code) {
      case OP.LD_W_ABS: a = words[k >>> 2] | 0; aIsArch = k === 4; aIsNr = k === 0; break;
      case OP.LD_IMM: a = k | 0; aIsArch = false; aIsNr = false; break;
      case OP.LD_W_LEN: a = 64; aIsArch = false; aIsNr = false; break;
      case OP.LDX_W_LEN: x = 64; break;
      case OP.LDX_IMM: x = k | 0; break;
      case OP.LD_MEM: a = m[k]; aIsArch = false; aIsNr = false; break;
      case OP.LDX_MEM: x = m[k]; break;
      case OP.ST: m[k] = a; break;
      case OP.STX: m[k] = x; break;
      case OP.MISC_TAX: x = a; break;
      case OP.MISC_TXA: a = x; aIsArch = false; aIsNr = false; break;
      case OP.ALU_NEG: a = -a | 0; aIsArch = false; aIsNr = false; break;
      case OP.JMP_JA: pc += 1 + k; continue;
      case OP.JMP_JEQ_K: case OP.JMP_JEQ_X: cond = a >>> 0 === op2; break;
      case OP.JMP_JGT_K: case OP.JMP_JGT_X: cond = a >>> 0 > op2; break;
      case OP.JMP_JGE_K: case OP.JMP_JGE_X: cond = a >>> 0 >= op2; break;
      case OP.JMP_JSET_K: case OP.JMP_JSET_X: cond = (a & op2) !== 0; break;
      case OP.RET_K: return { raw: k >>> 0, established, nrCompares };
      case OP.RET_A: return { raw: a >>> 0, established, nrCompares };
      default: {
        const b = (code & 0x08) !== 0 ? x : k | 0;
        // A masked syscall number is still tested as a syscall number.
        aIsArch = false;
        aIsNr = aIsNr && (code & 0xf0) === 0x50;
        switch (code & 0xf0) {
          case 0x00: a = (a + b) | 0; break;
          case 0x10: a = (a - b) | 0; break;
          case 0x20: a = Math.imul(a, b); break;
          case 0x30: if (b === 0) return { raw: 0, established, nrCompares }; a = ((a >>> 0) / (b >>> 0)) | 0; break;
          case 0x90: if (b === 0) return { raw: 0, established, nrCompares }; a = ((a >>> 0) % (b >>> 0)) | 0; break;
          case 0x40: a |= b; break;
          case 0x50: a &= b; break;
          case 0x60: a <<= b & 31; break;
          case 0x70: a = (a >>> (b & 31)) | 0; break;
          case 0xa0: a ^= b; break;
          default: throw new Error(`trace: opcode 0x${code.toString(16)} at ${pc}`);
        }
      }
    }
    if (cond !== null) {
      if (aIsNr) nrCompares.push(pc);
      if (cond && aIsArch && code === OP.JMP_JEQ_K && k >>> 0 === auditArch >>> 0) established = true;
      pc += 1 + (cond ? jt : jf);
      continue;
    }
    pc++;
  }
}
