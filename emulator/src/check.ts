// The kernel's filter checker: bpf_check_classic + check_load_and_stores
// (net/core/filter.c) and seccomp_check_filter (kernel/seccomp.c), applied in
// the order seccomp_prepare_filter applies them (SEMANTICS §2.1-2.3).
import {
  BPF_MAXINSNS, BPF_MEMWORDS, OP, SKF_AD_OFF, isCondJump, insn,
  type Insn, type Program,
} from './bpf.js';
import { ERRNO, type ErrnoName } from './errno.js';
import { SECCOMP_DATA_SIZE } from './seccomp_data.js';
import { bpfConvertFilterLength } from './ebpf_length.js';

/** Why a program was rejected: one rule of the kernel, named after it. */
export type CheckRule =
  | 'len'                    // seccomp_prepare_filter: 0 or > BPF_MAXINSNS
  | 'chk_code_allowed'       // opcode not in codes[]
  | 'div_k_zero'             // ALU DIV/MOD K with k == 0
  | 'shift_k_range'          // ALU LSH/RSH K with k >= 32
  | 'mem_index'              // LD/LDX MEM, ST, STX with k >= BPF_MEMWORDS
  | 'ja_range'               // JA target beyond the last instruction
  | 'jcond_range'            // conditional jump target beyond the last instruction
  | 'ld_abs_ancillary'       // LD ABS k in the ancillary area but not a known SKF_AD_*
  | 'last_not_ret'           // last instruction is not RET K / RET A
  | 'check_load_and_stores'  // M[k] read on a path where it may be unwritten
  | 'seccomp_ld_abs_offset'  // LD W ABS k not < 64 or not 4-aligned
  | 'seccomp_opcode';        // classic opcode seccomp does not allow

export interface CheckAccepted {
  readonly accepted: true;
  /** The program as the kernel stores it after seccomp_check_filter's rewrite (LD ABS -> 0x21, LEN -> IMM 64). */
  readonly rewritten: Program;
  /** Instructions after conversion to eBPF: what MAX_INSNS_PER_PATH counts (§2.5). */
  readonly ebpfLength: number;
}

export interface CheckRejected {
  readonly accepted: false;
  readonly errno: ErrnoName;
  /** Index of the instruction the rule fired on; null for rules about the whole program. */
  readonly insn: number | null;
  readonly rule: CheckRule;
  readonly reason: string;
}

export type CheckResult = CheckAccepted | CheckRejected;

const hex = (v: number, w = 0): string => '0x' + (v >>> 0).toString(16).padStart(w, '0');

function reject(rule: CheckRule, insnIndex: number | null, reason: string, errno: ErrnoName = 'EINVAL'): CheckRejected {
  return { accepted: false, errno, insn: insnIndex, rule, reason };
}

/**
 * codes[] of chk_code_allowed: the 49 opcodes classic BPF knows. The full
 * u16 code is compared; nothing is masked.
 */
const CLASSIC_CODES: ReadonlySet<number> = new Set([
  0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c, 0x54, 0x5c, 0x44, 0x4c,
  0x64, 0x6c, 0x74, 0x7c, 0xa4, 0xac, 0x84, // ALU
  0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x60, 0x00, 0x80, // LD
  0x61, 0x01, 0x81, 0xb1, // LDX
  0x02, 0x03, // ST, STX
  0x07, 0x87, // MISC
  0x06, 0x16, // RET
  0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, // JMP
]);

/** chk_code_allowed(): is this exact u16 code in classic BPF's codes[]? */
export function chkCodeAllowed(code: number): boolean {
  return CLASSIC_CODES.has(code);
}

/** The ancillary loads bpf_anc_helper knows: SKF_AD_OFF + {0, 4, ..., 60}. */
function isKnownAncillary(k: number): boolean {
  const off = (k - SKF_AD_OFF) >>> 0;
  return k >>> 0 >= SKF_AD_OFF && off <= 60 && off % 4 === 0;
}

