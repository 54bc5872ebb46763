// The filter's own dictionary: per seccomp_data word (load offset / 4), the
// constants the filter compares what it loaded from that word against. A
// forward dataflow over the program tracks, for A, X and M[0..15], the set of
// (word, mask) pairs they may hold (a plain load is mask 0xffffffff, `A &= K`
// narrows the mask) or a constant; every JEQ/JGT/JGE/JSET whose A may be a
// loaded word contributes its constant k, k-1, k+1, and for masked or JSET
// tests k & mask, the lowest set bit of k, and 0; the sibling word of a
// 64-bit field gets the sign extension (0 or 0xffffffff).
import { OP, type Program } from 'unicorn-bpf-emulator';

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
      case OP.LD_W_ABS: next.a = one({ w: k >>> 2, mask: 0xffffffff }); break;
      case OP.LD_IMM: next.a = one({ c: k >>> 0 }); break;
      case OP.LDX_IMM: next.x = one({ c: k >>> 0 }); break;
      case OP.LD_MEM: next.a = new Map(s.m[k]); break;
      case OP.LDX_MEM: next.x = new Map(s.m[k]); break;
      case OP.ST: next.m = s.m.slice(); next.m[k] = new Map(s.a); break;
      case OP.STX: next.m = s.m.slice(); next.m[k] = new Map(s.x); break;
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
