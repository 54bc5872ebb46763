// The assembler: text in either of two syntaxes to a classic-BPF program.
// disassemble() (disasm.ts) prints what this reads; for every program p and
// options o, assemble(disassemble(p, o), o) is p, byte for byte.
//
// Both syntaxes: one instruction per line; blank lines and comments anywhere
// (`//` to the end of the line and `/* ... */`, plus `;` to the end of the
// line in the bpf syntax). Numbers are decimal (no leading zeros), 0x hex or
// 0b binary; a leading `-` gives the 32-bit two's complement. A constant
// operand (`#k`, `A = k`, `A += k`, the k of a comparison) may also be an
// AUDIT_ARCH_* name, or a syscall name, resolved with opts.syscalls for the
// arch known at that instruction (known_arch.ts: what the program's own arch
// checks establish, else opts.arch where the path tests no arch). A syscall
// name where no arch is known, or compared with the arch word, is an error.
// If opts.syntax is not given, the first instruction decides: a bpf mnemonic
// (or `.insn`) means 'bpf', anything else 'c'.
//
// RAW FORM. An instruction with no canonical spelling — an opcode outside the
// 49 classic ones, a non-zero field the opcode does not use (jt/jf of a
// non-jump, k of an X-form ALU op or jump, NEG, TAX, TXA, RET A, LEN loads),
// or a jump whose target is not an instruction of the program — is printed
// with all four fields, which the assembler takes as they are:
//   bpf: `.insn 0x0094, 0, 0, 0x3`      C: `raw(0x0094, 0, 0, 0x3)`
// (code, jt, jf, k; jt/jf are the raw offsets, not targets).
//
// SYNTAX 'bpf' (the kernel's tools/bpf/bpf_asm, Documentation/networking/
// filter.rst). `label:` before an instruction, or alone on a line, names it;
// the disassembler names jump targets `L<index>`. Mnemonics are
// case-insensitive; x, %x and X are the X register, a, %a and A the
// accumulator.
//   ld #k | ldi #k | ld #len | ld M[k] | ld [k] | ld [x+k]      ldh/ldb [k] | [x+k]
//   ldx #k | ldxi #k | ldx #len | ldx M[k] | ldx 4*([k]&0xf) (also ldxb)
//   st M[k] | stx M[k]        tax | txa | neg
//   add sub mul div mod and or xor lsh rsh:  #k | x
//   ja L (also jmp)
//   jeq jgt jge jset:  #k, Lt, Lf | x, Lt, Lf | #k, Lt (jf = 0) | x, Lt
//   jne jneq (JEQ), jlt (JGE), jle (JGT):  #k, Lf | x, Lf (jt = 0)
//   ret #k | ret a | ret ACTION    (ACTION as in the C syntax, e.g. ret ERRNO(1))
// The disassembler prints both labels of every conditional jump, numbers in
// the instruction and names in `;` comments: `jeq #39, L5, L6 ; getpid`.
//
// SYNTAX 'c'. Each line may start with the instruction index, `0004:`, which
// must match the instruction's position; goto targets are absolute indices
// (or labels, `name:` as in the bpf syntax). A trailing `;` is allowed.
//   A = nr | arch | ip.lo | ip.hi | args[i].lo | args[i].hi   (LD [k], 32-bit
//       words of seccomp_data; which half sits at the lower offset follows the
//       byte order: opts.endian, else the known arch's, else opts.arch's,
//       else little)
//   A = data[k] | data16[k] | data8[k] | data[X + k] | data16[X + k] | data8[X + k]
//   A = k | len | M[k] | X | -A        X = k | len | M[k] | A | 4 * (data8[k] & 0xf)
//   M[k] = A | M[k] = X
//   A += k (also -= *= /= %= &= |= ^= <<= >>=; X in place of k)
//   if (A == k) goto T          JEQ, jt = T, jf = 0 (also >, >=, A & k for JGT, JGE, JSET)
//   if (A != k) goto F          JEQ, jt = 0, jf = F (also <= for JGT, < for JGE, !(A & k) for JSET)
//   if (A == k) goto T; else goto F   (any of the conditions above; a negated
//                               one swaps the targets)
//   goto T                      JA
//   return ALLOW | KILL_PROCESS | KILL_THREAD (KILL) | LOG | USER_NOTIF
//        | ERRNO(n) | TRAP(n) | TRACE(n) | NAME(n) for data bits any action
//          ignores | 0x00010000 (any number) | A
// The disassembler prints the index on every line and names inline:
// `if (A == getpid) goto 7`, `if (A != AUDIT_ARCH_X86_64) goto 12`.
//
// NAMES the disassembler prints (both syntaxes): AUDIT_ARCH_* names in any
// comparison while A holds the arch word; a syscall name only in a JEQ while
// A holds the nr word, the arch is known, and opts.syscalls maps the name
// back to exactly k (else the number: x32 numbers, ambiguous or unreadable
// names).
import { insn, type Insn, OP } from './bpf.js';
import { auditArchName, auditArchValue } from './audit_arch.js';
import { EmulatorInputError } from './codec.js';
import {
  ACTION_KINDS, ALU_OPS, dataWordOffset, endianAt, isPlainName, JMP_OPS, type DisasmOptions, type Syntax,
} from './asm_syntax.js';
import { knownArch } from './known_arch.js';

