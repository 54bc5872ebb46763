// The vocabulary the assembler (asm.ts) and the disassembler (disasm.ts)
// share: which instructions have a canonical spelling, the mnemonics and
// operators, seccomp_data word names, action names, number formats, and the
// options both take. The grammar itself is described at the top of asm.ts.
import { OP, type Insn } from './bpf.js';
import { ACTION_VALUES, type ActionKind, SECCOMP_RET_ACTION_FULL, SECCOMP_RET_DATA } from './actions.js';
import { archesByAuditArch, auditArchName, type ArchInfo } from './audit_arch.js';
import type { Endian } from './codec.js';
import type { KnownArchFacts } from './known_arch.js';

/** Syscall names and numbers by seccomp_data.arch, supplied by the caller (the emulator has no tables). */
export interface SyscallResolver {
  /** Name of syscall `nr` (signed 32-bit, as the filter sees it, x32 numbers carry 0x40000000) for seccomp_data.arch == auditArch; undefined if unknown. */
  name(auditArch: number, nr: number): string | undefined;
  /** Inverse: the number the filter would compare against; undefined if unknown. */
  number(auditArch: number, name: string): number | undefined;
}

export type Syntax = 'bpf' | 'c';

export interface DisasmOptions {
  /** Default 'bpf'. */
  syntax?: Syntax;
  /** ABI assumed on paths where the program has not tested the arch word (see known_arch.ts). */
  arch?: ArchInfo;
  /** Byte order of seccomp_data for naming 64-bit halves; default: the arch known at the instruction, else `arch`'s, else little. */
  endian?: Endian;
  /** If absent, syscall numbers are printed. */
  syscalls?: SyscallResolver;
}

/** The shapes of the 49 classic-BPF opcodes; any other code is printed raw. */
export type Shape =
  | 'ld_imm' | 'ldx_imm' | 'st' | 'stx' | 'alu_k' | 'alu_x' | 'neg' | 'ja' | 'jcond_k' | 'jcond_x'
  | 'ret_k' | 'ret_a' | 'tax' | 'txa' | 'ld_abs' | 'ld_ind' | 'ld_mem' | 'ldx_mem' | 'ld_len' | 'ldx_len' | 'msh';

/** ALU operations (code & 0xf0) other than NEG: K form is 0x04 | op, X form 0x0c | op. */
export const ALU_OPS: readonly { readonly op: number; readonly bpf: string; readonly c: string }[] = [
  { op: 0x00, bpf: 'add', c: '+=' },
  { op: 0x10, bpf: 'sub', c: '-=' },
  { op: 0x20, bpf: 'mul', c: '*=' },
  { op: 0x30, bpf: 'div', c: '/=' },
  { op: 0x40, bpf: 'or', c: '|=' },
  { op: 0x50, bpf: 'and', c: '&=' },
  { op: 0x60, bpf: 'lsh', c: '<<=' },
  { op: 0x70, bpf: 'rsh', c: '>>=' },
  { op: 0x90, bpf: 'mod', c: '%=' },
  { op: 0xa0, bpf: 'xor', c: '^=' },
];

/** Conditional jumps (code & 0xf0): K form 0x05 | op, X form 0x0d | op. `neg` is the C operator of the false branch. */
export const JMP_OPS: readonly { readonly op: number; readonly bpf: string; readonly c: string; readonly neg: string }[] = [
  { op: 0x10, bpf: 'jeq', c: '==', neg: '!=' },
  { op: 0x20, bpf: 'jgt', c: '>', neg: '<=' },
  { op: 0x30, bpf: 'jge', c: '>=', neg: '<' },
  { op: 0x40, bpf: 'jset', c: '&', neg: '!&' },
];

export const SHAPES: ReadonlyMap<number, Shape> = (() => {
  const m = new Map<number, Shape>([
    [OP.LD_IMM, 'ld_imm'], [OP.LDX_IMM, 'ldx_imm'], [OP.ST, 'st'], [OP.STX, 'stx'],
    [OP.ALU_NEG, 'neg'], [OP.JMP_JA, 'ja'], [OP.RET_K, 'ret_k'], [OP.RET_A, 'ret_a'],
    [OP.MISC_TAX, 'tax'], [OP.MISC_TXA, 'txa'],
    [OP.LD_W_ABS, 'ld_abs'], [OP.LD_H_ABS, 'ld_abs'], [OP.LD_B_ABS, 'ld_abs'],
    [OP.LD_W_IND, 'ld_ind'], [OP.LD_H_IND, 'ld_ind'], [OP.LD_B_IND, 'ld_ind'],
    [OP.LD_MEM, 'ld_mem'], [OP.LDX_MEM, 'ldx_mem'], [OP.LD_W_LEN, 'ld_len'], [OP.LDX_W_LEN, 'ldx_len'],
    [OP.LDX_B_MSH, 'msh'],
  ]);
  for (const { op } of ALU_OPS) {
    m.set(0x04 | op, 'alu_k');
    m.set(0x0c | op, 'alu_x');
  }
  for (const { op } of JMP_OPS) {
    m.set(0x05 | op, 'jcond_k');
    m.set(0x0d | op, 'jcond_x');
  }
  return m;
})();

const K_UNUSED: ReadonlySet<Shape> = new Set<Shape>(['alu_x', 'neg', 'jcond_x', 'ret_a', 'tax', 'txa', 'ld_len', 'ldx_len']);

/**
 * Why instruction `i` of an `n`-instruction program has no canonical
 * spelling (and is printed raw), or undefined if it has one.
 */
