// Exact satisfiability for the constraints a seccomp filter can put on one
// 32-bit seccomp_data word v on one path:
//
//   range:  lo <= (v & mask) <= hi      (JEQ / JGT / JGE on v or on v & mask,
//                                         JSET false: (v & k) == 0 is [0, 0])
//   ne:     (v & mask) != value         (JEQ false, JSET true: (v & k) != 0)
//
// A plain comparison is the mask 0xffffffff. `solve` finds the smallest
// value satisfying every atom, or proves there is none. It is complete for
// these forms: a digit search from bit 31 down to bit 0 whose state after a
// prefix is exactly (per range: is the masked prefix still equal to lo's /
// hi's prefix; per masked `ne`: is the masked prefix still equal to value's
// prefix), so memoising failed states keeps it polynomial in practice and
// never drops a solution. Plain `!=` atoms (single excluded points) are kept
// out of the digit search: the search returns the smallest structural
// solution >= x, and excluded points only move x forward, at most once per
// run of consecutive points.

export const U32_MAX = 0xffffffff;

export type Atom =
  | { readonly kind: 'range'; readonly mask: number; readonly lo: number; readonly hi: number }
  | { readonly kind: 'ne'; readonly mask: number; readonly value: number };

export const range = (mask: number, lo: number, hi: number): Atom => ({ kind: 'range', mask: mask >>> 0, lo: lo >>> 0, hi: hi >>> 0 });
export const ne = (mask: number, value: number): Atom => ({ kind: 'ne', mask: mask >>> 0, value: value >>> 0 });

/** Does the value satisfy the atom? */
export function holds(a: Atom, v: number): boolean {
  const x = (v & a.mask) >>> 0;
  return a.kind === 'range' ? x >= a.lo && x <= a.hi : x !== a.value;
}

/** The atom that holds exactly where `a` does not, as a list of alternatives (a range's negation is two ranges). */
export function negate(a: Atom): Atom[] {
  if (a.kind === 'ne') return [range(a.mask, a.value, a.value)];
  const out: Atom[] = [];
  if (a.lo > 0) out.push(range(a.mask, 0, a.lo - 1));
  if (a.hi < U32_MAX) out.push(range(a.mask, a.hi + 1, U32_MAX));
  return out;
}

/** Thrown inside the search when it runs over its node budget. */
class BudgetExceeded extends Error {}

export interface SolveOptions {
  /** Only values >= from. */
  readonly from?: number;
  /** Prefer this value's bits, most significant first (for varied witnesses); default: the smallest value. */
  readonly prefer?: number;
  /** Search nodes before giving up with 'unknown' (default 200,000). */
  readonly budget?: number;
}

/** A value satisfying every atom, null if there is none, 'unknown' if the budget ran out. */
export function solve(atoms: readonly Atom[], opts: SolveOptions = {}): number | null | 'unknown' {
  const points: number[] = [];
  const structural: Atom[] = [];
  for (const a of atoms) {
    if (a.kind === 'ne' && a.mask === U32_MAX) points.push(a.value);
    else structural.push(a);
  }
  const budget = { left: opts.budget ?? 200_000 };
  try {
    if (opts.prefer !== undefined) {
      const v = digitSearch(structural, opts.from ?? 0, opts.prefer >>> 0, budget);
      if (v === null) return null;
      if (!points.includes(v)) return v;
      // Landed on an excluded point: fall back to the smallest solution.
    }
    const excluded = new Set(points);
    let x = opts.from ?? 0;
    for (;;) {
      while (excluded.has(x)) {
        if (x === U32_MAX) return null;
        x++;
      }
      const v = digitSearch(structural, x, 0, budget);
      if (v === null) return null;
      if (!excluded.has(v)) return v;
      if (v === U32_MAX) return null;
      x = v + 1;
    }
  } catch (e) {
    if (e instanceof BudgetExceeded) return 'unknown';
    throw e;
  }
}

/**
 * The value (>= from) that satisfies every range and masked `ne` atom,
 * choosing each bit as `prefer` has it when possible (prefer 0: the
 * smallest such value); null if none exists.
 */
