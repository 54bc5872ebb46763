// The filter's own dictionary: per seccomp_data word (load offset / 4), the
// constants the filter compares what it loaded from that word against. A
// forward dataflow over the program tracks, for A, X and M[0..15], the set of
// (word, mask) pairs they may hold (a plain load is mask 0xffffffff, `A &= K`
// narrows the mask) or a constant; every JEQ/JGT/JGE/JSET whose A may be a
// loaded word contributes its constant k, k-1, k+1, and for masked or JSET
// tests k & mask, the lowest set bit of k, and 0; the sibling word of a
// 64-bit field gets the sign extension (0 or 0xffffffff).
import { OP, isCondJump, type Program } from 'unicorn-bpf-emulator';
import { findModel, holds, ne, range, U32_MAX, type Atom } from '../../src/explain/solver.js';
import { aluConst, cmpAtoms, cmpConst, type AluOp, type CmpOp } from '../../src/explain/symbolic.js';

type Abs = { readonly w: number; readonly mask: number } | { readonly c: number };
/** Per word index 0..15, the distinct u32 values worth trying. */
export type Dictionary = readonly (readonly number[])[];

const key = (v: Abs): string => ('c' in v ? `c${v.c}` : `${v.w}/${v.mask}`);
const MAX_VALUES = 8;

interface State { a: Map<string, Abs>; x: Map<string, Abs>; m: Map<string, Abs>[]; arch?: number; nr?: number }
const empty = (): State => ({ a: new Map(), x: new Map(), m: Array.from({ length: 16 }, () => new Map()) });

/** Constants compared while the path had established this arch and/or nr. */
export interface DictionaryContext {
  readonly arch?: number;
  readonly nr?: number;
  readonly words: Dictionary;
  /** The subset of `words` compared exactly (k itself, k & mask, a 0 high half): drawn most often. */
  readonly exact: Dictionary;
  /** Syscall numbers dispatched on exactly (JEQ K on the nr word) under this context. */
  readonly nrEquals: readonly number[];
}
export interface FilterAnalysis {
  readonly words: Dictionary;
  readonly exact: Dictionary;
  /** The exact k of every JEQ K on the plain syscall-number word (the dispatch's syscalls). */
  readonly nrEquals: readonly number[];
  readonly contexts: readonly DictionaryContext[];
}
function mergeInto(dst: Map<string, Abs>, src: Map<string, Abs>): void {
  for (const [k, v] of src) if (dst.size < MAX_VALUES) dst.set(k, v);
}
const one = (v: Abs): Map<string, Abs> => new Map([[key(v), v]]);

/** Word index of the other half of a 64-bit field (ip, args), or -1 for nr and arch. */
export const siblingWord = (w: number): number => (w < 2 ? -1 : w ^ 1);

export function filterDictionary(program: Program): Dictionary {
  return analyseFilter(program).words;
}