export type AsmOptions = DisasmOptions;

/** A problem in assembly text; `line` is 1-based and the message names it. */
export class AsmError extends EmulatorInputError {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'AsmError';
  }
}

/** Assemble `text` (syntax `opts.syntax`, else detected) into instructions. */
export function assemble(text: string, opts: AsmOptions = {}): Insn[] {
  const rawLines = text.split(/\r\n|\n|\r/);
  const syntax = opts.syntax ?? detectSyntax(stripComments(rawLines, true));
  const lines = stripComments(rawLines, syntax === 'bpf');
  const st: State = { insns: [], labels: new Map() };
  lines.forEach((l, i) => {
    const c = new Cursor(tokenize(l, i + 1), i + 1);
    if (syntax === 'bpf') parseBpfLine(c, st);
    else parseCLine(c, st);
  });
  return resolve(st, opts);
}

// ------------------------------------------------------------------- lexing

type Tok =
  | { readonly kind: 'num'; readonly text: string; readonly value: number }
  | { readonly kind: 'id'; readonly text: string }
  | { readonly kind: 'punct'; readonly text: string };

const PUNCTS = ['<<=', '>>=', '==', '!=', '<=', '>=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', ...'#[](),:+-*/%&|^!=<>.;'];

/** Remove comments, keeping one entry per line; `;` starts a comment in the bpf syntax only. */
function stripComments(lines: readonly string[], semicolon: boolean): string[] {
  let open = 0; // line where an unterminated /* began, 0 if none
  const out = lines.map((line, li) => {
    let s = '';
    let i = 0;
    while (i < line.length) {
      if (open) {
        const end = line.indexOf('*/', i);
        if (end < 0) return s;
        open = 0;
        s += ' ';
        i = end + 2;
        continue;
      }
      const ch = line[i];
      if ((ch === '/' && line[i + 1] === '/') || (semicolon && ch === ';')) return s;
      if (ch === '/' && line[i + 1] === '*') {
        open = li + 1;
        i += 2;
        continue;
      }
      s += ch;
      i++;
    }
    return s;
  });
  if (open) throw new AsmError(open, "comment '/*' is not closed");
  return out;
}

const BPF_MNEMONICS = new Set([
  'ld', 'ldi', 'ldh', 'ldb', 'ldx', 'ldxi', 'ldxb', 'st', 'stx', 'neg', 'tax', 'txa', 'ret',
  'ja', 'jmp', 'jeq', 'jneq', 'jne', 'jlt', 'jle', 'jgt', 'jge', 'jset', '.insn', ...ALU_OPS.map((o) => o.bpf),
]);

function detectSyntax(lines: readonly string[]): Syntax {
  for (const line of lines) {
    let s = line.trim();
    if (/^\d+\s*:/.test(s)) return 'c';
    s = s.replace(/^([A-Za-z_]\w*\s*:\s*)+/, '');
    const m = /^\.?[A-Za-z_]\w*/.exec(s);
    if (m) return BPF_MNEMONICS.has(m[0].toLowerCase()) ? 'bpf' : 'c';
    if (s !== '') return 'c';
  }
  return 'bpf';
}