/**
 * bpf_check_classic(): per-instruction rules, last-is-RET, then
 * check_load_and_stores. Every instruction is checked, reachable or not.
 */
export function bpfCheckClassic(program: Program): CheckRejected | null {
  const flen = program.length;
  for (let pc = 0; pc < flen; pc++) {
    const { code, jt, jf, k } = program[pc];
    if (!chkCodeAllowed(code)) {
      return reject('chk_code_allowed', pc, `opcode ${hex(code, 2)} is not a classic BPF instruction`);
    }
    switch (code) {
      case OP.ALU_DIV_K:
      case OP.ALU_MOD_K:
        if (k === 0) return reject('div_k_zero', pc, `${code === OP.ALU_DIV_K ? 'DIV' : 'MOD'} by the constant 0`);
        break;
      case OP.ALU_LSH_K:
      case OP.ALU_RSH_K:
        if (k >>> 0 >= 32) return reject('shift_k_range', pc, `shift by ${k >>> 0} (must be below 32)`);
        break;
      case OP.LD_MEM:
      case OP.LDX_MEM:
      case OP.ST:
      case OP.STX:
        if (k >>> 0 >= BPF_MEMWORDS) return reject('mem_index', pc, `scratch memory index M[${k >>> 0}] (must be below ${BPF_MEMWORDS})`);
        break;
      case OP.JMP_JA:
        // Unsigned compare: k >= flen - pc - 1 is out of range.
        if (k >>> 0 >= flen - pc - 1) return reject('ja_range', pc, `JA +${k >>> 0} jumps past the last instruction (${flen - 1})`);
        break;
      case OP.LD_W_ABS:
      case OP.LD_H_ABS:
      case OP.LD_B_ABS:
        if (!isKnownAncillary(k) && k >>> 0 >= SKF_AD_OFF) {
          return reject('ld_abs_ancillary', pc, `load from unknown ancillary offset ${hex(k)}`);
        }
        break;
      default:
        if (isCondJump(code)) {
          if (pc + jt + 1 >= flen || pc + jf + 1 >= flen) {
            return reject('jcond_range', pc, `conditional jump to ${pc + jt + 1}/${pc + jf + 1} is past the last instruction (${flen - 1})`);
          }
        }
    }
  }
  const last = program[flen - 1].code;
  if (last !== OP.RET_K && last !== OP.RET_A) {
    return reject('last_not_ret', flen - 1, `the last instruction (${hex(last, 2)}) is not RET`);
  }
  return checkLoadAndStores(program);
}

/**
 * check_load_and_stores(): a forward pass with 16-bit "M[i] written" masks.
 * After a jump the fall-through state resets to all-written; RET does not
 * reset it (the kernel's conservative quirk, SEMANTICS §2.2.1).
 */
export function checkLoadAndStores(program: Program): CheckRejected | null {
  const flen = program.length;
  const masks = new Uint16Array(flen).fill(0xffff);
  let valid = 0;
  for (let pc = 0; pc < flen; pc++) {
    const { code, jt, jf, k } = program[pc];
    valid &= masks[pc];
    switch (code) {
      case OP.ST:
      case OP.STX:
        valid |= 1 << k;
        break;
      case OP.LD_MEM:
      case OP.LDX_MEM:
        if (!(valid & (1 << k))) {
          return reject('check_load_and_stores', pc, `M[${k}] is read but may not have been written on every path to it`);
        }
        break;
      case OP.JMP_JA:
        masks[pc + 1 + k] &= valid;
        valid = 0xffff;
        break;
      default:
        if (isCondJump(code)) {
          masks[pc + 1 + jt] &= valid;
          masks[pc + 1 + jf] &= valid;
          valid = 0xffff;
        }
    }
  }
  return null;
}

