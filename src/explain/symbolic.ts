// Symbolic execution of one seccomp program over seccomp_data. Some of the
// sixteen 32-bit words are concrete (the query fixes nr and arch), the others
// are symbolic u32 variables. A, X and M[] hold a concrete u32, a masked word
// (word & mask: a plain load, or libseccomp's / seccompiler's masked
// comparisons), or an opaque expression tree (any other arithmetic on a
// symbolic value). Every conditional jump on a masked word splits the path in
// two and adds the comparison as an atom on that word (./solver.ts); a side
// whose atoms become unsatisfiable is pruned at once, a side that the path
// already implies is followed without adding anything. Jumps on opaque
// expressions split without pruning and mark the path "not simplified".
// Every path ends at a RET (or at DIV by X == 0, which returns 0).
//
// Semantics follow SEMANTICS §3: u32 wrap-around, unsigned compares, shifts
// by X & 31, DIV by X == 0 ends the filter with 0.
import { OP, SECCOMP_DATA_WORDS, type Program } from 'unicorn-bpf-emulator';
import { addAtom, findModel, holds, ne, range, solve, U32_MAX, type Atom } from './solver.js';

export type AluOp = 'add' | 'sub' | 'mul' | 'div' | 'or' | 'and' | 'lsh' | 'rsh' | 'xor';
export type CmpOp = 'jeq' | 'jgt' | 'jge' | 'jset';

/** An expression over the seccomp_data words (word w is offset 4*w). */
export type Expr =
  | { readonly op: 'word'; readonly w: number }
  | { readonly op: 'const'; readonly v: number }
  | { readonly op: AluOp; readonly a: Expr; readonly b: Expr }
  | { readonly op: 'neg'; readonly a: Expr };

/** `word & mask` (mask 0xffffffff: the word itself). */
export interface Masked {
  readonly kind: 'masked';
  readonly w: number;
  readonly mask: number;
}
/** Any other function of symbolic words. */
export interface Opaque {
  readonly kind: 'opaque';
  readonly e: Expr;
}
/** What A, X or M[i] holds on a path. */
export type Val = number | Masked | Opaque;

/** A comparison on opaque values the solver does not decide: `(a cmp b) == truth`. */
export interface OpaqueCond {
  readonly a: Expr;
  readonly cmp: CmpOp;
  readonly b: Expr;
  readonly truth: boolean;
}

export type PathResult =
  /** RET K, RET A with a concrete A, or DIV by a zero X (raw 0). */
  | { readonly kind: 'ret'; readonly raw: number; readonly divByZero: boolean }
  /** RET A with a symbolic A: the return value is a function of the data. */
  | { readonly kind: 'ret_a'; readonly value: Masked | Opaque };

export interface SymPath {
  /** Atoms per word (index 0..15); an empty list is an unconstrained word. */
  readonly words: readonly (readonly Atom[])[];
  readonly opaque: readonly OpaqueCond[];
  /** A satisfiability check ran over its budget: a pruning decision was not made. */
  readonly undecided: boolean;
  readonly result: PathResult;
  /** Instruction index of the RET (or DIV) that ended the path. */
  readonly pc: number;
}

export interface SymQuery {
  /** Concrete word values by index (0: nr, 1: arch); undefined entries are symbolic. */
  readonly concrete: readonly (number | undefined)[];
  /** Constraints the symbolic words start with (e.g. "the x32 bit is set in nr"). */
  readonly initial?: ReadonlyMap<number, readonly Atom[]>;
  /** Instructions executed over all paths before giving up (default 100,000). */
  readonly budget?: number;
}

export interface Exploration {
  readonly paths: SymPath[];
  /** False when the step budget ran out: the paths found so far are listed, others may exist. */
  readonly complete: boolean;
  readonly steps: number;
  /** Bit w set: some path loaded word w (LD [4*w]). */
  readonly loaded: number;
}

export const DEFAULT_STEP_BUDGET = 100_000;

