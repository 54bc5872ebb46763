// seccheck verify as a library: check a filter against a spec, expectation
// by expectation and arch by arch. Exact where the explain analysis decides
// (a syscall's verdict is one action, or every path's action satisfies the
// expectation, or a path that breaks it has a witness the expectation
// decides); otherwise a deterministic fixed-seed sampling of that syscall's
// argument space built from the filter's and the spec's own constants, and
// the result says "sampled". Every counterexample was run on the compiled
// engine.
import {
  archByName, archesByAuditArch, compileFilter, formatAction, seccompData, seccompDataFromWords, seccompDataWords, SECCOMP_DATA_WORDS,
  type ArchInfo, type CompiledFilter, type Program, type SeccompData,
} from 'unicorn-bpf-emulator';
import { syscallNumber } from '../arch/syscalls.js';
import { SeccheckError } from '../errors.js';
import { explainProgram, syscallTable, type Explanation, type Verdict } from '../explain/explain.js';
import { negate, ne, range, solve, U32_MAX, type Atom } from '../explain/solver.js';
import { explorePaths } from '../explain/symbolic.js';
import { loadFilter, selectPrograms } from '../formats/load.js';
import {
  actionMatches, argsHold, describeExpectation,
  type ActionMatcher, type ArgCond, type ArgConds, type Expectation, type Spec,
} from './spec.js';
import { prng } from '../explain/prng.js';

export interface Counterexample {
  /** ABI name ("x86_64", "x32", "foreign"). */
  readonly abi: string;
  readonly data: SeccompData;
  /** What the compiled filter returned. */
  readonly raw: number;
}

export interface ExpectationResult {
  readonly expectation: Expectation;
  readonly pass: boolean;
  /** Some case was decided by sampling instead of the exact analysis. */
  readonly sampled: boolean;
  /** Cases (arch x syscall) checked. */
  readonly cases: number;
  readonly counterexample?: Counterexample;
}

export interface VerifyResult {
  readonly spec: string;
  readonly filter: string;
  readonly results: readonly ExpectationResult[];
  readonly pass: boolean;
}

export interface VerifyOptions {
  /** Overrides the spec's filter. */
  readonly filter?: string;
  /** Cases sampled per syscall when the analysis cannot decide (default 4000). */
  readonly samples?: number;
}

interface ArchRun {
  readonly abi: ArchInfo;
  readonly program: Program;
  readonly compiled: CompiledFilter;
  readonly explanation: Explanation;
  /** Constants the program compares with, for sampling. */
  readonly constants: readonly number[];
}

interface CaseOutcome {
  readonly pass: boolean;
  readonly sampled: boolean;
  readonly counterexample?: Counterexample;
}

const U64 = (1n << 64n) - 1n;