export function analyseFilter(program: Program): FilterAnalysis {
  const n = program.length;
  const dict: Set<number>[] = Array.from({ length: 16 }, () => new Set());
  const exactDict: Set<number>[] = Array.from({ length: 16 }, () => new Set());
  const ctx = new Map<string, { arch?: number; nr?: number; sets: Set<number>[]; exact: Set<number>[]; nrEq: Set<number> }>();
  const contextOf = (st: State): { sets: Set<number>[]; exact: Set<number>[]; nrEq: Set<number> } | undefined => {
    if (st.arch === undefined && st.nr === undefined) return undefined;
    const key = `${st.arch}:${st.nr}`;
    let c = ctx.get(key);
    if (!c) { c = { arch: st.arch, nr: st.nr, sets: Array.from({ length: 16 }, () => new Set<number>()), exact: Array.from({ length: 16 }, () => new Set<number>()), nrEq: new Set() }; ctx.set(key, c); }
    return c;
  };
  let cur: State = empty();
  const nrEquals = new Set<number>();
  const states: (State | undefined)[] = new Array(n);
  states[0] = empty();
  const flow = (to: number, s: State): void => {
    if (to >= n) return;
    const d = states[to];
    if (!d) { states[to] = { a: new Map(s.a), x: new Map(s.x), m: s.m.map((mm) => new Map(mm)), arch: s.arch, nr: s.nr }; return; }
    mergeInto(d.a, s.a); mergeInto(d.x, s.x);
    if (d.arch !== s.arch) d.arch = undefined;
    if (d.nr !== s.nr) d.nr = undefined;
    s.m.forEach((mm, i) => mergeInto(d.m[i], mm));
  };
  const note = (w: number, mask: number, k: number, jset: boolean): void => {
    const c = contextOf(cur);
    const sets = c ? [dict, c.sets] : [dict];
    const exacts = c ? [exactDict, c.exact] : [exactDict];
    const add = (v: number, word = w): void => { for (const d of sets) d[word].add(v >>> 0); };
    const addExact = (v: number, word = w): void => { add(v, word); for (const d of exacts) d[word].add(v >>> 0); };
    const kk = k >>> 0;
    addExact(kk); add(kk + 1); add(kk - 1);
    if (mask !== 0xffffffff || jset) {
      const mk = jset ? kk : kk & mask;
      addExact(mk); add(mk & -mk); add(0); add(~mask & 0xffffffff); add((mk | ~mask) >>> 0);
    }
    const sib = siblingWord(w);
    // The other half of a 64-bit field: zero, or the sign extension of a 32-bit value.
    if (sib >= 0) { addExact(0, sib); add(0xffffffff, sib); }
  };
  for (let pc = 0; pc < n; pc++) {
    const s = states[pc];
    if (!s) continue;
    cur = s;
    const { code, jt, jf, k } = program[pc];
    const next: State = { ...s };
    switch (code) {
      case OP.LD_W_ABS: next.a = k >>> 0 < 64 && (k & 3) === 0 ? one({ w: k >>> 2, mask: 0xffffffff }) : new Map(); break;
      case OP.LD_IMM: next.a = one({ c: k >>> 0 }); break;
      case OP.LDX_IMM: next.x = one({ c: k >>> 0 }); break;
      case OP.LD_MEM: next.a = new Map(s.m[k]); break;
      case OP.LDX_MEM: next.x = new Map(s.m[k]); break;
      case OP.ST: if (k < 16) { next.m = s.m.slice(); next.m[k] = new Map(s.a); } break;
      case OP.STX: if (k < 16) { next.m = s.m.slice(); next.m[k] = new Map(s.x); } break;
      case OP.MISC_TAX: next.x = new Map(s.a); break;
      case OP.MISC_TXA: next.a = new Map(s.x); break;
      case OP.ALU_AND_K: {
        const a = new Map<string, Abs>();
        for (const v of s.a.values()) {
          const r: Abs = 'c' in v ? { c: (v.c & k) >>> 0 } : { w: v.w, mask: (v.mask & k) >>> 0 };
          a.set(key(r), r);
        }
        next.a = a;
        break;
      }
      case OP.JMP_JA: flow(pc + 1 + k, s); continue;
      case OP.JMP_JEQ_K: case OP.JMP_JGT_K: case OP.JMP_JGE_K: case OP.JMP_JSET_K:
      case OP.JMP_JEQ_X: case OP.JMP_JGT_X: case OP.JMP_JGE_X: case OP.JMP_JSET_X: {
        const isX = (code & 0x08) !== 0;
        const consts = isX ? [...s.x.values()].flatMap((v) => ('c' in v ? [v.c] : [])) : [k >>> 0];
        const jset = (code & 0xf0) === 0x40;
        for (const v of s.a.values()) if (!('c' in v)) for (const c of consts) note(v.w, v.mask, c, jset);
        const only = s.a.size === 1 ? [...s.a.values()][0] : undefined;
        if (code === OP.JMP_JEQ_K && only && !('c' in only) && only.mask === 0xffffffff && only.w === 0) { nrEquals.add(k >>> 0); contextOf(s)?.nrEq.add(k >>> 0); }
        if (code === OP.JMP_JEQ_K && only && !('c' in only) && only.mask === 0xffffffff && (only.w === 0 || only.w === 1)) {
          flow(pc + 1 + jt, only.w === 0 ? { ...s, nr: k >>> 0 } : { ...s, arch: k >>> 0 });
        } else flow(pc + 1 + jt, s);
        flow(pc + 1 + jf, s);
        continue;
      }
      case OP.RET_K: case OP.RET_A: continue;
      default:
        // Any other ALU op makes A unknown: nothing to learn from its compares.
        next.a = new Map();
    }
    flow(pc + 1, next);
  }
  const sorted = (ds: Set<number>[]): Dictionary => ds.map((d) => [...d].sort((p, q) => p - q));
  return {
    words: sorted(dict),
    exact: sorted(exactDict),
    nrEquals: [...nrEquals].sort((p, q) => p - q),
    contexts: [...ctx.values()]
      .filter((c) => c.nrEq.size > 0 || c.sets.some((d) => d.size > 0))
      .map((c) => ({ arch: c.arch, nr: c.nr, words: sorted(c.sets), exact: sorted(c.exact), nrEquals: [...c.nrEq].sort((p, q) => p - q) })),
  };
}