function tokenize(line: string, lineNo: number): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < line.length) {
    const rest = line.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    const nm = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)/.exec(rest);
    if (nm) {
      const text = nm[0];
      if (/^[A-Za-z0-9_]/.test(rest.slice(text.length))) throw new AsmError(lineNo, `bad number '${/^\w+/.exec(rest)![0]}'`);
      const value = /^0[xX]/.test(text) ? parseInt(text.slice(2), 16) : /^0[bB]/.test(text) ? parseInt(text.slice(2), 2) : parseInt(text, 10);
      toks.push({ kind: 'num', text, value });
      i += text.length;
      continue;
    }
    const id = /^[A-Za-z_]\w*/.exec(rest);
    if (id) {
      toks.push({ kind: 'id', text: id[0] });
      i += id[0].length;
      continue;
    }
    const p = PUNCTS.find((q) => rest.startsWith(q));
    if (p === undefined) throw new AsmError(lineNo, `unexpected character '${line[i]}'`);
    toks.push({ kind: 'punct', text: p });
    i += p.length;
  }
  return toks;
}

class Cursor {
  private i = 0;
  constructor(
    private readonly toks: readonly Tok[],
    readonly line: number,
  ) {}

  peek(o = 0): Tok | undefined {
    return this.toks[this.i + o];
  }
  atEnd(): boolean {
    return this.i >= this.toks.length;
  }
  isP(text: string, o = 0): boolean {
    const t = this.peek(o);
    return t?.kind === 'punct' && t.text === text;
  }
  isId(text: string, o = 0): boolean {
    const t = this.peek(o);
    return t?.kind === 'id' && t.text === text;
  }
  isNum(o = 0): boolean {
    return this.peek(o)?.kind === 'num';
  }
  take(): Tok {
    const t = this.peek();
    if (!t) this.fail('unexpected end of line');
    this.i++;
    return t;
  }
  eatP(text: string): boolean {
    if (!this.isP(text)) return false;
    this.i++;
    return true;
  }
  eatId(...texts: string[]): boolean {
    const t = this.peek();
    if (t?.kind !== 'id' || !texts.includes(t.text)) return false;
    this.i++;
    return true;
  }
  expectP(text: string): void {
    if (!this.eatP(text)) this.fail(`expected '${text}', found ${this.found()}`);
  }
  expectId(text: string): void {
    if (!this.eatId(text)) this.fail(`expected '${text}', found ${this.found()}`);
  }
  ident(what: string): string {
    const t = this.peek();
    if (t?.kind !== 'id') this.fail(`expected ${what}, found ${this.found()}`);
    this.i++;
    return t.text;
  }
  expectEnd(): void {
    if (!this.atEnd()) this.fail(`unexpected ${this.found()}`);
  }
  found(): string {
    const t = this.peek();
    return t ? `'${t.text}'` : 'end of line';
  }
  fail(problem: string): never {
    throw new AsmError(this.line, problem);
  }
}

// ------------------------------------------------------------------ operands

type Target = { readonly label: string } | { readonly index: number };
/** A k still to be worked out: a jump target, a syscall name, or an endian-dependent data word. */
type KSlot =
  | number
  | { readonly target: Target }
  | { readonly syscall: string }
  | { readonly word: 'ip' | 'args'; readonly index?: number; readonly half: 'lo' | 'hi' };

interface Pending {
  readonly line: number;
  readonly code: number;
  readonly jt: number | Target;
  readonly jf: number | Target;
  readonly k: KSlot;
}

interface State {
  readonly insns: Pending[];
  readonly labels: Map<string, { readonly index: number; readonly line: number }>;
}

/** A number token as an unsigned value no larger than `max` (no sign). */
function uint(c: Cursor, max: number, what: string): number {
  const t = c.peek();
  if (t?.kind !== 'num') c.fail(`expected ${what}, found ${c.found()}`);
  if (/^0[0-9]/.test(t.text)) c.fail(`ambiguous number '${t.text}' (leading zero); write it in decimal without the zero or in 0x hex`);
  if (t.value > max) {
    c.fail(max >= 0x80000000 ? `${t.text} does not fit in 32 bits` : `${t.text} is out of range for ${what} (at most ${max > 0xff ? `0x${max.toString(16)}` : max})`);
  }
  c.take();
  return t.value;
}

/** A 32-bit number: unsigned, or negative (two's complement). */
function u32(c: Cursor, what = 'a number'): number {
  if (c.eatP('-')) {
    const v = uint(c, 0x80000000, what);
    return (-v) >>> 0;
  }
  return uint(c, 0xffffffff, what);
}

