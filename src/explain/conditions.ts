// A path's constraints as conditions a reader can check: per seccomp_data
// field (nr, arch, instruction_pointer, args[0..5]), both 32-bit halves of a
// 64-bit field combined in the arch's byte order. A field whose atoms are
// all plain comparisons becomes an exact set of values (a union of
// intervals) so that paths differing in one field can be merged, e.g.
// libseccomp's "hi > K.hi, or hi == K.hi and lo > K.lo" becomes `args[0] > K`.
// Masked atoms print as `(args[i] & M) op V` with M and V placed in the
// half they constrain, which is exact on the 64-bit value.
import { auditArchName, type Endian } from 'unicorn-bpf-emulator';
import { simplifyAtoms, U32_MAX, type Atom } from './solver.js';
import type { CmpOp, Expr, OpaqueCond } from './symbolic.js';

export interface Field {
  /** "nr", "arch", "instruction_pointer", "args[2]". */
  readonly name: string;
  readonly width: 32 | 64;
  /** Word index of the low half (the whole field for 32-bit fields). */
  readonly lo: number;
  /** Word index of the high half; undefined for 32-bit fields. */
  readonly hi: number | undefined;
}

/** The fields of seccomp_data over its 16 words, for a byte order (SEMANTICS §1.2). */
export function seccompFields(endian: Endian): Field[] {
  const f64 = (name: string, base: number): Field =>
    endian === 'little' ? { name, width: 64, lo: base, hi: base + 1 } : { name, width: 64, lo: base + 1, hi: base };
  return [
    { name: 'nr', width: 32, lo: 0, hi: undefined },
    { name: 'arch', width: 32, lo: 1, hi: undefined },
    f64('instruction_pointer', 2),
    ...Array.from({ length: 6 }, (_, i) => f64(`args[${i}]`, 4 + 2 * i)),
  ];
}

/** "args[1].lo", "nr": a name for one word, used where halves cannot be combined. */
export function wordName(fields: readonly Field[], w: number): string {
  for (const f of fields) {
    if (f.width === 32 && f.lo === w) return f.name;
    if (f.lo === w) return `${f.name}.lo`;
    if (f.hi === w) return `${f.name}.hi`;
  }
  return `word[${w}]`;
}

// ---------------------------------------------------------------- value sets

/** A sorted list of disjoint, non-adjacent closed intervals of u64 (or u32) values. */
export type IntervalSet = readonly (readonly [bigint, bigint])[];

export function normalize(set: readonly (readonly [bigint, bigint])[]): IntervalSet {
  const s = [...set].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1n) {
      if (b > last[1]) last[1] = b;
    } else out.push([a, b]);
  }
  return out;
}

const maxOf = (width: 32 | 64): bigint => (1n << BigInt(width)) - 1n;
export const isFull = (s: IntervalSet, width: 32 | 64): boolean => s.length === 1 && s[0][0] === 0n && s[0][1] === maxOf(width);

/** The u32 values one word's plain atoms allow, or undefined if some atom is masked. */
function wordSet(atoms: readonly Atom[]): IntervalSet | undefined {
  let lo = 0;
  let hi = U32_MAX;
  const points: number[] = [];
  for (const a of atoms) {
    if (a.mask !== U32_MAX) return undefined;
    if (a.kind === 'range') {
      lo = Math.max(lo, a.lo);
      hi = Math.min(hi, a.hi);
    } else points.push(a.value);
  }
  if (lo > hi) return [];
  const out: [bigint, bigint][] = [];
  let start = lo;
  for (const p of [...new Set(points)].sort((a, b) => a - b)) {
    if (p < start || p > hi) continue;
    if (p > start) out.push([BigInt(start), BigInt(p - 1)]);
    start = p + 1;
  }
  if (start <= hi) out.push([BigInt(start), BigInt(hi)]);
  return out;
}

const MAX_ENUMERATED = 64;

/**
 * The values of a field its plain atoms allow; undefined when an atom is
 * masked or the set is not small. A 64-bit field whose high half is
 * unconstrained is a set of its low half (`view: 'lo'`, 32 bits wide).
 */