export function verifySpec(spec: Spec, opts: VerifyOptions = {}): VerifyResult {
  const filterFile = opts.filter ?? spec.filter;
  if (filterFile === undefined) throw new SeccheckError(spec.file, undefined, 'the spec names no filter; give one with --filter');
  const samples = opts.samples ?? 4000;
  const runs = spec.arches.map((abi) => archRun(spec, filterFile, abi));
  const specConstants = spec.expect.flatMap((e) => (e.kind === 'syscalls' ? e.args.flatMap((a) => a.conds.flatMap((c) => (c.kind === 'mask' ? [c.mask, c.value] : [c.value]))) : []));

  const results: ExpectationResult[] = [];
  spec.expect.forEach((e, idx) => {
    const earlierExp = spec.expect.slice(0, idx);
    const outcomes: CaseOutcome[] = [];
    // An earlier expectation of the same kind (foreign_arch, x32, default) decides first.
    const shadowed = e.kind !== 'syscalls' && earlierExp.some((x) => x.kind === e.kind);
    for (const r of runs) {
      if (shadowed) break;
      const pool = valuePool(r.constants, specConstants);
      const checkSyscall = (abi: ArchInfo, label: string, nr: number, verdict: Verdict | undefined, conds: readonly ArgConds[] | null, earlier: readonly (readonly ArgConds[])[]): void => {
        outcomes.push(checkCase({ run: r, abi, label, nr, verdict, conds: conds ?? [], earlier, matcher: e.action, pool, samples }));
      };
      if (e.kind === 'syscalls') {
        for (const name of e.syscalls) {
          const nr = syscallNumber(r.abi.name, name);
          if (nr === undefined) continue; // parse checked every listed arch
          const earlier = earlierArgs(earlierExp, name);
          if (earlier === 'all') continue;
          checkSyscall(r.abi, r.abi.name, nr, verdictFor(r.explanation, nr), e.args, earlier);
        }
      } else if (e.kind === 'default') {
        for (const { name, nr } of syscallTable(r.abi) ?? []) {
          const earlier = earlierArgs(earlierExp, name);
          if (earlier === 'all') continue;
          checkSyscall(r.abi, r.abi.name, nr, verdictFor(r.explanation, nr), null, earlier);
        }
      } else if (e.kind === 'x32') {
        const x32 = r.explanation.x32;
        if (x32 === undefined) continue; // no x32 ABI on this arch
        for (const s of x32.syscalls) checkSyscall(x32.abi, 'x32', s.nr, s.verdict, null, []);
      } else {
        const foreign = checkCase({ run: r, abi: r.abi, label: 'foreign', nr: 0, verdict: r.explanation.foreign.verdict, conds: [], earlier: [], matcher: e.action, pool, samples });
        outcomes.push(notListed(foreign, r, spec, e.action));
        // Arches the filter names that the spec does not list are foreign too.
        for (const v of r.explanation.foreign.excluded) {
          if (spec.arches.some((a) => a.auditArch === v)) continue;
          for (const other of archesByAuditArch(v)) {
            if (other.nrBits !== 0) continue;
            const table = syscallTable(other);
            if (table === undefined) {
              outcomes.push(sampleNumbers(r, other, e.action));
              continue;
            }
            const ex = explainProgram(r.program, other, {});
            for (const s of ex.syscalls) checkSyscall(other, other.name, s.nr, s.verdict, null, []);
          }
        }
      }
    }
    const failed = outcomes.find((o) => !o.pass);
    results.push({
      expectation: e,
      pass: failed === undefined,
      sampled: outcomes.some((o) => o.sampled),
      cases: outcomes.length,
      ...(failed?.counterexample ? { counterexample: failed.counterexample } : {}),
    });
  });
  return { spec: spec.file, filter: filterFile, results, pass: results.every((r) => r.pass) };
}

function archRun(spec: Spec, filterFile: string, abi: ArchInfo): ArchRun {
  const loaded = loadFilter(filterFile, { ...(spec.format ? { format: spec.format } : {}), arch: abi });
  const programs = selectPrograms(loaded, spec.thread);
  if (programs.length !== 1) {
    throw new SeccheckError(spec.file, undefined, `${loaded.source}: ${programs.length} programs (threads ${programs.map((p) => p.thread ?? '?').join(', ')}); name one with "thread"`);
  }
  const program = programs[0].program;
  const compiled = compileFilter(program, { check: true });
  const explanation = explainProgram(program, abi, { thread: programs[0].thread });
  const constants = [...new Set(program.map((i) => i.k >>> 0))].sort((a, b) => a - b);
  return { abi, program, compiled, explanation, constants };
}

/** The argument conditions of earlier expectations naming this syscall; 'all' if one has none (it decides every input). */
function earlierArgs(earlier: readonly Expectation[], name: string): readonly (readonly ArgConds[])[] | 'all' {
  const out: (readonly ArgConds[])[] = [];
  for (const x of earlier) {
    if (x.kind !== 'syscalls' || !x.syscalls.includes(name)) continue;
    if (x.args.length === 0) return 'all';
    out.push(x.args);
  }
  return out;
}

function verdictFor(ex: Explanation, nr: number): Verdict | undefined {
  return ex.syscalls.find((s) => s.nr === nr)?.verdict;
}