interface State {
  pc: number;
  A: Val;
  X: Val;
  M: Val[];
  words: (readonly Atom[])[];
  /** A value satisfying each word's atoms (0 for unconstrained words). */
  models: number[];
  opaque: readonly OpaqueCond[];
  undecided: boolean;
}

const fork = (s: State): State => ({ ...s, M: s.M.slice(), words: s.words.slice(), models: s.models.slice() });

export const masked = (w: number, mask: number): Masked | number => (mask >>> 0 === 0 ? 0 : { kind: 'masked', w, mask: mask >>> 0 });

export function toExpr(v: Val): Expr {
  if (typeof v === 'number') return { op: 'const', v };
  if (v.kind === 'opaque') return v.e;
  const word: Expr = { op: 'word', w: v.w };
  return v.mask === U32_MAX ? word : { op: 'and', a: word, b: { op: 'const', v: v.mask } };
}

/** u32 arithmetic as the kernel does it (DIV by 0 is defined as 0 here; callers split on it first). */
export function aluConst(op: AluOp, a: number, b: number): number {
  switch (op) {
    case 'add': return (a + b) >>> 0;
    case 'sub': return (a - b) >>> 0;
    case 'mul': return Math.imul(a, b) >>> 0;
    case 'div': return b === 0 ? 0 : Math.floor((a >>> 0) / (b >>> 0)) >>> 0;
    case 'or': return (a | b) >>> 0;
    case 'and': return (a & b) >>> 0;
    case 'xor': return (a ^ b) >>> 0;
    case 'lsh': return (a << (b & 31)) >>> 0;
    case 'rsh': return (a >>> 0) >>> (b & 31);
  }
}

export function cmpConst(cmp: CmpOp, a: number, b: number): boolean {
  a >>>= 0;
  b >>>= 0;
  switch (cmp) {
    case 'jeq': return a === b;
    case 'jgt': return a > b;
    case 'jge': return a >= b;
    case 'jset': return (a & b) !== 0;
  }
}

/** Evaluate an expression on concrete seccomp_data words. */
export function evalExpr(e: Expr, words: ArrayLike<number>): number {
  switch (e.op) {
    case 'word': return words[e.w] >>> 0;
    case 'const': return e.v >>> 0;
    case 'neg': return (-evalExpr(e.a, words)) >>> 0;
    default: return aluConst(e.op, evalExpr(e.a, words), evalExpr(e.b, words));
  }
}

export function evalVal(v: Val, words: ArrayLike<number>): number {
  return typeof v === 'number' ? v >>> 0 : evalExpr(toExpr(v), words);
}

/** A op B on path values, keeping masked words masked where the result is still one. */
export function alu(op: AluOp, a: Val, b: Val): Val {
  if (typeof a === 'number' && typeof b === 'number') return aluConst(op, a, b);
  if (typeof b === 'number') {
    if (b === 0 && (op === 'add' || op === 'sub' || op === 'or' || op === 'xor')) return a;
    if ((op === 'lsh' || op === 'rsh') && (b & 31) === 0) return a;
    if (b === 1 && (op === 'mul' || op === 'div')) return a;
    if (b === 0 && (op === 'mul' || op === 'and')) return 0;
    if (b === U32_MAX && op === 'or') return U32_MAX;
    if (op === 'and' && typeof a !== 'number' && a.kind === 'masked') return masked(a.w, a.mask & b);
  }
  if (typeof a === 'number') {
    if (a === 0 && (op === 'and' || op === 'mul' || op === 'lsh' || op === 'rsh' || op === 'div')) return 0;
    if (a === 0 && (op === 'add' || op === 'or' || op === 'xor')) return b;
    if (a === 1 && op === 'mul') return b;
    if (a === U32_MAX && op === 'or') return U32_MAX;
    if (op === 'and' && typeof b !== 'number' && b.kind === 'masked') return masked(b.w, b.mask & a);
  }
  return { kind: 'opaque', e: { op, a: toExpr(a), b: toExpr(b) } };
}

type Side = Atom | 'always' | 'never';