/** The 41 codes seccomp_check_filter lets through (before its rewrite). */
const SECCOMP_CODES: ReadonlySet<number> = new Set([
  OP.LD_W_ABS, OP.LD_W_LEN, OP.LDX_W_LEN,
  OP.RET_K, OP.RET_A,
  OP.ALU_ADD_K, OP.ALU_ADD_X, OP.ALU_SUB_K, OP.ALU_SUB_X, OP.ALU_MUL_K, OP.ALU_MUL_X,
  OP.ALU_DIV_K, OP.ALU_DIV_X, OP.ALU_AND_K, OP.ALU_AND_X, OP.ALU_OR_K, OP.ALU_OR_X,
  OP.ALU_XOR_K, OP.ALU_XOR_X, OP.ALU_LSH_K, OP.ALU_LSH_X, OP.ALU_RSH_K, OP.ALU_RSH_X,
  OP.ALU_NEG, OP.LD_IMM, OP.LDX_IMM, OP.MISC_TAX, OP.MISC_TXA, OP.LD_MEM, OP.LDX_MEM,
  OP.ST, OP.STX, OP.JMP_JA,
  OP.JMP_JEQ_K, OP.JMP_JEQ_X, OP.JMP_JGE_K, OP.JMP_JGE_X, OP.JMP_JGT_K, OP.JMP_JGT_X,
  OP.JMP_JSET_K, OP.JMP_JSET_X,
]);

/** Is this code one seccomp accepts (after bpf_check_classic)? */
export function seccompCodeAllowed(code: number): boolean {
  return SECCOMP_CODES.has(code);
}

/**
 * seccomp_check_filter(): restrict to the seccomp subset and rewrite the
 * loads. Returns the rewritten program, or the rejection.
 */
export function seccompCheckFilter(program: Program): Insn[] | CheckRejected {
  const out: Insn[] = new Array(program.length);
  for (let pc = 0; pc < program.length; pc++) {
    const ins = program[pc];
    switch (ins.code) {
      case OP.LD_W_ABS:
        if (!(ins.k >>> 0 < SECCOMP_DATA_SIZE && (ins.k & 3) === 0)) {
          return reject('seccomp_ld_abs_offset', pc, `load from seccomp_data offset ${ins.k >>> 0} (must be 0, 4, ..., 60)`);
        }
        out[pc] = insn(OP.LDX_W_ABS, ins.jt, ins.jf, ins.k);
        break;
      case OP.LD_W_LEN:
        out[pc] = insn(OP.LD_IMM, ins.jt, ins.jf, SECCOMP_DATA_SIZE);
        break;
      case OP.LDX_W_LEN:
        out[pc] = insn(OP.LDX_IMM, ins.jt, ins.jf, SECCOMP_DATA_SIZE);
        break;
      default:
        if (!SECCOMP_CODES.has(ins.code)) {
          return reject('seccomp_opcode', pc, `opcode ${hex(ins.code, 2)} is classic BPF but not allowed in seccomp`);
        }
        out[pc] = ins;
    }
  }
  return out;
}

/**
 * What seccomp_prepare_filter decides for one program (length, then
 * bpf_check_classic, then seccomp_check_filter). Permission (EACCES) and
 * flags are the caller's: see checkInstall.
 */
export function checkFilter(program: Program): CheckResult {
  if (program.length === 0 || program.length > BPF_MAXINSNS) {
    return reject('len', null, `program has ${program.length} instructions (must be 1..${BPF_MAXINSNS})`);
  }
  const classic = bpfCheckClassic(program);
  if (classic) return classic;
  const rewritten = seccompCheckFilter(program);
  if (!Array.isArray(rewritten)) return rewritten as CheckRejected;
  return { accepted: true, rewritten, ebpfLength: bpfConvertFilterLength(rewritten) };
}

/** errno value for a rejection. */
export function errnoValue(r: CheckRejected): number {
  return ERRNO[r.errno];
}