/** A constant operand: a number, an AUDIT_ARCH_* name, or a syscall name (resolved later). */
function constant(c: Cursor): number | { syscall: string } {
  const t = c.peek();
  if (t?.kind !== 'id') return u32(c, 'a number or name');
  if (t.text.startsWith('AUDIT_ARCH_')) {
    const v = auditArchValue(t.text);
    if (v === undefined) c.fail(`unknown arch constant '${t.text}'`);
    c.take();
    return v;
  }
  if (!isPlainName(t.text)) c.fail(`expected a number or a syscall name, found '${t.text}'`);
  c.take();
  return { syscall: t.text };
}

/** An action: `ALLOW`, `ERRNO(1)`, `KILL_PROCESS(5)`... */
function action(c: Cursor): number | undefined {
  const t = c.peek();
  if (t?.kind !== 'id') return undefined;
  const base = ACTION_KINDS.get(t.text);
  if (base === undefined) return undefined;
  c.take();
  let data = 0;
  if (c.eatP('(')) {
    data = uint(c, 0xffff, `${t.text} data`);
    c.expectP(')');
  }
  return (base | data) >>> 0;
}

function defineLabel(st: State, c: Cursor, name: string): void {
  const prev = st.labels.get(name);
  if (prev) c.fail(`label '${name}' is already defined on line ${prev.line}`);
  st.labels.set(name, { index: st.insns.length, line: c.line });
}

function emit(st: State, c: Cursor, code: number, k: KSlot = 0, jt: number | Target = 0, jf: number | Target = 0): void {
  st.insns.push({ line: c.line, code, jt, jf, k });
}

/** Four raw fields: code, jt, jf, k. */
function rawFields(c: Cursor, st: State): void {
  const code = uint(c, 0xffff, 'an opcode');
  c.expectP(',');
  const jt = uint(c, 0xff, 'jt');
  c.expectP(',');
  const jf = uint(c, 0xff, 'jf');
  c.expectP(',');
  const k = u32(c, 'k');
  emit(st, c, code, k, jt, jf);
}

// ------------------------------------------------------------ the bpf syntax

const isXReg = (c: Cursor): boolean => (c.isP('%') && (c.isId('x', 1) || c.isId('X', 1))) || c.isId('x') || c.isId('X');
const isAReg = (c: Cursor): boolean => (c.isP('%') && (c.isId('a', 1) || c.isId('A', 1))) || c.isId('a') || c.isId('A');
function eatReg(c: Cursor): void {
  c.eatP('%');
  c.take();
}

/** `[k]` or `[x+k]`: an ABS or IND load of the given size. */
function packetLoad(c: Cursor, st: State, size: number): void {
  c.expectP('[');
  if (isXReg(c)) {
    eatReg(c);
    const k = c.eatP('+') ? u32(c, 'an offset') : 0;
    c.expectP(']');
    emit(st, c, 0x40 | size, k);
  } else {
    const k = u32(c, 'an offset');
    c.expectP(']');
    emit(st, c, 0x20 | size, k);
  }
}

/** `M[k]`. */
function memSlot(c: Cursor): number {
  c.expectId('M');
  c.expectP('[');
  const k = u32(c, 'a scratch index');
  c.expectP(']');
  return k;
}

/** `4*([k]&0xf)` (bpf) or `4 * (data8[k] & 0xf)` (C, with the array name). */
function msh(c: Cursor, st: State, array?: string): void {
  if (uint(c, 0xffffffff, '4') !== 4) c.fail("expected '4*(...)'");
  c.expectP('*');
  c.expectP('(');
  if (array) c.expectId(array);
  c.expectP('[');
  const k = u32(c, 'an offset');
  c.expectP(']');
  c.expectP('&');
  if (uint(c, 0xffffffff, '0xf') !== 0xf) c.fail("expected '& 0xf'");
  c.expectP(')');
  emit(st, c, OP.LDX_B_MSH, k);
}

function bpfLabel(c: Cursor): Target {
  return { label: c.ident('a label') };
}