function fieldSet(f: Field, loAtoms: readonly Atom[], hiAtoms: readonly Atom[]): { set: IntervalSet; view: 'whole' | 'lo' } | undefined {
  const L = wordSet(loAtoms);
  if (L === undefined) return undefined;
  if (f.width === 32) return { set: L, view: 'whole' };
  if (hiAtoms.length === 0 && loAtoms.length > 0) return { set: L, view: 'lo' };
  const H = wordSet(hiAtoms);
  if (H === undefined) return undefined;
  const whole = fieldSet64(L, H);
  return whole && { set: whole, view: 'whole' };
}

function fieldSet64(L: IntervalSet, H: IntervalSet): IntervalSet | undefined {
  if (isFull(normalize(L), 32)) return normalize(H.map(([a, b]) => [a << 32n, (b << 32n) | 0xffffffffn] as const));
  let count = 0n;
  for (const [a, b] of H) count += b - a + 1n;
  if (count * BigInt(L.length) > BigInt(MAX_ENUMERATED)) return undefined;
  const out: [bigint, bigint][] = [];
  for (const [a, b] of H) for (let h = a; h <= b; h++) for (const [x, y] of L) out.push([(h << 32n) | x, (h << 32n) | y]);
  return normalize(out);
}

// ---------------------------------------------------------------- conditions

/** One field's constraint on a path: an exact value set, or masked atoms on its halves. */
export type FieldCond =
  /** view 'lo': a set of the low 32 bits, the high half unconstrained. */
  | { readonly kind: 'set'; readonly set: IntervalSet; readonly view: 'whole' | 'lo' }
  | { readonly kind: 'atoms'; readonly lo: readonly Atom[]; readonly hi: readonly Atom[] };

/** Per field name, the constraint a path puts on it (absent fields are unconstrained). */
export type PathConds = ReadonlyMap<string, FieldCond>;

export function pathConds(fields: readonly Field[], words: readonly (readonly Atom[])[]): Map<string, FieldCond> {
  const out = new Map<string, FieldCond>();
  for (const f of fields) {
    const lo = simplifyAtoms(words[f.lo]);
    const hi = f.hi === undefined ? [] : simplifyAtoms(words[f.hi]);
    if (lo.length === 0 && hi.length === 0) continue;
    const fs = fieldSet(f, lo, hi);
    if (fs === undefined) out.set(f.name, { kind: 'atoms', lo, hi });
    else if (!isFull(fs.set, setWidth(f, fs.view))) out.set(f.name, { kind: 'set', set: fs.set, view: fs.view });
  }
  return out;
}

const setWidth = (f: Field, view: 'whole' | 'lo'): 32 | 64 => (view === 'lo' ? 32 : f.width);

const atomKey = (a: Atom): string => (a.kind === 'range' ? `r${a.mask}:${a.lo}:${a.hi}` : `n${a.mask}:${a.value}`);
export function condKey(c: FieldCond): string {
  if (c.kind === 'set') return 's' + c.view + c.set.map(([a, b]) => `${a}-${b}`).join(',');
  return 'a' + [...c.lo.map(atomKey)].sort().join(',') + '|' + [...c.hi.map(atomKey)].sort().join(',');
}

/** Formats a value of a field: nr in decimal, arch by AUDIT_ARCH name, others in hex from 10 up. */
export function formatValue(field: string, v: bigint): string {
  if (field === 'arch') {
    const name = auditArchName(Number(v));
    return name ?? '0x' + v.toString(16);
  }
  if (field === 'nr') return v < 0x10000n ? v.toString() : '0x' + v.toString(16);
  return v < 10n ? v.toString() : '0x' + v.toString(16);
}