interface CaseInput {
  readonly run: ArchRun;
  readonly abi: ArchInfo;
  readonly label: string;
  readonly nr: number;
  readonly verdict: Verdict | undefined;
  readonly conds: readonly ArgConds[];
  readonly earlier: readonly (readonly ArgConds[])[];
  readonly matcher: ActionMatcher;
  readonly pool: readonly bigint[];
  readonly samples: number;
}

function checkCase(c: CaseInput): CaseOutcome {
  const decides = (d: SeccompData): boolean => argsHold(c.conds, d.args) && c.earlier.every((e) => !argsHold(e, d.args));
  const run = (d: SeccompData): Counterexample => ({ abi: c.label, data: d, raw: c.run.compiled(seccompDataWords(d, c.abi.endian)) >>> 0 });
  const ok = (raw: number): boolean => actionMatches(c.matcher, raw, c.run.abi.name);
  const noArgs = c.conds.length === 0 && c.earlier.length === 0;
  const v = c.verdict;
  const base = (): SeccompData => seccompData(c.nr, c.abi.auditArch);

  if (v !== undefined && v.kind === 'action' && v.raw !== null) {
    if (ok(v.raw)) return { pass: true, sampled: false };
    if (noArgs) return failWith(run(v.witness?.data ?? base()), false);
    // Uniform action that breaks the expectation: any input it decides is a counterexample.
    const exact = exactCheck(c, decides, run, ok);
    if (exact !== 'unknown') return exact;
    const d = findDeciding(c, [v.witness?.data ?? base()], decides, () => true);
    return d ? failWith(run(d), false) : { pass: true, sampled: true };
  }
  if (v !== undefined && v.kind !== 'action') {
    const bad = v.entries.filter((en) => en.raw === null || !ok(en.raw));
    if (v.kind === 'depends' && bad.length === 0) return { pass: true, sampled: false };
    for (const en of bad) {
      if (en.raw !== null && en.witness?.verified && decides(en.witness.data)) {
        const cx = run(en.witness.data);
        if (!ok(cx.raw)) return failWith(cx, false);
      }
    }
    const exact = exactCheck(c, decides, run, ok);
    if (exact !== 'unknown') return exact;
    const bases = v.entries.flatMap((en) => (en.witness ? [en.witness.data] : []));
    const d = findDeciding(c, bases.length ? bases : [base()], decides, (x) => !ok(run(x).raw));
    return d ? failWith(run(d), true) : { pass: true, sampled: true };
  }
  // No verdict (a syscall explain did not cover): walk its paths, else sample.
  const exact = exactCheck(c, decides, run, ok);
  if (exact !== 'unknown') return exact;
  const d = findDeciding(c, [base()], decides, (x) => !ok(run(x).raw));
  return d ? failWith(run(d), true) : { pass: true, sampled: true };
}

/**
 * Decide a case exactly on the program's paths: for every path whose action
 * breaks the expectation, is there data that takes it and that this
 * expectation decides (its argument conditions hold, no earlier one's do)?
 * The 64-bit conditions become a disjunction of per-word atoms, so each
 * (path, disjunct) is solved word by word. 'unknown' when the walk ran out
 * of budget, a path has conditions the solver does not decide, or returns a
 * value computed from the data.
 */