export function rawReason(ins: Insn, i: number, n: number): string | undefined {
  const shape = SHAPES.get(ins.code);
  if (shape === undefined) return ins.code > 0xff ? 'not an 8-bit opcode' : 'not a classic BPF opcode';
  if (K_UNUSED.has(shape) && ins.k !== 0) return 'k is unused but not 0';
  if (shape === 'jcond_k' || shape === 'jcond_x') {
    if (i + 1 + ins.jt >= n || i + 1 + ins.jf >= n) return 'jumps past the last instruction';
    return undefined;
  }
  if (ins.jt !== 0 || ins.jf !== 0) return 'jt/jf are unused but not 0';
  if (shape === 'ja' && i + 1 + ins.k >= n) return 'jumps past the last instruction';
  return undefined;
}

/** Load size (code & 0x18) names: bpf mnemonic suffix and C array name. */
export const LOAD_SIZES: readonly { readonly size: number; readonly bpf: string; readonly c: string }[] = [
  { size: 0x00, bpf: 'ld', c: 'data' },
  { size: 0x08, bpf: 'ldh', c: 'data16' },
  { size: 0x10, bpf: 'ldb', c: 'data8' },
];

/** The name of the 32-bit seccomp_data word at offset k (`nr`, `arch`, `ip.lo`, `args[2].hi`), if k is one. */
export function dataWordName(k: number, endian: Endian): string | undefined {
  if (k >= 64 || k % 4 !== 0) return undefined;
  if (k === 0) return 'nr';
  if (k === 4) return 'arch';
  const field = k < 16 ? 'ip' : `args[${(k - 16) >> 3}]`;
  const lowFirst = endian === 'little';
  const second = (k & 4) !== 0;
  return `${field}.${second === lowFirst ? 'hi' : 'lo'}`;
}

/** Offset of `ip.half` (index undefined) or `args[index].half`. */
export function dataWordOffset(index: number | undefined, half: 'lo' | 'hi', endian: Endian): number {
  const base = index === undefined ? 8 : 16 + 8 * index;
  const second = (half === 'hi') === (endian === 'little');
  return base + (second ? 4 : 0);
}

/** The byte order used to name data words at an instruction (see DisasmOptions.endian). */
export function endianAt(facts: KnownArchFacts, opts: DisasmOptions): Endian {
  if (opts.endian) return opts.endian;
  if (facts.auditArch !== undefined) {
    const a = archesByAuditArch(facts.auditArch)[0];
    if (a) return a.endian;
  }
  return opts.arch?.endian ?? 'little';
}

export const ACTION_KINDS: ReadonlyMap<string, number> = new Map<string, number>([
  ...(Object.entries(ACTION_VALUES) as [ActionKind, number][]),
  ['KILL', ACTION_VALUES.KILL_THREAD],
]);
const KIND_BY_VALUE = new Map<number, ActionKind>((Object.entries(ACTION_VALUES) as [ActionKind, number][]).map(([k, v]) => [v >>> 0, k]));

/** `ALLOW`, `ERRNO(1)`, `TRAP(0xbeef)`, `KILL_PROCESS(5)`; unknown actions as 8-digit hex. */
export function formatReturn(k: number): { text: string; known: boolean } {
  const kind = KIND_BY_VALUE.get((k & SECCOMP_RET_ACTION_FULL) >>> 0);
  if (kind === undefined) return { text: `0x${(k >>> 0).toString(16).padStart(8, '0')}`, known: false };
  const data = k & SECCOMP_RET_DATA;
  if (kind === 'ERRNO') return { text: `ERRNO(${data})`, known: true };
  if (kind === 'TRAP' || kind === 'TRACE' || data !== 0) return { text: `${kind}(${num(data)})`, known: true };
  return { text: kind, known: true };
}

/** Immediates: small values in decimal, others in hex. */
export function num(k: number): string {
  return k < 10 ? String(k) : `0x${k.toString(16)}`;
}

/** Offsets and indices (`[16]`, `M[3]`): decimal up to 0xffff. */
export function off(k: number): string {
  return k <= 0xffff ? String(k) : `0x${k.toString(16)}`;
}

/** Syscall numbers: decimal up to 0xffff (39, not 0x27), hex above (0x40000027). */
export function nrNum(k: number): string {
  return off(k);
}

/** Words of either syntax that an identifier operand must not be mistaken for. */
const RESERVED = new Set([
  'A', 'X', 'a', 'x', 'M', 'nr', 'arch', 'len', 'pktlen', 'ip', 'args', 'data', 'data16', 'data8',
  'if', 'else', 'goto', 'return', 'raw', 'insn', ...ACTION_KINDS.keys(),
]);

/** True if `name` reads back as a syscall name in either syntax. */
export function isPlainName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name) && !name.startsWith('AUDIT_ARCH_');
}

/**
 * The name a conditional jump's constant is printed with: the AUDIT_ARCH_*
 * name when A holds the arch word, the syscall name when A holds the nr
 * word, the jump is a JEQ, the arch is known and the resolver maps the name
 * back to exactly k.
 */
export function compareName(ins: Insn, facts: KnownArchFacts, opts: DisasmOptions): string | undefined {
  if (SHAPES.get(ins.code) !== 'jcond_k') return undefined;
  if (facts.a === 'arch') return auditArchName(ins.k);
  if (facts.a !== 'nr' || ins.code !== OP.JMP_JEQ_K || facts.auditArch === undefined || !opts.syscalls) return undefined;
  const name = opts.syscalls.name(facts.auditArch, ins.k | 0);
  if (name === undefined || !isPlainName(name)) return undefined;
  const back = opts.syscalls.number(facts.auditArch, name);
  return back !== undefined && back >>> 0 === ins.k ? name : undefined;
}