function parseBpfLine(c: Cursor, st: State): void {
  while (c.peek()?.kind === 'id' && c.isP(':', 1)) {
    defineLabel(st, c, c.take().text);
    c.take();
  }
  if (c.atEnd()) return;
  if (c.eatP('.')) {
    if (!c.eatId('insn')) c.fail(`unknown directive '.${c.peek()?.text ?? ''}'`);
    rawFields(c, st);
    c.expectEnd();
    return;
  }
  const mn = c.ident('an instruction').toLowerCase();
  const alu = ALU_OPS.find((o) => o.bpf === mn);
  const jmp = JMP_OPS.find((o) => o.bpf === mn);
  const neg = ({ jne: 0x10, jneq: 0x10, jlt: 0x30, jle: 0x20 } as Record<string, number>)[mn];
  if (alu) {
    if (isXReg(c)) {
      eatReg(c);
      emit(st, c, 0x0c | alu.op);
    } else {
      c.expectP('#');
      emit(st, c, 0x04 | alu.op, constant(c));
    }
  } else if (jmp || neg !== undefined) {
    const op = jmp ? jmp.op : neg!;
    let code = 0x05 | op;
    let k: KSlot = 0;
    if (isXReg(c)) {
      eatReg(c);
      code = 0x0d | op;
    } else {
      c.expectP('#');
      k = constant(c);
    }
    c.expectP(',');
    const first = bpfLabel(c);
    if (jmp) {
      const second = c.eatP(',') ? bpfLabel(c) : 0;
      emit(st, c, code, k, first, second);
    } else {
      emit(st, c, code, k, 0, first);
    }
  } else {
    switch (mn) {
      case 'ld':
      case 'ldi':
        if (c.eatP('#')) {
          if (mn === 'ld' && c.eatId('len', 'pktlen')) emit(st, c, OP.LD_W_LEN);
          else emit(st, c, OP.LD_IMM, constant(c));
        } else if (mn === 'ldi') {
          c.fail(`expected '#', found ${c.found()}`);
        } else if (c.eatId('len', 'pktlen')) {
          emit(st, c, OP.LD_W_LEN);
        } else if (c.isId('M')) {
          emit(st, c, OP.LD_MEM, memSlot(c));
        } else {
          packetLoad(c, st, 0x00);
        }
        break;
      case 'ldh':
        packetLoad(c, st, 0x08);
        break;
      case 'ldb':
        packetLoad(c, st, 0x10);
        break;
      case 'ldx':
      case 'ldxi':
        if (c.eatP('#')) {
          if (mn === 'ldx' && c.eatId('len', 'pktlen')) emit(st, c, OP.LDX_W_LEN);
          else emit(st, c, OP.LDX_IMM, constant(c));
        } else if (mn === 'ldxi') {
          c.fail(`expected '#', found ${c.found()}`);
        } else if (c.eatId('len', 'pktlen')) {
          emit(st, c, OP.LDX_W_LEN);
        } else if (c.isId('M')) {
          emit(st, c, OP.LDX_MEM, memSlot(c));
        } else {
          msh(c, st);
        }
        break;
      case 'ldxb':
        msh(c, st);
        break;
      case 'st':
        emit(st, c, OP.ST, memSlot(c));
        break;
      case 'stx':
        emit(st, c, OP.STX, memSlot(c));
        break;
      case 'neg':
        emit(st, c, OP.ALU_NEG);
        break;
      case 'tax':
        emit(st, c, OP.MISC_TAX);
        break;
      case 'txa':
        emit(st, c, OP.MISC_TXA);
        break;
      case 'ja':
      case 'jmp':
        emit(st, c, OP.JMP_JA, { target: bpfLabel(c) });
        break;
      case 'ret': {
        if (isAReg(c)) {
          eatReg(c);
          emit(st, c, OP.RET_A);
          break;
        }
        const hash = c.eatP('#');
        const a = action(c);
        emit(st, c, OP.RET_K, a ?? (hash ? u32(c) : c.fail(`expected '#k', 'a' or an action, found ${c.found()}`)));
        break;
      }
      default:
        c.fail(`unknown instruction '${mn}'`);
    }
  }
  c.expectEnd();
}

// -------------------------------------------------------------- the C syntax

const C_JUMPS: ReadonlyMap<string, { op: number; neg: boolean }> = new Map([
  ['==', { op: 0x10, neg: false }], ['!=', { op: 0x10, neg: true }],
  ['>', { op: 0x20, neg: false }], ['<=', { op: 0x20, neg: true }],
  ['>=', { op: 0x30, neg: false }], ['<', { op: 0x30, neg: true }],
  ['&', { op: 0x40, neg: false }],
]);

function cTarget(c: Cursor): Target {
  if (c.isNum()) return { index: uint(c, 0xffffffff, 'an instruction index') };
  return { label: c.ident('an instruction index or label') };
}