function exactCheck(
  c: CaseInput,
  decides: (d: SeccompData) => boolean,
  run: (d: SeccompData) => Counterexample,
  ok: (raw: number) => boolean,
): CaseOutcome | 'unknown' {
  const concrete = new Array<number | undefined>(SECCOMP_DATA_WORDS).fill(undefined);
  concrete[0] = c.nr >>> 0;
  concrete[1] = c.abi.auditArch >>> 0;
  const ex = explorePaths(c.run.program, { concrete });
  let dnf = condsDnf(c.conds, c.abi);
  for (const e of c.earlier) dnf = andDnf(dnf, notCondsDnf(e, c.abi));
  let unknown = !ex.complete;
  for (const p of ex.paths) {
    if (p.result.kind === 'ret' && ok(p.result.raw)) continue;
    for (const term of dnf) {
      const words: number[] = [];
      let sat: boolean | 'unknown' = true;
      for (let w = 0; w < SECCOMP_DATA_WORDS && sat === true; w++) {
        const fixed = concrete[w];
        const atoms = [...p.words[w], ...(term.get(w) ?? [])];
        if (fixed !== undefined) {
          words.push(fixed);
          continue;
        }
        const m = atoms.length === 0 ? 0 : solve(atoms);
        if (m === null) sat = false;
        else if (m === 'unknown') sat = 'unknown';
        else words.push(m);
      }
      if (sat === false) continue;
      if (sat === 'unknown') {
        unknown = true;
        continue;
      }
      const data = seccompDataFromWords(words, c.abi.endian);
      const cx = run(data);
      if (decides(data) && !ok(cx.raw)) return failWith(cx, false);
      // Opaque conditions or a computed return: this data did not show it; others might.
      unknown = true;
    }
  }
  return unknown ? 'unknown' : { pass: true, sampled: false };
}

/** A disjunction of conjunctions of per-word atoms ([]: false; [empty map]: true). */
type Dnf = readonly ReadonlyMap<number, readonly Atom[]>[];
const TRUE_DNF: Dnf = [new Map()];

function andDnf(a: Dnf, b: Dnf): Dnf {
  const out: Map<number, readonly Atom[]>[] = [];
  for (const x of a) {
    for (const y of b) {
      const m = new Map(x);
      for (const [w, atoms] of y) m.set(w, [...(m.get(w) ?? []), ...atoms]);
      out.push(m);
    }
  }
  return out;
}

const lit = (w: number, a: Atom): Dnf => [new Map([[w, [a]]])];
const eq32 = (w: number, v: number): Dnf => lit(w, range(U32_MAX, v, v));

/** Words of args[i]: [low half, high half] (a u64 is stored in the arch's byte order). */
function argWords(i: number, abi: ArchInfo): [number, number] {
  const first = 4 + 2 * i;
  return abi.endian === 'big' ? [first + 1, first] : [first, first + 1];
}

function halves(v: bigint): [number, number] {
  return [Number(v & 0xffffffffn), Number((v >> 32n) & 0xffffffffn)];
}

/** x > v (strict) or x >= v over (hi, lo). */
function above(lo: number, hi: number, v: bigint, strict: boolean): Dnf {
  const [vlo, vhi] = halves(v);
  const out: Dnf[] = [];
  if (vhi < U32_MAX) out.push(lit(hi, range(U32_MAX, vhi + 1, U32_MAX)));
  const loMin = strict ? vlo + 1 : vlo;
  if (loMin <= U32_MAX) out.push(andDnf(eq32(hi, vhi), lit(lo, range(U32_MAX, loMin, U32_MAX))));
  return out.flat();
}

/** x < v (strict) or x <= v over (hi, lo). */
function below(lo: number, hi: number, v: bigint, strict: boolean): Dnf {
  const [vlo, vhi] = halves(v);
  const out: Dnf[] = [];
  if (vhi > 0) out.push(lit(hi, range(U32_MAX, 0, vhi - 1)));
  const loMax = strict ? vlo - 1 : vlo;
  if (loMax >= 0) out.push(andDnf(eq32(hi, vhi), lit(lo, range(U32_MAX, 0, loMax))));
  return out.flat();
}