/** Merge dictionaries word by word. */
export function mergeDictionaries(...ds: Dictionary[]): Dictionary {
  return Array.from({ length: 16 }, (_, w) => [...new Set(ds.flatMap((d) => d[w]))].sort((p, q) => p - q));
}

// ---------------------------------------------------------------------------
// Branch targets: path-sensitive facts from a second forward dataflow.
//
// The dictionary above says which constants matter per word, not which ones
// must hold together: a branch five compares deep (nr == 80, args[0] == 98,
// args[1].hi == 0, args[2].hi == 0x7fffffff, args[2].lo >= ...) is hit by
// independent draws only by luck. So each instruction also gets the facts
// the paths to it establish: per word, the atoms (src/explain/solver.ts) of
// the compares taken on the way (JEQ, JGT/JGE ranges, JSET and masked
// compares, against K or a constant X, and through w + c and w ^ c), with a
// value satisfying them all (the model). A fact list is an immutable chain
// shared by the paths below it. A, X and M[] hold one abstract value each,
// as symbolic.ts does per path. A side whose facts become unsatisfiable is
// dead and does not flow.
//
// Each instruction keeps up to MAX_STATES ways in apart (a shared argument
// check reached from x86_64 and from i386 keeps both arches' facts); further
// ways in are joined into one state holding only the atoms every one of
// them has, which is sound but no longer the path condition ("inexact").
//
// A branch target is one side of one conditional jump; a variant of it is
// the models of one exact way in, so data built from them takes that side.
// Sides whose successor is entered only from them, on a straight line into
// another compare, are not targets: the targets below carry the same facts
// and pass through them. What is left is about one target per path leaf
// (edges into join points and into RETs).
// ---------------------------------------------------------------------------

interface FactNode {
  readonly atom: Atom;
  readonly parent: FactNode | null;
  readonly depth: number;
  /** A value satisfying this atom and every ancestor's. */
  readonly model: number;
}
type Facts = readonly (FactNode | null)[];
/**
 * What A, X or M[i] holds: a masked word, a constant, an invertible function
 * of a whole word (w + c, w ^ c; a compare with a constant still pins w
 * down), or unknown (null).
 */
type AVal = { readonly w: number; readonly mask: number } | { readonly c: number } | { readonly inv: 'add' | 'xor'; readonly w: number; readonly c: number } | null;