/** The right-hand side of a comparison: X or a constant. Returns the code's X bit and k. */
function cOperand(c: Cursor): { x: boolean; k: KSlot } {
  if (c.eatId('X')) return { x: true, k: 0 };
  return { x: false, k: constant(c) };
}

function parseCLine(c: Cursor, st: State): void {
  if (c.isNum() && c.isP(':', 1)) {
    const t = c.take() as { value: number; text: string };
    c.take();
    if (t.value !== st.insns.length) c.fail(`index ${t.text} does not match the instruction's position ${st.insns.length}`);
  }
  while (c.peek()?.kind === 'id' && c.isP(':', 1)) {
    defineLabel(st, c, c.take().text);
    c.take();
  }
  if (c.atEnd()) return;
  const head = c.ident('a statement');
  switch (head) {
    case 'A':
      if (c.eatP('=')) cLoadA(c, st);
      else {
        const t = c.peek();
        const alu = ALU_OPS.find((o) => t?.kind === 'punct' && o.c === t.text);
        if (!alu) c.fail(`expected '=' or an assignment operator after 'A', found ${c.found()}`);
        c.take();
        const { x, k } = cOperand(c);
        emit(st, c, (x ? 0x0c : 0x04) | alu.op, k);
      }
      break;
    case 'X':
      c.expectP('=');
      if (c.eatId('len')) emit(st, c, OP.LDX_W_LEN);
      else if (c.eatId('A')) emit(st, c, OP.MISC_TAX);
      else if (c.isId('M')) emit(st, c, OP.LDX_MEM, memSlot(c));
      else if (c.isNum() && c.isP('*', 1)) msh(c, st, 'data8');
      else emit(st, c, OP.LDX_IMM, constant(c));
      break;
    case 'M': {
      c.expectP('[');
      const k = u32(c, 'a scratch index');
      c.expectP(']');
      c.expectP('=');
      if (c.eatId('A')) emit(st, c, OP.ST, k);
      else if (c.eatId('X')) emit(st, c, OP.STX, k);
      else c.fail(`expected 'A' or 'X', found ${c.found()}`);
      break;
    }
    case 'if': {
      c.expectP('(');
      let op: number;
      let neg: boolean;
      let operand: { x: boolean; k: KSlot };
      if (c.eatP('!')) {
        c.expectP('(');
        c.expectId('A');
        c.expectP('&');
        operand = cOperand(c);
        c.expectP(')');
        op = 0x40;
        neg = true;
      } else {
        c.expectId('A');
        const t = c.peek();
        const j = t?.kind === 'punct' ? C_JUMPS.get(t.text) : undefined;
        if (!j) c.fail(`expected a comparison operator, found ${c.found()}`);
        c.take();
        operand = cOperand(c);
        op = j.op;
        neg = j.neg;
      }
      c.expectP(')');
      c.expectId('goto');
      const t1 = cTarget(c);
      c.eatP(';');
      let t2: Target | undefined;
      if (c.eatId('else')) {
        c.expectId('goto');
        t2 = cTarget(c);
      }
      const code = (operand.x ? 0x0d : 0x05) | op;
      if (t2 === undefined) emit(st, c, code, operand.k, neg ? 0 : t1, neg ? t1 : 0);
      else emit(st, c, code, operand.k, neg ? t2 : t1, neg ? t1 : t2);
      break;
    }
    case 'goto':
      emit(st, c, OP.JMP_JA, { target: cTarget(c) });
      break;
    case 'return': {
      if (c.eatId('A')) {
        emit(st, c, OP.RET_A);
        break;
      }
      const a = action(c);
      emit(st, c, OP.RET_K, a ?? u32(c, 'an action or a number'));
      break;
    }
    case 'raw':
      c.expectP('(');
      rawFields(c, st);
      c.expectP(')');
      break;
    default:
      c.fail(`unknown statement '${head}'`);
  }
  c.eatP(';');
  c.expectEnd();
}