function condDnf(i: number, c: ArgCond, abi: ArchInfo, negated: boolean): Dnf {
  const [lo, hi] = argWords(i, abi);
  if (c.kind === 'mask') {
    if ((c.value & ~c.mask & ((1n << 64n) - 1n)) !== 0n) return negated ? TRUE_DNF : [];
    const [mlo, mhi] = halves(c.mask);
    const [vlo, vhi] = halves(c.value);
    const a = range(mlo, vlo, vlo);
    const b = range(mhi, vhi, vhi);
    if (!negated) return andDnf(lit(lo, a), lit(hi, b));
    return [...negate(a).flatMap((x) => lit(lo, x)), ...negate(b).flatMap((x) => lit(hi, x))];
  }
  const op = negated ? NEGATED[c.op] : c.op;
  const [vlo, vhi] = halves(c.value);
  switch (op) {
    case 'eq': return andDnf(eq32(lo, vlo), eq32(hi, vhi));
    case 'ne': return [...lit(lo, ne(U32_MAX, vlo)), ...lit(hi, ne(U32_MAX, vhi))];
    case 'gt': return above(lo, hi, c.value, true);
    case 'ge': return above(lo, hi, c.value, false);
    case 'lt': return below(lo, hi, c.value, true);
    case 'le': return below(lo, hi, c.value, false);
  }
}

const NEGATED = { eq: 'ne', ne: 'eq', lt: 'ge', ge: 'lt', le: 'gt', gt: 'le' } as const;

/** Every condition holds. */
function condsDnf(conds: readonly ArgConds[], abi: ArchInfo): Dnf {
  let out = TRUE_DNF;
  for (const { arg, conds: cs } of conds) for (const c of cs) out = andDnf(out, condDnf(arg, c, abi, false));
  return out;
}

/** Some condition fails. */
function notCondsDnf(conds: readonly ArgConds[], abi: ArchInfo): Dnf {
  return conds.flatMap(({ arg, conds: cs }) => cs.flatMap((c) => condDnf(arg, c, abi, true)));
}

/**
 * The foreign-arch analysis covers every arch value the filter does not
 * compare with, which may include an arch the spec lists; a counterexample
 * with such a value is moved to one no one names, or dropped (sampled).
 */
function notListed(o: CaseOutcome, r: ArchRun, spec: Spec, m: ActionMatcher): CaseOutcome {
  const cx = o.counterexample;
  const listed = new Set(spec.arches.map((a) => a.auditArch >>> 0));
  if (cx === undefined || !listed.has(cx.data.arch >>> 0)) return o;
  const named = new Set([...listed, ...r.explanation.foreign.excluded.map((v) => v >>> 0)]);
  for (const arch of [0x12345678, 0xdeadbeef, 0, 1]) {
    if (named.has(arch)) continue;
    const data = { ...cx.data, arch };
    const raw = r.compiled(seccompDataWords(data, r.abi.endian)) >>> 0;
    if (!actionMatches(m, raw, r.abi.name)) return { pass: false, sampled: true, counterexample: { abi: 'foreign', data, raw } };
  }
  return { pass: true, sampled: true };
}

const failWith = (cx: Counterexample, sampled: boolean): CaseOutcome => ({ pass: false, sampled, counterexample: cx });

/**
 * The first input (deterministic order) that this expectation decides and
 * `bad` accepts: every base with each argument set to each pool value, then
 * fixed-seed random combinations of pool values and random words.
 */
function findDeciding(c: CaseInput, bases: readonly SeccompData[], decides: (d: SeccompData) => boolean, bad: (d: SeccompData) => boolean): SeccompData | undefined {
  const test = (d: SeccompData): boolean => decides(d) && bad(d);
  // Arguments the spec names first.
  const argOrder = [...new Set([...c.conds.map((a) => a.arg), ...c.earlier.flatMap((e) => e.map((a) => a.arg)), 0, 1, 2, 3, 4, 5])];
  for (const b of bases) {
    if (test(b)) return b;
    for (const i of argOrder) {
      for (const v of c.pool) {
        const d = withArg(b, i, v);
        if (test(d)) return d;
      }
    }
  }
  const rnd = prng(0x5eccec);
  const r64 = (): bigint => (BigInt(rnd()) << 32n) | BigInt(rnd());
  for (let n = 0; n < c.samples; n++) {
    const b = bases[n % bases.length];
    const args = [...b.args];
    for (let i = 0; i < 6; i++) {
      const pick = rnd() % 4;
      if (pick === 0) continue;
      args[i] = pick === 3 ? r64() : c.pool[rnd() % c.pool.length];
    }
    const d: SeccompData = { ...b, args };
    if (test(d)) return d;
  }
  return undefined;
}