interface FactState {
  a: AVal; x: AVal; m: AVal[]; facts: Facts;
  /** False once a join merged it with another way in: its facts are then only implied, not the path condition. */
  exact: boolean;
  /** Some compare on the way is not in the facts (word against word, unknown arithmetic, a solver budget). */
  opaque: boolean;
}

/** One side of a conditional jump the generator aims at. */
export interface BranchTarget {
  readonly pc: number;
  readonly branch: 'true' | 'false';
  /** One per distinct way in (fact state) that reaches this side. */
  readonly variants: readonly TargetVariant[];
}
export interface TargetVariant {
  /** Per word 0..15, values that satisfy every fact on the way here (empty: the path does not constrain the word). */
  readonly words: readonly (readonly number[])[];
  /** Does v satisfy the facts on word w? */
  accepts(w: number, v: number): boolean;
  /** The facts are the whole path condition: any data with these words (the others anything) takes the side. */
  readonly exact: boolean;
}

const sameVal = (p: AVal, q: AVal): boolean => p === q || (p !== null && q !== null && JSON.stringify(p) === JSON.stringify(q));
const isConst = (v: AVal): v is { readonly c: number } => v !== null && !('w' in v);
const isMasked = (v: AVal): v is { readonly w: number; readonly mask: number } => v !== null && 'mask' in v;

function commonAncestor(p: FactNode | null, q: FactNode | null): FactNode | null {
  while (p !== q) {
    if (p === null || q === null) return null;
    if (p.depth > q.depth) p = p.parent;
    else if (q.depth > p.depth) q = q.parent;
    else { p = p.parent; q = q.parent; }
  }
  return p;
}

function atomsOf(n: FactNode | null): Atom[] {
  const out: Atom[] = [];
  for (; n; n = n.parent) out.push(n.atom);
  return out;
}

/** `facts` with `atom` added on word w, or null if that makes them unsatisfiable; 'undecided' if the solver gave up. */
function withAtom(facts: Facts, w: number, atom: Atom): Facts | null | 'undecided' {
  const head = facts[w];
  const hint = head ? head.model : 0;
  let model: number;
  if (holds(atom, hint)) model = hint;
  else {
    const m = findModel([atom, ...atomsOf(head)], hint);
    if (m === null) return null;
    if (m === 'unknown') return 'undecided';
    model = m;
  }
  const out = facts.slice();
  out[w] = { atom, parent: head, depth: head ? head.depth + 1 : 1, model };
  return out;
}

const ALU_K: Readonly<Record<number, AluOp>> = {
  [OP.ALU_ADD_K]: 'add', [OP.ALU_SUB_K]: 'sub', [OP.ALU_MUL_K]: 'mul', [OP.ALU_DIV_K]: 'div', [OP.ALU_OR_K]: 'or',
  [OP.ALU_AND_K]: 'and', [OP.ALU_LSH_K]: 'lsh', [OP.ALU_RSH_K]: 'rsh', [OP.ALU_XOR_K]: 'xor',
};
const ALU_X: Readonly<Record<number, AluOp>> = {
  [OP.ALU_ADD_X]: 'add', [OP.ALU_SUB_X]: 'sub', [OP.ALU_MUL_X]: 'mul', [OP.ALU_DIV_X]: 'div', [OP.ALU_OR_X]: 'or',
  [OP.ALU_AND_X]: 'and', [OP.ALU_LSH_X]: 'lsh', [OP.ALU_RSH_X]: 'rsh', [OP.ALU_XOR_X]: 'xor',
};
const CMP: Readonly<Record<number, CmpOp>> = { 0x10: 'jeq', 0x20: 'jgt', 0x30: 'jge', 0x40: 'jset' };

