// Classic-BPF instruction constants and the instruction type, with the names
// of include/uapi/linux/filter.h and include/uapi/linux/bpf_common.h.

/** One `struct sock_filter`: u16 code, u8 jt, u8 jf, u32 k. */
export interface Insn {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/** A program is an immutable sequence of instructions. */
export type Program = readonly Insn[];

// Instruction classes (code & 0x07).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;

// Load sizes (code & 0x18).
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;

// Load modes (code & 0xe0).
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;

// ALU and jump operations (code & 0xf0).
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;

export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;

// Operand source (code & 0x08).
export const BPF_K = 0x00;
export const BPF_X = 0x08;

// RET value source (code & 0x18).
export const BPF_A = 0x10;

// MISC operations (code & 0xf8).
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;

/** Largest program the kernel accepts (include/uapi/linux/bpf_common.h). */
export const BPF_MAXINSNS = 4096;
/** Number of scratch memory words M[0..15]. */
export const BPF_MEMWORDS = 16;

/** Ancillary load base for socket filters: SKF_AD_OFF = -0x1000. */
export const SKF_AD_OFF = 0xfffff000;

export const BPF_CLASS = (code: number): number => code & 0x07;
export const BPF_SIZE = (code: number): number => code & 0x18;
export const BPF_MODE = (code: number): number => code & 0xe0;
export const BPF_OP = (code: number): number => code & 0xf0;
export const BPF_SRC = (code: number): number => code & 0x08;
export const BPF_RVAL = (code: number): number => code & 0x18;
export const BPF_MISCOP = (code: number): number => code & 0xf8;

/** Build an instruction, normalising fields to their C widths. */
export function insn(code: number, jt: number, jf: number, k: number): Insn {
  return { code: code & 0xffff, jt: jt & 0xff, jf: jf & 0xff, k: k >>> 0 };
}

/** BPF_STMT(code, k) from linux/filter.h. */
export const BPF_STMT = (code: number, k: number): Insn => insn(code, 0, 0, k);
/** BPF_JUMP(code, k, jt, jf) from linux/filter.h (note the argument order). */
export const BPF_JUMP = (code: number, k: number, jt: number, jf: number): Insn => insn(code, jt, jf, k);

// The exact codes seccheck names (full 16-bit values).
export const OP = {
  LD_IMM: 0x00,
  LDX_IMM: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU_ADD_K: 0x04,
  ALU_ADD_X: 0x0c,
  ALU_SUB_K: 0x14,
  ALU_SUB_X: 0x1c,
  ALU_MUL_K: 0x24,
  ALU_MUL_X: 0x2c,
  ALU_DIV_K: 0x34,
  ALU_DIV_X: 0x3c,
  ALU_OR_K: 0x44,
  ALU_OR_X: 0x4c,
  ALU_AND_K: 0x54,
  ALU_AND_X: 0x5c,
  ALU_LSH_K: 0x64,
  ALU_LSH_X: 0x6c,
  ALU_RSH_K: 0x74,
  ALU_RSH_X: 0x7c,
  ALU_NEG: 0x84,
  ALU_MOD_K: 0x94,
  ALU_MOD_X: 0x9c,
  ALU_XOR_K: 0xa4,
  ALU_XOR_X: 0xac,
  JMP_JA: 0x05,
  JMP_JEQ_K: 0x15,
  JMP_JEQ_X: 0x1d,
  JMP_JGT_K: 0x25,
  JMP_JGT_X: 0x2d,
  JMP_JGE_K: 0x35,
  JMP_JGE_X: 0x3d,
  JMP_JSET_K: 0x45,
  JMP_JSET_X: 0x4d,
  RET_K: 0x06,
  RET_A: 0x16,
  MISC_TAX: 0x07,
  MISC_TXA: 0x87,
  LD_W_ABS: 0x20,
  LD_H_ABS: 0x28,
  LD_B_ABS: 0x30,
  LD_W_IND: 0x40,
  LD_H_IND: 0x48,
  LD_B_IND: 0x50,
  LD_MEM: 0x60,
  LDX_MEM: 0x61,
  LD_W_LEN: 0x80,
  LDX_W_LEN: 0x81,
  LDX_B_MSH: 0xb1,
  /** Internal code seccomp_check_filter rewrites LD|W|ABS to; never valid from user space. */
  LDX_W_ABS: 0x21,
} as const;

/** True for the eight conditional jump codes (K and X forms). */
export function isCondJump(code: number): boolean {
  return (
    code === OP.JMP_JEQ_K || code === OP.JMP_JEQ_X ||
    code === OP.JMP_JGT_K || code === OP.JMP_JGT_X ||
    code === OP.JMP_JGE_K || code === OP.JMP_JGE_X ||
    code === OP.JMP_JSET_K || code === OP.JMP_JSET_X
  );
}