function withArg(d: SeccompData, i: number, v: bigint): SeccompData {
  const args = [...d.args];
  args[i] = v;
  return { ...d, args };
}

/** Values worth trying in an argument: the filter's 32-bit constants in each half, the spec's 64-bit ones, and edges. */
function valuePool(constants: readonly number[], spec: readonly bigint[]): bigint[] {
  const out = new Set<bigint>([0n, 1n, 0xffffffffn, 0x100000000n, 1n << 63n, U64]);
  for (const v of spec) {
    for (const x of [v, v + 1n, v - 1n, v ^ (1n << 32n), v | (0xffffffffn << 32n), v & 0xffffffffn, ~v]) out.add(x & U64);
  }
  for (const k0 of constants.slice(0, 200)) {
    const k = BigInt(k0);
    for (const x of [k, k + 1n, k - 1n, k | (1n << 32n), k | (0xffffffffn << 32n), k << 32n]) out.add(x & U64);
  }
  return [...out];
}


/** A foreign arch seccheck has no table for: every number 0..1023 with zero args (sampled). */
function sampleNumbers(r: ArchRun, other: ArchInfo, m: ActionMatcher): CaseOutcome {
  for (let nr = 0; nr < 1024; nr++) {
    const d = seccompData(nr, other.auditArch);
    const raw = r.compiled(seccompDataWords(d, other.endian)) >>> 0;
    if (!actionMatches(m, raw, r.abi.name)) return { pass: false, sampled: true, counterexample: { abi: other.name, data: d, raw } };
  }
  return { pass: true, sampled: true };
}

const hex64 = (v: bigint): string => '0x' + v.toString(16);

/** "arch=x86_64 nr=39 args[1]=0x100005401" (arch as the ABI name or the AUDIT_ARCH value). */
export function formatCounterexample(cx: Counterexample): string {
  const named = archByName(cx.abi);
  const arch = named !== undefined || cx.abi === 'x32' ? cx.abi : '0x' + (cx.data.arch >>> 0).toString(16);
  const nr = (cx.data.nr >>> 0) < 0x10000 ? String(cx.data.nr) : '0x' + (cx.data.nr >>> 0).toString(16);
  const parts = [`arch=${arch}`, `nr=${nr}`];
  cx.data.args.forEach((a, i) => {
    if (a !== 0n) parts.push(`args[${i}]=${hex64(a)}`);
  });
  if (cx.data.instruction_pointer !== 0n) parts.push(`ip=${hex64(cx.data.instruction_pointer)}`);
  return parts.join(' ');
}

/** One line per expectation. */
export function formatResult(r: ExpectationResult, specFile: string): string {
  const e = r.expectation;
  const head = `${r.pass ? 'PASS' : 'FAIL'} ${specFile}:${e.line} ${describeExpectation(e)}: ${e.actionText}`;
  const none = e.kind === 'x32' ? ' (no x32 ABI on these arches)' : ' (no input reaches it)';
  const how = r.cases === 0 ? none : r.sampled ? ' (sampled)' : '';
  if (r.pass || r.counterexample === undefined) return head + how;
  return `${head}${how}: got ${formatAction(r.counterexample.raw)}; counterexample: ${formatCounterexample(r.counterexample)}`;
}

export function resultRecord(r: ExpectationResult): Record<string, unknown> {
  const e = r.expectation;
  return {
    line: e.line,
    expectation: describeExpectation(e),
    action: e.actionText,
    pass: r.pass,
    method: r.sampled ? 'sampled' : 'exact',
    cases: r.cases,
    ...(r.counterexample
      ? {
        counterexample: {
          arch: r.counterexample.abi,
          audit_arch: '0x' + (r.counterexample.data.arch >>> 0).toString(16),
          nr: r.counterexample.data.nr,
          args: [...r.counterexample.data.args].map(hex64),
          ip: hex64(r.counterexample.data.instruction_pointer),
          got: formatAction(r.counterexample.raw),
        },
      }
      : {}),
  };
}