function aluVal(op: AluOp, a: AVal, b: AVal): AVal {
  if (isConst(a) && isConst(b)) return { c: aluConst(op, a.c, b.c) };
  if (isConst(a) && (op === 'and' || op === 'add' || op === 'xor')) [a, b] = [b, a]; // commutative: constant second
  if (a === null || !isConst(b)) return null;
  const k = b.c >>> 0;
  // Masking a masked word narrows its mask (libseccomp's and seccompiler's masked compares).
  if (op === 'and' && isMasked(a)) return (a.mask & k) >>> 0 === 0 ? { c: 0 } : { w: a.w, mask: (a.mask & k) >>> 0 };
  if (isConst(a)) return null;
  // An invertible function of a whole word stays one under + - ^ by a constant.
  const lin = isMasked(a) ? (a.mask === U32_MAX ? { w: a.w, c: 0, inv: undefined } : undefined) : a;
  if (!lin) return null;
  if ((op === 'add' || op === 'sub') && lin.inv !== 'xor') return { inv: 'add', w: lin.w, c: (op === 'add' ? lin.c + k : lin.c - k) >>> 0 };
  if (op === 'xor' && lin.inv !== 'add') return { inv: 'xor', w: lin.w, c: (lin.c ^ k) >>> 0 };
  return null;
}

const targetCache = new WeakMap<Program, BranchTarget[]>();

/** The branch targets of a checked program (see above). */
export function branchTargets(program: Program): BranchTarget[] {
  let r = targetCache.get(program);
  if (!r) { r = computeTargets(program); targetCache.set(program, r); }
  return r;
}

