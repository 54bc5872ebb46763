// Instruction accounting of bpf_convert_filter (net/core/filter.c): the eBPF
// length that replaces prog->len and that seccomp_attach_filter sums against
// MAX_INSNS_PER_PATH (SEMANTICS §2.5, §4.4).
import { BPF_JEQ, BPF_JGE, BPF_JGT, BPF_OP, OP, isCondJump, type Program } from './bpf.js';

/** (1 << 18) / sizeof(struct sock_filter): the per-path budget in eBPF instructions. */
export const MAX_INSNS_PER_PATH = (1 << 18) / 8;
/** Each filter already in the chain costs its length plus this penalty. */
export const PER_FILTER_PENALTY = 4;
/** Prologue bpf_convert_filter emits: A = 0, X = 0, save the context pointer. */
const PROLOGUE = 3;

/** eBPF instructions emitted for one instruction of a rewritten seccomp program. */
export function ebpfCost(code: number, jt: number, jf: number, k: number): number {
  if (isCondJump(code)) {
    // A negative (as s32) immediate is first moved into a temp register.
    const tmp = (code & 0x08) === 0 && (k | 0) < 0 ? 1 : 0;
    if (jf === 0) return 1 + tmp;
    const op = BPF_OP(code);
    if (jt === 0 && (op === BPF_JEQ || op === BPF_JGT || op === BPF_JGE)) return 1 + tmp; // inverted to JNE/JLE/JLT
    return 2 + tmp; // Jxx + JA
  }
  switch (code) {
    case OP.ALU_DIV_X:
    case OP.ALU_MOD_X:
      return 5; // truncate X; if X != 0 skip; A ^= A; exit; divide
    case OP.RET_K:
      return 2; // mov r0, k; exit
    default:
      return 1;
  }
}

/** Length of the converted program (the value prog->len takes). */
export function bpfConvertFilterLength(rewritten: Program): number {
  let n = PROLOGUE;
  for (const i of rewritten) n += ebpfCost(i.code, i.jt, i.jf, i.k);
  return n;
}

/**
 * seccomp_attach_filter's path-length rule: does a new filter of eBPF length
 * `newLength` fit on top of filters with the given eBPF lengths?
 */
export function fitsOnPath(newLength: number, chainLengths: readonly number[]): boolean {
  let total = newLength;
  for (const l of chainLengths) total += l + PER_FILTER_PENALTY;
  return total <= MAX_INSNS_PER_PATH;
}
