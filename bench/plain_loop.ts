// The baseline the engines are measured against: the plain switch-in-a-loop
// interpreter anyone would write first (no hooks, no budget, no checks).
import { OP, type Insn } from 'unicorn-bpf-emulator';

export function plainLoop(p: readonly Insn[], w: Uint32Array): number {
  let a = 0, x = 0, pc = 0;
  const m = new Uint32Array(16);
  for (;;) {
    const i = p[pc++];
    switch (i.code) {
      case OP.LD_W_ABS: a = w[i.k >>> 2]; break;
      case OP.LD_IMM: a = i.k; break;
      case OP.LDX_IMM: x = i.k; break;
      case OP.LD_W_LEN: a = 64; break;
      case OP.LDX_W_LEN: x = 64; break;
      case OP.LD_MEM: a = m[i.k]; break;
      case OP.LDX_MEM: x = m[i.k]; break;
      case OP.ST: m[i.k] = a; break;
      case OP.STX: m[i.k] = x; break;
      case OP.MISC_TAX: x = a; break;
      case OP.MISC_TXA: a = x; break;
      case OP.ALU_ADD_K: a = (a + i.k) >>> 0; break;
      case OP.ALU_ADD_X: a = (a + x) >>> 0; break;
      case OP.ALU_SUB_K: a = (a - i.k) >>> 0; break;
      case OP.ALU_SUB_X: a = (a - x) >>> 0; break;
      case OP.ALU_MUL_K: a = Math.imul(a, i.k) >>> 0; break;
      case OP.ALU_MUL_X: a = Math.imul(a, x) >>> 0; break;
      case OP.ALU_DIV_K: a = Math.floor(a / i.k); break;
      case OP.ALU_DIV_X: if (x === 0) return 0; a = Math.floor(a / x); break;
      case OP.ALU_AND_K: a = (a & i.k) >>> 0; break;
      case OP.ALU_AND_X: a = (a & x) >>> 0; break;
      case OP.ALU_OR_K: a = (a | i.k) >>> 0; break;
      case OP.ALU_OR_X: a = (a | x) >>> 0; break;
      case OP.ALU_XOR_K: a = (a ^ i.k) >>> 0; break;
      case OP.ALU_XOR_X: a = (a ^ x) >>> 0; break;
      case OP.ALU_LSH_K: a = (a << i.k) >>> 0; break;
      case OP.ALU_LSH_X: a = (a << x) >>> 0; break;
      case OP.ALU_RSH_K: a = a >>> i.k; break;
      case OP.ALU_RSH_X: a = a >>> x; break;
      case OP.ALU_NEG: a = -a >>> 0; break;
      case OP.JMP_JA: pc += i.k; break;
      case OP.JMP_JEQ_K: pc += a === i.k ? i.jt : i.jf; break;
      case OP.JMP_JEQ_X: pc += a === x ? i.jt : i.jf; break;
      case OP.JMP_JGT_K: pc += a > i.k ? i.jt : i.jf; break;
      case OP.JMP_JGT_X: pc += a > x ? i.jt : i.jf; break;
      case OP.JMP_JGE_K: pc += a >= i.k ? i.jt : i.jf; break;
      case OP.JMP_JGE_X: pc += a >= x ? i.jt : i.jf; break;
      case OP.JMP_JSET_K: pc += a & i.k ? i.jt : i.jf; break;
      case OP.JMP_JSET_X: pc += a & x ? i.jt : i.jf; break;
      case OP.RET_K: return i.k;
      case OP.RET_A: return a;
      default: throw new Error(`bad opcode ${i.code}`);
    }
  }
}