/** The complement of a set within [0, max]. */
function complement(set: IntervalSet, max: bigint): IntervalSet {
  const out: [bigint, bigint][] = [];
  let next = 0n;
  for (const [a, b] of set) {
    if (a > next) out.push([next, a - 1n]);
    next = b + 1n;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

/** The conditions (a conjunction) one field's set means, in the shortest of a few forms. */
function setConditions(name: string, width: 32 | 64, set: IntervalSet): string[] {
  const fmt = (v: bigint): string => formatValue(name, v);
  // Two adjacent values print as two values, longer runs as a..b.
  const list = (s: IntervalSet): string =>
    s.map(([a, b]) => (a === b ? fmt(a) : b === a + 1n ? `${fmt(a)}, ${fmt(b)}` : `${fmt(a)}..${fmt(b)}`)).join(', ');
  const max = maxOf(width);
  if (set.length === 0) return ['false'];
  const lo = set[0][0];
  const hi = set[set.length - 1][1];
  if (set.length === 1) {
    if (lo === hi) return [`${name} == ${fmt(lo)}`];
    // Everything but one value.
    if (lo === 1n && hi === max) return [`${name} != 0`];
    if (lo === 0n && hi === max - 1n) return [`${name} != ${fmt(max)}`];
    if (lo === 0n) return [`${name} <= ${fmt(hi)}`];
    if (hi === max) return [`${name} >= ${fmt(lo)}`];
    return [`${fmt(lo)} <= ${name} <= ${fmt(hi)}`];
  }
  const points = (s: IntervalSet): boolean => s.every(([a, b]) => b - a <= 1n);
  if (points(set)) return [`${name} in {${list(set)}}`];
  const comp = complement(set, max);
  if (comp.length === 1 && comp[0][0] === comp[0][1]) return [`${name} != ${fmt(comp[0][0])}`];
  if (points(comp)) return [`${name} not in {${list(comp)}}`];
  // A hull with single-value holes: "args[0] >= 1 && args[0] not in {8, 9}".
  const holes = complement(set, max).filter(([a, b]) => a > lo && b < hi);
  if (holes.every(([a, b]) => a === b)) {
    const hull = lo !== 0n && hi !== max ? `${fmt(lo)} <= ${name} <= ${fmt(hi)}` : lo !== 0n ? `${name} >= ${fmt(lo)}` : `${name} <= ${fmt(hi)}`;
    const pts = holes.map(([a]) => fmt(a));
    return [hull, pts.length === 1 ? `${name} != ${pts[0]}` : `${name} not in {${pts.join(', ')}}`];
  }
  return comp.length < set.length ? [`${name} not in {${list(comp)}}`] : [`${name} in {${list(set)}}`];
}

/** Conditions of a field in atoms form: fixed bits as one masked ==, then ranges and != per half. */
function atomConditions(f: Field, lo: readonly Atom[], hi: readonly Atom[]): string[] {
  const full = maxOf(f.width);
  const hex = (v: bigint): string => formatValue(f.name, v);
  let fixedMask = 0n;
  let fixedValue = 0n;
  const rest: string[] = [];
  const half = (atoms: readonly Atom[], shift: bigint): void => {
    for (const a of atoms) {
      const m = BigInt(a.mask) << shift;
      const plain = m === full;
      const lhs = plain ? f.name : `(${f.name} & 0x${m.toString(16)})`;
      if (a.kind === 'range' && a.lo === a.hi) {
        fixedMask |= m;
        fixedValue |= BigInt(a.lo) << shift;
      } else if (a.kind === 'range') {
        const l = BigInt(a.lo) << shift;
        const h = BigInt(a.hi) << shift;
        if (a.lo === 0) rest.push(`${lhs} <= ${hex(h)}`);
        else if (a.hi >= a.mask) rest.push(`${lhs} >= ${hex(l)}`);
        else rest.push(`${hex(l)} <= ${lhs} <= ${hex(h)}`);
      } else {
        rest.push(`${lhs} != ${hex(BigInt(a.value) << shift)}`);
      }
    }
  };
  half(hi, 32n);
  half(lo, 0n);
  const out: string[] = [];
  if (fixedMask === full) out.push(`${f.name} == ${hex(fixedValue)}`);
  else if (fixedMask !== 0n) out.push(`(${f.name} & 0x${fixedMask.toString(16)}) == ${hex(fixedValue)}`);
  return [...out, ...rest];
}

export function fieldConditions(f: Field, c: FieldCond): string[] {
  if (c.kind === 'atoms') return atomConditions(f, c.lo, c.hi);
  return c.view === 'lo' ? setConditions(`(${f.name} & 0xffffffff)`, 32, c.set) : setConditions(f.name, f.width, c.set);
}

// ---------------------------------------------------------------- opaque expressions

const C_OP: Readonly<Record<string, string>> = { add: '+', sub: '-', mul: '*', div: '/', or: '|', and: '&', lsh: '<<', rsh: '>>', xor: '^' };

export function formatExpr(e: Expr, fields: readonly Field[]): string {
  switch (e.op) {
    case 'word': return wordName(fields, e.w);
    case 'const': return e.v < 10 ? String(e.v) : '0x' + (e.v >>> 0).toString(16);
    case 'neg': return `-(${formatExpr(e.a, fields)})`;
    default: {
      const side = (x: Expr): string => (x.op === 'word' || x.op === 'const' ? formatExpr(x, fields) : `(${formatExpr(x, fields)})`);
      return `${side(e.a)} ${C_OP[e.op]} ${side(e.b)}`;
    }
  }
}

const CMP_TEXT: Readonly<Record<CmpOp, [string, string]>> = { jeq: ['==', '!='], jgt: ['>', '<='], jge: ['>=', '<'], jset: ['', ''] };

export function formatOpaque(c: OpaqueCond, fields: readonly Field[]): string {
  const a = formatExpr(c.a, fields);
  const b = formatExpr(c.b, fields);
  if (c.cmp === 'jset') return `(${a} & ${b}) ${c.truth ? '!=' : '=='} 0`;
  return `${a} ${CMP_TEXT[c.cmp][c.truth ? 0 : 1]} ${b}`;
}

// ---------------------------------------------------------------- merging

/** Something with per-field conditions that can be merged with its kind when all else is equal. */
export interface Mergeable {
  /** Entries merge only within the same group (same action, no opaque conditions). */
  readonly group: string;
  conds: Map<string, FieldCond>;
}

/**
 * Merge entries of the same group whose conditions differ in one field only,
 * where that field is an exact set (or unconstrained) in each: the union is
 * exact. Repeats until nothing changes. The first entry of a merged bunch
 * survives (its witness satisfies the union); order is kept.
 */
export function mergeEntries<T extends Mergeable>(entries: readonly T[], fields: readonly Field[]): T[] {
  let cur = entries.slice();
  const field = new Map(fields.map((f) => [f.name, f]));
  for (let changed = true; changed;) {
    changed = false;
    // Identical conditions first.
    const seen = new Map<string, T>();
    const next: T[] = [];
    for (const e of cur) {
      const key = e.group + '#' + [...e.conds.entries()].map(([k, c]) => `${k}=${condKey(c)}`).sort().join(';');
      if (seen.has(key)) {
        changed = true;
        continue;
      }
      seen.set(key, e);
      next.push(e);
    }
    cur = next;
    const names = new Set<string>();
    for (const e of cur) for (const k of e.conds.keys()) names.add(k);
    for (const name of names) {
      const f = field.get(name);
      if (f === undefined) continue;
      const buckets = new Map<string, T[]>();
      for (const e of cur) {
        const c = e.conds.get(name);
        if (c !== undefined && c.kind !== 'set') continue;
        const key = e.group + '#' + [...e.conds.entries()].filter(([k]) => k !== name).map(([k, c2]) => `${k}=${condKey(c2)}`).sort().join(';');
        const b = buckets.get(key);
        if (b) b.push(e);
        else buckets.set(key, [e]);
      }
      const dropped = new Set<T>();
      for (const bucket of buckets.values()) {
        if (bucket.length < 2) continue;
        // Sets of the whole field and of its low half do not mix (an absent field mixes with either).
        const views = new Set(bucket.map((e) => e.conds.get(name)).filter((c) => c !== undefined).map((c) => (c as { view: string }).view));
        if (views.size > 1) continue;
        const view: 'whole' | 'lo' = views.has('lo') ? 'lo' : 'whole';
        const w = setWidth(f, view);
        let union: [bigint, bigint][] = [];
        for (const e of bucket) {
          const c = e.conds.get(name);
          union.push(...(c === undefined ? [[0n, maxOf(w)] as [bigint, bigint]] : (c as { set: IntervalSet }).set.map(([a, b]) => [a, b] as [bigint, bigint])));
        }
        union = normalize(union) as [bigint, bigint][];
        const keep = bucket[0];
        const conds = new Map(keep.conds);
        if (isFull(union, w)) conds.delete(name);
        else conds.set(name, { kind: 'set', set: union, view });
        keep.conds = conds;
        for (const e of bucket.slice(1)) dropped.add(e);
        changed = true;
      }
      if (dropped.size) cur = cur.filter((e) => !dropped.has(e));
    }
  }
  return cur;
}