function computeTargets(program: Program): BranchTarget[] {
  const n = program.length;
  const states: FactState[][] = Array.from({ length: n }, () => []);
  const indeg = staticIndegree(program);
  const zero: AVal = { c: 0 };
  states[0].push({ a: zero, x: zero, m: new Array<AVal>(16).fill(zero), facts: new Array<FactNode | null>(16).fill(null), exact: true, opaque: false });
  // Per instruction: up to MAX_STATES exact ways in, then one state joining all the others.
  const merged: (FactState | undefined)[] = new Array(n);
  const flow = (to: number, s: FactState): void => {
    if (to >= n) return;
    const code = program[to].code;
    const here = states[to];
    // A RET compares nothing: one state is enough to know it is reached.
    if ((code === OP.RET_K || code === OP.RET_A) && (here.length || merged[to])) return;
    if (s.exact && here.length < MAX_STATES) { here.push(s); return; }
    const d = merged[to];
    merged[to] = !d ? { ...s, exact: false } : {
      a: sameVal(d.a, s.a) ? d.a : null,
      x: sameVal(d.x, s.x) ? d.x : null,
      m: d.m === s.m ? d.m : d.m.map((v, i) => (sameVal(v, s.m[i]) ? v : null)),
      facts: d.facts === s.facts ? d.facts : d.facts.map((f, i) => joinFacts(f, s.facts[i])),
      exact: false,
      opaque: d.opaque || s.opaque,
    };
  };
  // Per conditional jump, per state reaching it: the facts after each live side (undefined: dead).
  const sides = new Map<number, { t?: Facts; f?: Facts; exact: boolean; opaque: boolean }[]>();
  for (let pc = 0; pc < n; pc++) {
    const { code, jt, jf, k } = program[pc];
    const m0 = merged[pc];
    for (const s of m0 ? [...states[pc], m0] : states[pc]) {
      let { a, x, m, facts, opaque } = s;
      switch (code) {
        case OP.RET_K: case OP.RET_A: continue;
        case OP.JMP_JA: flow(pc + 1 + k, s); continue;
        case OP.LD_W_ABS: case OP.LDX_W_ABS: a = k >>> 0 < 64 && (k & 3) === 0 ? { w: k >>> 2, mask: U32_MAX } : null; break;
        case OP.LD_IMM: a = { c: k >>> 0 }; break;
        case OP.LDX_IMM: x = { c: k >>> 0 }; break;
        case OP.LD_W_LEN: a = { c: 64 }; break;
        case OP.LDX_W_LEN: x = { c: 64 }; break;
        // (k < 16 in a checked program; anything else is unknown or ignored, never a crash.)
        case OP.LD_MEM: a = m[k] ?? null; break;
        case OP.LDX_MEM: x = m[k] ?? null; break;
        case OP.ST: if (k < 16) { m = m.slice(); m[k] = a; } break;
        case OP.STX: if (k < 16) { m = m.slice(); m[k] = x; } break;
        case OP.MISC_TAX: x = a; break;
        case OP.MISC_TXA: a = x; break;
        case OP.ALU_NEG: a = isConst(a) ? { c: (-a.c) >>> 0 } : null; break;
        default: {
          const cmp = CMP[code & 0xf0];
          if ((code & 0x07) === 0x05 && cmp) {
            const live = branch(s, cmp, a, code & 0x08 ? x : { c: k >>> 0 });
            let list = sides.get(pc);
            if (!list) sides.set(pc, (list = []));
            const opaque = s.opaque || live.opaque === true;
            list.push({ t: live.t, f: live.f, exact: s.exact, opaque });
            if (live.t) flow(pc + 1 + jt, { a, x, m, facts: live.t, exact: s.exact, opaque });
            if (live.f) flow(pc + 1 + jf, { a, x, m, facts: live.f, exact: s.exact, opaque });
            continue;
          }
          const op = ALU_K[code] ?? ALU_X[code];
          if (op !== undefined) {
            if (code === OP.ALU_DIV_X && !isConst(x)) {
              // Going on needs X != 0 (else the filter returns 0 here): a fact when X is a masked word.
              const r = isMasked(x) ? withAtom(facts, x.w, ne(x.mask, 0)) : 'undecided';
              if (r === null) continue;
              if (r === 'undecided') opaque = true;
              else facts = r;
            }
            if (code === OP.ALU_DIV_X && isConst(x) && x.c === 0) continue; // the filter returns 0 here
            a = aluVal(op, a, ALU_K[code] !== undefined ? { c: k >>> 0 } : x);
          } else a = null;
        }
      }
      flow(pc + 1, { a, x, m, facts, exact: s.exact, opaque });
    }
  }
  // Is `to` entered only from this edge, on a straight line into another compare? Then the targets below carry its facts.
  const coveredBelow = (to: number): boolean => {
    for (let q = to; q < n;) {
      if (indeg[q] > 1) return false;
      const code = program[q].code;
      if (isCondJump(code)) return sides.has(q);
      if (code === OP.RET_K || code === OP.RET_A) return false;
      q = code === OP.JMP_JA ? q + 1 + program[q].k : q + 1;
    }
    return false;
  };
  const targets: BranchTarget[] = [];
  for (const [pc, list] of sides) {
    for (const branch of ['true', 'false'] as const) {
      if (coveredBelow(pc + 1 + (branch === 'true' ? program[pc].jt : program[pc].jf))) continue;
      const seen = new Set<string>();
      const variants: TargetVariant[] = [];
      // The merged way in only where no exact one reaches this side.
      const exact = list.filter((l) => l.exact && (branch === 'true' ? l.t : l.f));
      for (const live of exact.length ? exact : list) {
        const facts = branch === 'true' ? live.t : live.f;
        if (!facts) continue;
        const words = facts.map((f) => (f ? [f.model] : []));
        const key = JSON.stringify(words);
        if (seen.has(key)) continue;
        seen.add(key);
        variants.push({
          words,
          accepts: (w, v) => { for (let f = facts[w]; f; f = f.parent) if (!holds(f.atom, v)) return false; return true; },
          exact: live.exact && !live.opaque,
        });
      }
      if (variants.length) targets.push({ pc, branch, variants });
    }
  }
  return targets;
}

/** Up to this many exact fact states per instruction (one per way in); the others are joined into one. */
const MAX_STATES = 8;