function digitSearch(atoms: readonly Atom[], from: number, prefer: number, budget: { left: number }): number | null {
  // Tighten: intersect ranges with the same mask; add the lower bound `from`.
  const byMask = new Map<number, { lo: number; hi: number }>();
  const nes: { mask: number; value: number; last: number }[] = [];
  if (from > 0) byMask.set(U32_MAX, { lo: from >>> 0, hi: U32_MAX });
  for (const a of atoms) {
    if (a.kind === 'range') {
      const r = byMask.get(a.mask);
      if (r) {
        r.lo = Math.max(r.lo, a.lo);
        r.hi = Math.min(r.hi, a.hi);
      } else byMask.set(a.mask, { lo: a.lo, hi: a.hi });
    } else {
      // (v & mask) can never have bits outside mask: such an atom always holds.
      if ((a.value & ~a.mask) !== 0) continue;
      // mask 0: (v & 0) == 0 == value, so it never holds.
      if (a.mask === 0) return null;
      nes.push({ mask: a.mask, value: a.value, last: 31 - Math.clz32(a.mask & -a.mask) });
    }
  }
  const ranges: { mask: number; lo: number; hi: number }[] = [];
  for (const [mask, r] of byMask) {
    // (v & mask) is at most mask.
    if (r.lo > r.hi || r.lo > mask >>> 0) return null;
    // A range that every masked value satisfies is no constraint.
    if (r.lo === 0 && r.hi >= (mask >>> 0)) continue;
    ranges.push({ mask, lo: r.lo, hi: r.hi });
  }
  const nR = ranges.length;
  const nN = nes.length;
  // State: tight-low / tight-high per range, alive per ne, as flag arrays.
  const failed = new Set<string>();
  const tl = new Uint8Array(nR).fill(1);
  const th = new Uint8Array(nR).fill(1);
  const alive = new Uint8Array(nN).fill(1);

  const key = (b: number): string => `${b}|${tl.join('')}|${th.join('')}|${alive.join('')}`;

  const go = (b: number, acc: number): number | null => {
    if (--budget.left < 0) throw new BudgetExceeded();
    if (b < 0) {
      for (let i = 0; i < nN; i++) if (alive[i]) return null;
      return acc >>> 0;
    }
    // Nothing tight and nothing alive: the remaining bits are free.
    let free = true;
    for (let j = 0; j < nR && free; j++) if (tl[j] || th[j]) free = false;
    for (let i = 0; i < nN && free; i++) if (alive[i]) free = false;
    if (free) {
      const low = b === 31 ? U32_MAX : (2 ** (b + 1)) - 1;
      return (acc + ((prefer & low) >>> 0)) >>> 0;
    }
    const k = key(b);
    if (failed.has(k)) return null;
    const first = (prefer >>> b) & 1;
    for (const bit of [first, first ^ 1]) {
      const saveTl = tl.slice();
      const saveTh = th.slice();
      const saveAlive = alive.slice();
      let ok = true;
      for (let j = 0; j < nR && ok; j++) {
        const r = ranges[j];
        const mb = (r.mask >>> b) & 1 ? bit : 0;
        if (tl[j]) {
          const lb = (r.lo >>> b) & 1;
          if (mb < lb) ok = false;
          else if (mb > lb) tl[j] = 0;
        }
        if (ok && th[j]) {
          const hb = (r.hi >>> b) & 1;
          if (mb > hb) ok = false;
          else if (mb < hb) th[j] = 0;
        }
      }
      for (let i = 0; i < nN && ok; i++) {
        if (!alive[i]) continue;
        const n = nes[i];
        if ((n.mask >>> b) & 1) {
          if (bit !== ((n.value >>> b) & 1)) alive[i] = 0;
          // Every masked bit matched: (v & mask) == value.
          else if (b === n.last) ok = false;
        }
      }
      if (ok) {
        const r = go(b - 1, acc + (bit ? 2 ** b : 0));
        if (r !== null) return r;
      }
      tl.set(saveTl);
      th.set(saveTh);
      alive.set(saveAlive);
    }
    failed.add(k);
    return null;
  };
  return go(31, 0);
}

/**
 * Some value satisfying every atom (not necessarily the smallest), trying
 * cheap repairs of `hint` first: for each atom `hint` breaks, set the masked
 * bits to the range's bounds or flip one masked bit of an `ne`. Falls back
 * to the complete search. For pruning, where any model will do.
 */
export function findModel(atoms: readonly Atom[], hint: number): number | null | 'unknown' {
  const ok = (v: number): boolean => {
    for (const a of atoms) if (!holds(a, v)) return false;
    return true;
  };
  if (ok(hint)) return hint >>> 0;
  const candidates: number[] = [0];
  for (const a of atoms) {
    if (holds(a, hint)) continue;
    const keep = (hint & ~a.mask) >>> 0;
    if (a.kind === 'range') candidates.push((keep | (a.lo & a.mask)) >>> 0, (keep | (a.hi & a.mask)) >>> 0);
    else {
      const low = (a.mask & -a.mask) >>> 0;
      const high = (1 << (31 - Math.clz32(a.mask))) >>> 0;
      candidates.push((hint ^ low) >>> 0, (hint ^ high) >>> 0, (keep | low) >>> 0);
    }
  }
  for (const c of candidates) if (ok(c)) return c;
  return solve(atoms);
}

/** Is the conjunction satisfiable? 'unknown' only when the search budget ran out. */
export function satisfiable(atoms: readonly Atom[]): boolean | 'unknown' {
  const v = solve(atoms);
  return v === 'unknown' ? 'unknown' : v !== null;
}

/** Add an atom to a word's list: ranges with the same mask are intersected in place (a new list). */
export function addAtom(atoms: readonly Atom[], a: Atom): Atom[] {
  if (a.kind === 'range') {
    const i = atoms.findIndex((b) => b.kind === 'range' && b.mask === a.mask);
    if (i >= 0) {
      const b = atoms[i] as Extract<Atom, { kind: 'range' }>;
      const out = atoms.slice();
      out[i] = range(a.mask, Math.max(a.lo, b.lo), Math.min(a.hi, b.hi));
      return out;
    }
  } else if (atoms.some((b) => b.kind === 'ne' && b.mask === a.mask && b.value === a.value)) {
    return atoms.slice();
  }
  return [...atoms, a];
}

/**
 * Drop atoms the others imply (for printing): an atom is redundant when the
 * others together with its negation are unsatisfiable. Atoms whose status
 * the search cannot decide are kept.
 */
export function simplifyAtoms(atoms: readonly Atom[]): Atom[] {
  if (atoms.length < 2) return atoms.slice();
  let cur = atoms.slice();
  for (let i = cur.length - 1; i >= 0; i--) {
    const others = cur.filter((_, j) => j !== i);
    const implied = negate(cur[i]).every((n) => findModel([...others, n], 0) === null);
    if (implied) cur = others;
  }
  return cur;
}