/** After `A =`. */
function cLoadA(c: Cursor, st: State): void {
  const half = (): 'lo' | 'hi' => {
    c.expectP('.');
    const h = c.ident("'lo' or 'hi'");
    if (h !== 'lo' && h !== 'hi') c.fail(`expected 'lo' or 'hi', found '${h}'`);
    return h;
  };
  if (c.eatId('nr')) emit(st, c, OP.LD_W_ABS, 0);
  else if (c.eatId('arch')) emit(st, c, OP.LD_W_ABS, 4);
  else if (c.eatId('len')) emit(st, c, OP.LD_W_LEN);
  else if (c.eatId('X')) emit(st, c, OP.MISC_TXA);
  else if (c.isP('-') && c.isId('A', 1)) {
    c.take();
    c.take();
    emit(st, c, OP.ALU_NEG);
  } else if (c.isId('M')) emit(st, c, OP.LD_MEM, memSlot(c));
  else if (c.eatId('ip')) emit(st, c, OP.LD_W_ABS, { word: 'ip', half: half() });
  else if (c.eatId('args')) {
    c.expectP('[');
    const index = uint(c, 5, 'an argument index');
    c.expectP(']');
    emit(st, c, OP.LD_W_ABS, { word: 'args', index, half: half() });
  } else if (c.isId('data') || c.isId('data16') || c.isId('data8')) {
    const size = { data: 0x00, data16: 0x08, data8: 0x10 }[c.take().text as 'data' | 'data16' | 'data8'];
    c.expectP('[');
    if (c.eatId('X')) {
      const k = c.eatP('+') ? u32(c, 'an offset') : 0;
      c.expectP(']');
      emit(st, c, 0x40 | size, k);
    } else {
      const k = u32(c, 'an offset');
      c.expectP(']');
      emit(st, c, 0x20 | size, k);
    }
  } else emit(st, c, OP.LD_IMM, constant(c));
}

// ---------------------------------------------------------------- resolution

function resolve(st: State, opts: AsmOptions): Insn[] {
  const n = st.insns.length;
  const fail = (p: Pending, problem: string): never => {
    throw new AsmError(p.line, problem);
  };
  const describe = (t: Target): string => ('label' in t ? `label '${t.label}'` : `instruction ${t.index}`);
  const offset = (p: Pending, i: number, t: number | Target, max: number): number => {
    if (typeof t === 'number') return t;
    let idx: number;
    if ('label' in t) {
      const l = st.labels.get(t.label);
      if (!l) return fail(p, `no label '${t.label}'`);
      idx = l.index;
    } else idx = t.index;
    if (idx >= n) fail(p, `jump to ${describe(t)}, past the last instruction (${n - 1})`);
    if (idx <= i) fail(p, `jump to ${describe(t)}, which is not after this instruction (${i}); jumps go forward only`);
    const o = idx - i - 1;
    if (o > max) fail(p, `jump to ${describe(t)} is ${o} instructions ahead; a conditional jump reaches at most ${max}`);
    return o;
  };

  // Targets first: the analysis follows the jumps.
  const shaped = st.insns.map((p, i) => {
    const jt = offset(p, i, p.jt, 0xff);
    const jf = offset(p, i, p.jf, 0xff);
    const k = typeof p.k === 'object' && 'target' in p.k ? offset(p, i, p.k.target, 0xffffffff) : p.k;
    return { p, jt, jf, k };
  });
  const facts = knownArch(shaped.map(({ p, jt, jf, k }) => ({ code: p.code, jt, jf, k: typeof k === 'number' ? k : undefined })), opts.arch?.auditArch);

  return shaped.map(({ p, jt, jf, k }, i) => {
    const f = facts[i];
    let value: number;
    if (typeof k === 'number') value = k;
    else if ('word' in k) value = dataWordOffset(k.index, k.half, endianAt(f, opts));
    else if ('syscall' in k) {
      const name = k.syscall;
      if ((p.code & 0x07) === 0x05 && f.aMayBeArch) fail(p, `syscall name '${name}' is compared with the arch word; use an AUDIT_ARCH_* name or a number`);
      if (f.auditArch === undefined) {
        fail(p, `syscall name '${name}' needs a known arch; add an arch check or pass --arch${f.reachable ? '' : ' (no path reaches this instruction)'}`);
      }
      if (!opts.syscalls) fail(p, `syscall name '${name}' needs a syscall table, and none was given`);
      const nr = opts.syscalls!.number(f.auditArch!, name);
      if (nr === undefined) {
        fail(p, `unknown syscall '${name}' for ${auditArchName(f.auditArch!) ?? `arch 0x${f.auditArch!.toString(16)}`}`);
      }
      value = nr! >>> 0;
    } else value = 0; // unreachable: targets were resolved above
    return insn(p.code, jt, jf, value);
  });
}
