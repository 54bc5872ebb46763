// The disassembler: a program to text in one of the two syntaxes that
// assemble() (asm.ts, where the grammar is described) reads back byte for
// byte. Instructions without a canonical spelling are printed raw.
import { type Insn, type Program } from './bpf.js';
import {
  ALU_OPS, compareName, dataWordName, endianAt, formatReturn, JMP_OPS, LOAD_SIZES, nrNum, num, off, rawReason, SHAPES,
  type DisasmOptions,
} from './asm_syntax.js';
import { knownArch, type KnownArchFacts } from './known_arch.js';

export type { DisasmOptions, Syntax, SyscallResolver } from './asm_syntax.js';

/** Column where bpf-syntax comments start (after the label column). */
const COMMENT_COLUMN = 28;

/** Print `program` in the chosen syntax; `assemble(disassemble(p, o), o)` equals p. */
export function disassemble(program: Program, opts: DisasmOptions = {}): string {
  const facts = knownArch(program, opts.arch?.auditArch);
  return opts.syntax === 'c' ? disasmC(program, facts, opts) : disasmBpf(program, facts, opts);
}

/** One line of output before layout: the statement and an optional comment. */
interface Line {
  readonly text: string;
  readonly comment?: string;
}

function aluOp(code: number) {
  return ALU_OPS.find((o) => o.op === (code & 0xf0))!;
}
function jmpOp(code: number) {
  return JMP_OPS.find((o) => o.op === (code & 0xf0))!;
}
function loadSize(code: number) {
  return LOAD_SIZES.find((s) => s.size === (code & 0x18))!;
}
const hex4 = (code: number): string => `0x${code.toString(16).padStart(4, '0')}`;

// ---------------------------------------------------------------- bpf syntax

function disasmBpf(program: Program, facts: readonly KnownArchFacts[], opts: DisasmOptions): string {
  const n = program.length;
  const raw = program.map((ins, i) => rawReason(ins, i, n));
  const labelled = new Set<number>();
  program.forEach((ins, i) => {
    if (raw[i] !== undefined) return;
    const shape = SHAPES.get(ins.code);
    if (shape === 'ja') labelled.add(i + 1 + ins.k);
    if (shape === 'jcond_k' || shape === 'jcond_x') {
      labelled.add(i + 1 + ins.jt);
      labelled.add(i + 1 + ins.jf);
    }
  });
  const label = (t: number): string => `L${t}`;
  const width = labelled.size === 0 ? 2 : Math.max(...[...labelled].map((t) => label(t).length)) + 2;
  const out: string[] = [];
  program.forEach((ins, i) => {
    const line = raw[i] !== undefined ? rawBpf(ins, raw[i]!) : bpfLine(ins, i, facts[i], opts, label);
    const head = (labelled.has(i) ? `${label(i)}:` : '').padEnd(width);
    const body = line.comment === undefined ? line.text : `${line.text.padEnd(COMMENT_COLUMN)} ; ${line.comment}`;
    out.push(head + body);
  });
  return out.map((l) => l + '\n').join('');
}

function rawBpf(ins: Insn, reason: string): Line {
  return { text: `.insn ${hex4(ins.code)}, ${ins.jt}, ${ins.jf}, ${num(ins.k)}`, comment: `raw: ${reason}` };
}

function bpfLine(ins: Insn, i: number, f: KnownArchFacts, opts: DisasmOptions, label: (t: number) => string): Line {
  const { code, jt, jf, k } = ins;
  switch (SHAPES.get(code)!) {
    case 'ld_imm':
      return { text: `ld #${num(k)}` };
    case 'ldx_imm':
      return { text: `ldx #${num(k)}` };
    case 'st':
      return { text: `st M[${off(k)}]` };
    case 'stx':
      return { text: `stx M[${off(k)}]` };
    case 'alu_k':
      return { text: `${aluOp(code).bpf} #${num(k)}` };
    case 'alu_x':
      return { text: `${aluOp(code).bpf} x` };
    case 'neg':
      return { text: 'neg' };
    case 'ja':
      return { text: `ja ${label(i + 1 + k)}` };
    case 'jcond_k': {
      const name = compareName(ins, f, opts);
      const v = f.a === 'nr' ? nrNum(k) : num(k);
      return { text: `${jmpOp(code).bpf} #${v}, ${label(i + 1 + jt)}, ${label(i + 1 + jf)}`, comment: name };
    }
    case 'jcond_x':
      return { text: `${jmpOp(code).bpf} x, ${label(i + 1 + jt)}, ${label(i + 1 + jf)}` };
    case 'ret_k': {
      const r = formatReturn(k);
      return { text: `ret #${num(k)}`, comment: r.known ? r.text : 'unknown action (acts as KILL_PROCESS)' };
    }
    case 'ret_a':
      return { text: 'ret a' };
    case 'tax':
      return { text: 'tax' };
    case 'txa':
      return { text: 'txa' };
    case 'ld_abs': {
      const name = (code & 0x18) === 0 ? dataWordName(k, endianAt(f, opts)) : undefined;
      return { text: `${loadSize(code).bpf} [${off(k)}]`, comment: name };
    }
    case 'ld_ind':
      return { text: `${loadSize(code).bpf} [x+${off(k)}]` };
    case 'ld_mem':
      return { text: `ld M[${off(k)}]` };
    case 'ldx_mem':
      return { text: `ldx M[${off(k)}]` };
    case 'ld_len':
      return { text: 'ld #len' };
    case 'ldx_len':
      return { text: 'ldx #len' };
    case 'msh':
      return { text: `ldx 4*([${off(k)}]&0xf)` };
  }
}