/**
 * The atoms on `(word & mask)` for the true and the false side of
 * `(word & mask) cmp k`, or of `k cmp (word & mask)` when `flipped`.
 */
export function cmpAtoms(cmp: CmpOp, mask: number, k: number, flipped: boolean): { t: Side; f: Side } {
  k >>>= 0;
  switch (cmp) {
    case 'jeq':
      return { t: range(mask, k, k), f: ne(mask, k) };
    case 'jset': {
      const m = (mask & k) >>> 0;
      return m === 0 ? { t: 'never', f: 'always' } : { t: ne(m, 0), f: range(m, 0, 0) };
    }
    case 'jgt':
      if (!flipped) return k === U32_MAX ? { t: 'never', f: 'always' } : { t: range(mask, k + 1, U32_MAX), f: range(mask, 0, k) };
      // k > v  <=>  v <= k - 1
      return k === 0 ? { t: 'never', f: 'always' } : { t: range(mask, 0, k - 1), f: range(mask, k, U32_MAX) };
    case 'jge':
      if (!flipped) return k === 0 ? { t: 'always', f: 'never' } : { t: range(mask, k, U32_MAX), f: range(mask, 0, k - 1) };
      // k >= v  <=>  v <= k
      return k === U32_MAX ? { t: 'always', f: 'never' } : { t: range(mask, 0, k), f: range(mask, k + 1, U32_MAX) };
  }
}

/**
 * Exact atoms for a comparison of an invertible function of one whole word
 * with a constant: `w + c == k`, `w - c == k`, `c - w == k`, `w ^ c == k`
 * (w is k - c, k + c, c - k, k ^ c) and `(w ^ c) & k` (JSET: the bits of w
 * under k differ from c's). Anything else stays opaque.
 */
function invertible(e: Expr, cmp: CmpOp, k: number): { w: number; sides: { t: Side; f: Side } } | undefined {
  if (e.op !== 'add' && e.op !== 'sub' && e.op !== 'xor') return undefined;
  let w: number;
  let c: number;
  let wordFirst: boolean;
  if (e.a.op === 'word' && e.b.op === 'const') [w, c, wordFirst] = [e.a.w, e.b.v, true];
  else if (e.b.op === 'word' && e.a.op === 'const') [w, c, wordFirst] = [e.b.w, e.a.v, false];
  else return undefined;
  if (cmp === 'jeq') {
    const v = e.op === 'xor' ? (k ^ c) >>> 0 : e.op === 'add' ? (k - c) >>> 0 : wordFirst ? (k + c) >>> 0 : (c - k) >>> 0;
    return { w, sides: { t: range(U32_MAX, v, v), f: ne(U32_MAX, v) } };
  }
  if (cmp === 'jset' && e.op === 'xor') {
    if ((k >>> 0) === 0) return { w, sides: { t: 'never', f: 'always' } };
    const v = (c & k) >>> 0;
    return { w, sides: { t: ne(k, v), f: range(k, v, v) } };
  }
  return undefined;
}

const ALU_OPS: Readonly<Record<number, AluOp>> = {
  0x00: 'add', 0x10: 'sub', 0x20: 'mul', 0x30: 'div', 0x40: 'or', 0x50: 'and', 0x60: 'lsh', 0x70: 'rsh', 0xa0: 'xor',
};
const CMP_OPS: Readonly<Record<number, CmpOp>> = { 0x10: 'jeq', 0x20: 'jgt', 0x30: 'jge', 0x40: 'jset' };

/**
 * Every path of `program` (accepted by checkFilter) for the query. The
 * program is the user's (LD|W|ABS 0x20, LEN 0x80/0x81) or the kernel's
 * rewritten form (0x21, LD IMM 64); both are understood.
 */