/** The facts after each side of `a cmp b` in state s (undefined: the side is dead). */
function branch(s: FactState, cmp: CmpOp, a: AVal, b: AVal): { t?: Facts; f?: Facts; opaque?: true } {
  if (isConst(a) && isConst(b)) return cmpConst(cmp, a.c, b.c) ? { t: s.facts } : { f: s.facts };
  let w = -1;
  let atoms: { t: Atom | 'always' | 'never'; f: Atom | 'always' | 'never' } | undefined;
  if (isMasked(a) && isConst(b)) { w = a.w; atoms = cmpAtoms(cmp, a.mask, b.c, false); }
  else if (isConst(a) && isMasked(b)) { w = b.w; atoms = cmpAtoms(cmp, b.mask, a.c, true); }
  else if (a !== null && 'inv' in a && isConst(b)) {
    // w + c == k  <=>  w == k - c;  w ^ c == k  <=>  w == k ^ c;  (w ^ c) & k  <=>  (w & k) != (c & k).
    const k = b.c >>> 0;
    if (cmp === 'jeq') {
      const v = (a.inv === 'add' ? k - a.c : k ^ a.c) >>> 0;
      [w, atoms] = [a.w, { t: range(U32_MAX, v, v), f: ne(U32_MAX, v) }];
    } else if (cmp === 'jset' && a.inv === 'xor') {
      const v = (a.c & k) >>> 0;
      [w, atoms] = [a.w, k === 0 ? { t: 'never', f: 'always' } : { t: ne(k, v), f: range(k, v, v) }];
    }
  }
  // Opaque (word against word, arithmetic, unknown): both sides live, nothing learnt.
  if (!atoms) return { t: s.facts, f: s.facts, opaque: true };
  let undecided = false;
  const after = (side: Atom | 'always' | 'never'): Facts | undefined => {
    if (side === 'always') return s.facts;
    if (side === 'never') return undefined;
    const r = withAtom(s.facts, w, side);
    if (r === 'undecided') undecided = true;
    return r === 'undecided' ? s.facts : r ?? undefined;
  };
  const t = after(atoms.t);
  const f = after(atoms.f);
  // A side the facts already imply adds nothing (keeps the chains short).
  const live = { t: t && !f ? s.facts : t, f: f && !t ? s.facts : f };
  return undecided ? { ...live, opaque: true } : live;
}

const atomKey = (a: Atom): string => (a.kind === 'range' ? `r${a.mask}:${a.lo}:${a.hi}` : `n${a.mask}:${a.value}`);

/** The atoms both chains hold (their common ancestor, plus equal atoms added on both sides since); the model of p satisfies them all. */
function joinFacts(p: FactNode | null, q: FactNode | null): FactNode | null {
  if (p === q || p === null || q === null) return p === q ? p : null;
  const base = commonAncestor(p, q);
  const inQ = new Set<string>();
  for (let f: FactNode | null = q; f !== base && f; f = f.parent) inQ.add(atomKey(f.atom));
  const common: Atom[] = [];
  for (let f: FactNode | null = p; f !== base && f; f = f.parent) if (inQ.has(atomKey(f.atom))) common.push(f.atom);
  let out = base;
  for (let i = common.length - 1; i >= 0; i--) out = { atom: common[i], parent: out, depth: (out?.depth ?? 0) + 1, model: p.model };
  return out;
}

/** Edges into each instruction (conditional sides, JA, fall-through), reachable or not. */
function staticIndegree(program: Program): Uint32Array {
  const n = program.length;
  const indeg = new Uint32Array(n);
  const add = (to: number): void => { if (to < n) indeg[to]++; };
  for (let pc = 0; pc < n; pc++) {
    const { code, jt, jf, k } = program[pc];
    if (isCondJump(code)) { add(pc + 1 + jt); if (jf !== jt) add(pc + 1 + jf); }
    else if (code === OP.JMP_JA) add(pc + 1 + k);
    else if (code !== OP.RET_K && code !== OP.RET_A) add(pc + 1);
  }
  return indeg;
}