// ------------------------------------------------------------------ C syntax

function disasmC(program: Program, facts: readonly KnownArchFacts[], opts: DisasmOptions): string {
  const n = program.length;
  const w = Math.max(4, String(Math.max(0, n - 1)).length);
  const out: string[] = [];
  program.forEach((ins, i) => {
    const reason = rawReason(ins, i, n);
    const line: Line = reason !== undefined
      ? { text: `raw(${hex4(ins.code)}, ${ins.jt}, ${ins.jf}, ${num(ins.k)})`, comment: `raw: ${reason}` }
      : cLine(ins, i, facts[i], opts);
    const head = `${String(i).padStart(w, '0')}: `;
    out.push(head + (line.comment === undefined ? line.text : `${line.text}  // ${line.comment}`));
  });
  return out.map((l) => l + '\n').join('');
}

function cLine(ins: Insn, i: number, f: KnownArchFacts, opts: DisasmOptions): Line {
  const { code, jt, jf, k } = ins;
  switch (SHAPES.get(code)!) {
    case 'ld_imm':
      return { text: `A = ${num(k)}` };
    case 'ldx_imm':
      return { text: `X = ${num(k)}` };
    case 'st':
      return { text: `M[${off(k)}] = A` };
    case 'stx':
      return { text: `M[${off(k)}] = X` };
    case 'alu_k':
      return { text: `A ${aluOp(code).c} ${num(k)}` };
    case 'alu_x':
      return { text: `A ${aluOp(code).c} X` };
    case 'neg':
      return { text: 'A = -A' };
    case 'ja':
      return { text: `goto ${i + 1 + k}` };
    case 'jcond_k':
    case 'jcond_x': {
      const x = (code & 0x08) !== 0;
      const v = x ? 'X' : compareName(ins, f, opts) ?? (f.a === 'nr' ? nrNum(k) : num(k));
      const op = jmpOp(code);
      const t = i + 1 + jt;
      const e = i + 1 + jf;
      const cond = (neg: boolean): string =>
        op.bpf === 'jset' ? (neg ? `!(A & ${v})` : `A & ${v}`) : `A ${neg ? op.neg : op.c} ${v}`;
      if (jf === 0) return { text: `if (${cond(false)}) goto ${t}` };
      if (jt === 0) return { text: `if (${cond(true)}) goto ${e}` };
      return { text: `if (${cond(false)}) goto ${t}; else goto ${e}` };
    }
    case 'ret_k': {
      const r = formatReturn(k);
      return { text: `return ${r.text}`, comment: r.known ? undefined : 'unknown action (acts as KILL_PROCESS)' };
    }
    case 'ret_a':
      return { text: 'return A' };
    case 'tax':
      return { text: 'X = A' };
    case 'txa':
      return { text: 'A = X' };
    case 'ld_abs': {
      const name = (code & 0x18) === 0 ? dataWordName(k, endianAt(f, opts)) : undefined;
      return { text: `A = ${name ?? `${loadSize(code).c}[${off(k)}]`}` };
    }
    case 'ld_ind':
      return { text: `A = ${loadSize(code).c}[X + ${off(k)}]` };
    case 'ld_mem':
      return { text: `A = M[${off(k)}]` };
    case 'ldx_mem':
      return { text: `X = M[${off(k)}]` };
    case 'ld_len':
      return { text: 'A = len' };
    case 'ldx_len':
      return { text: 'X = len' };
    case 'msh':
      return { text: `X = 4 * (data8[${off(k)}] & 0xf)` };
  }
}