export function explorePaths(program: Program, query: SymQuery): Exploration {
  const budget = query.budget ?? DEFAULT_STEP_BUDGET;
  const paths: SymPath[] = [];
  const init: State = {
    pc: 0, A: 0, X: 0, M: new Array<Val>(16).fill(0),
    words: Array.from({ length: SECCOMP_DATA_WORDS }, () => []),
    models: new Array<number>(SECCOMP_DATA_WORDS).fill(0),
    opaque: [], undecided: false,
  };
  for (const [w, atoms] of query.initial ?? []) {
    if (query.concrete[w] !== undefined) throw new Error(`word ${w} is concrete; it cannot have initial constraints`);
    const m = solve(atoms);
    if (m === null) return { paths, complete: true, steps: 0, loaded: 0 };
    init.words[w] = atoms.slice();
    if (m === 'unknown') init.undecided = true;
    else init.models[w] = m;
  }
  const stack: State[] = [init];
  let steps = 0;
  let loaded = 0;

  const load = (w: number): Val => {
    loaded |= 1 << w;
    return query.concrete[w] ?? { kind: 'masked', w, mask: U32_MAX };
  };
  const end = (s: State, result: PathResult): void => {
    paths.push({ words: s.words, opaque: s.opaque, undecided: s.undecided, result, pc: s.pc });
  };

  /**
   * Split s on a condition; returns the states of the true and false sides
   * that are possible (null for an impossible side). s itself is reused.
   */
  const split = (s: State, cmp: CmpOp, a: Val, b: Val): [State | null, State | null] => {
    if (typeof a === 'number' && typeof b === 'number') return cmpConst(cmp, a, b) ? [s, null] : [null, s];
    let w = -1;
    let sides: { t: Side; f: Side } | undefined;
    if (typeof a !== 'number' && a.kind === 'masked' && typeof b === 'number') {
      w = a.w;
      sides = cmpAtoms(cmp, a.mask, b, false);
    } else if (typeof a === 'number' && typeof b !== 'number' && b.kind === 'masked') {
      w = b.w;
      sides = cmpAtoms(cmp, b.mask, a, true);
    }
    if (sides === undefined) {
      const inv = typeof b === 'number' && typeof a !== 'number' && a.kind === 'opaque' ? invertible(a.e, cmp, b) : undefined;
      if (inv !== undefined) {
        w = inv.w;
        sides = inv.sides;
      }
    }
    if (sides === undefined) {
      const t = fork(s);
      t.opaque = [...s.opaque, { a: toExpr(a), cmp, b: toExpr(b), truth: true }];
      s.opaque = [...s.opaque, { a: toExpr(a), cmp, b: toExpr(b), truth: false }];
      return [t, s];
    }
    const cur = s.words[w];
    const model = s.models[w];
    const check = (side: Side): { ok: boolean; model: number; unknown: boolean } => {
      if (side === 'never') return { ok: false, model, unknown: false };
      if (side === 'always' || holds(side, model)) return { ok: true, model, unknown: false };
      const m = findModel(addAtom(cur, side), model);
      if (m === 'unknown') return { ok: true, model, unknown: true };
      return m === null ? { ok: false, model, unknown: false } : { ok: true, model: m, unknown: false };
    };
    const ct = check(sides.t);
    const cf = check(sides.f);
    const apply = (st: State, side: Side, c: { model: number; unknown: boolean }, other: { ok: boolean }): State => {
      // When the other side is impossible this side is implied: nothing to add.
      if (other.ok && side !== 'always' && side !== 'never') {
        st.words[w] = addAtom(cur, side);
        st.models[w] = c.model;
      }
      if (c.unknown) st.undecided = true;
      return st;
    };
    if (ct.ok && cf.ok) {
      const t = apply(fork(s), sides.t, ct, cf);
      return [t, apply(s, sides.f, cf, ct)];
    }
    if (ct.ok) return [apply(s, sides.t, ct, cf), null];
    if (cf.ok) return [null, apply(s, sides.f, cf, ct)];
    // Both impossible cannot happen for a satisfiable path; treat as a bug.
    throw new Error(`explain: both sides of a branch are impossible at pc ${s.pc}`);
  };

  while (stack.length > 0) {
    let s: State | null = stack.pop()!;
    while (s !== null) {
      if (++steps > budget) return { paths, complete: false, steps, loaded };
      const ins = program[s.pc];
      if (ins === undefined) throw new Error(`explain: fell off the program at ${s.pc}`);
      const { code, k } = ins;
      switch (code) {
        case OP.RET_K:
          end(s, { kind: 'ret', raw: k >>> 0, divByZero: false });
          s = null;
          continue;
        case OP.RET_A:
          end(s, typeof s.A === 'number' ? { kind: 'ret', raw: s.A >>> 0, divByZero: false } : { kind: 'ret_a', value: s.A });
          s = null;
          continue;
        case OP.LD_W_ABS:
        case OP.LDX_W_ABS:
          s.A = load(k >>> 2);
          break;
        case OP.LD_IMM: s.A = k >>> 0; break;
        case OP.LDX_IMM: s.X = k >>> 0; break;
        case OP.LD_W_LEN: s.A = 64; break;
        case OP.LDX_W_LEN: s.X = 64; break;
        case OP.LD_MEM: s.A = s.M[k]; break;
        case OP.LDX_MEM: s.X = s.M[k]; break;
        case OP.ST: s.M[k] = s.A; break;
        case OP.STX: s.M[k] = s.X; break;
        case OP.MISC_TAX: s.X = s.A; break;
        case OP.MISC_TXA: s.A = s.X; break;
        case OP.ALU_NEG:
          s.A = typeof s.A === 'number' ? (-s.A) >>> 0 : { kind: 'opaque', e: { op: 'neg', a: toExpr(s.A) } };
          break;
        case OP.ALU_DIV_X: {
          // DIV by X == 0 ends the filter with 0 (bpf_convert_filter).
          const [zero, nonzero] = split(s, 'jeq', s.X, 0);
          if (zero) end(zero, { kind: 'ret', raw: 0, divByZero: true });
          if (nonzero) nonzero.A = alu('div', nonzero.A, nonzero.X);
          s = nonzero;
          if (s) s.pc++;
          continue;
        }
        case OP.JMP_JA:
          s.pc += 1 + k;
          continue;
        default: {
          const cls = code & 0x07;
          if (cls === 0x04) {
            const op = ALU_OPS[code & 0xf0];
            if (op === undefined) throw new Error(`explain: opcode 0x${code.toString(16)} at ${s.pc} is not a seccomp ALU op`);
            s.A = alu(op, s.A, code & 0x08 ? s.X : k >>> 0);
            break;
          }
          if (cls === 0x05) {
            const cmp = CMP_OPS[code & 0xf0];
            if (cmp === undefined) throw new Error(`explain: opcode 0x${code.toString(16)} at ${s.pc} is not a seccomp jump`);
            const pc = s.pc;
            const [t, f] = split(s, cmp, s.A, code & 0x08 ? s.X : k >>> 0);
            if (t && f) {
              f.pc = pc + 1 + ins.jf;
              stack.push(f);
              t.pc = pc + 1 + ins.jt;
              s = t;
            } else if (t) {
              t.pc = pc + 1 + ins.jt;
              s = t;
            } else {
              f!.pc = pc + 1 + ins.jf;
              s = f;
            }
            continue;
          }
          throw new Error(`explain: opcode 0x${code.toString(16)} at ${s.pc} is not allowed in seccomp`);
        }
      }
      s.pc++;
    }
  }
  return { paths, complete: true, steps, loaded };
}

/** Does concrete data (16 words) take this path? Its atoms and opaque conditions all hold. */
export function pathHolds(p: SymPath, words: ArrayLike<number>): boolean {
  for (let w = 0; w < p.words.length; w++) {
    for (const a of p.words[w]) if (!holds(a, words[w] >>> 0)) return false;
  }
  return p.opaque.every((c) => cmpConst(c.cmp, evalExpr(c.a, words), evalExpr(c.b, words)) === c.truth);
}

/** What a path returns for data that takes it. */
export function pathReturn(p: SymPath, words: ArrayLike<number>): number {
  return p.result.kind === 'ret' ? p.result.raw >>> 0 : evalVal(p.result.value, words);
}
