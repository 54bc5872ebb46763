// explain: for every syscall of an ABI's table, the action a filter gives
// it, or the argument conditions that decide it, each with a concrete
// seccomp_data (a witness) that the compiled emulator confirms. Also what a
// foreign arch, x32 callers and the compat ABI (i386 on x86_64) get, and
// findings: what the filter lets through that its own rules suggest it meant
// to stop. Exact, not sampled: every path of the program is walked
// symbolically (./symbolic.ts); a query that needs more than the step budget
// says so instead of guessing.
import {
  ARCHES, archByName, checkFilter, compileFilter, decodeAction, formatAction, knownArch, OP,
  seccompDataFromWords, SECCOMP_DATA_WORDS,
  type ArchInfo, type CompiledFilter, type Program, type SeccompData,
} from 'unicorn-bpf-emulator';
import { compatArch } from '../arch/arch_abi.js';
import { SYSCALL_TABLES } from '../arch/syscalls.generated.js';
import { SeccheckError } from '../errors.js';
import { hostArch } from '../formats/host_arch.js';
import {
  fieldConditions, formatExpr, formatOpaque, mergeEntries, pathConds, seccompFields,
  type Field, type FieldCond,
} from './conditions.js';
import { CLONE_NAMESPACE_FLAGS, cloneFlagsArg, SIBLING_FAMILIES } from './families.js';
import { holds, ne, solve, type Atom } from './solver.js';
import { DEFAULT_STEP_BUDGET, explorePaths, pathHolds, pathReturn, type Exploration, type Expr, type SymPath } from './symbolic.js';
import { prng } from './prng.js';

/** A concrete seccomp_data that takes one path, and what the emulator returned for it. */
export interface Witness {
  /** The ABI name the data is for (a case line's "arch"), or the AUDIT_ARCH value in hex when no ABI has it. */
  readonly abi: string;
  readonly data: SeccompData;
  /** What the compiled filter returned for this data. */
  readonly raw: number;
  /** The filter returned what the analysis said this path returns. */
  readonly verified: boolean;
}

export interface Entry {
  /** A conjunction, e.g. ["args[0] == 1", "(args[2] & 0x10) != 0"]; empty: always. */
  readonly conditions: readonly string[];
  /** "ERRNO(1)", "ALLOW", or "returns args[1].lo" for a RET A of a data word. */
  readonly action: string;
  /** The value returned; null when it depends on the data (RET A). */
  readonly raw: number | null;
  /** null only for a path with conditions the analysis cannot solve and no search found data for. */
  readonly witness: Witness | null;
  /** False when the conditions include comparisons of computed values the solver does not decide. */
  readonly simplified: boolean;
  /** The path ended at DIV by X == 0 (the filter returns 0). */
  readonly divByZero: boolean;
}

export type Verdict =
  | { readonly kind: 'action'; readonly action: string; readonly raw: number | null; readonly witness: Witness | null }
  | { readonly kind: 'depends'; readonly entries: readonly Entry[] }
  /** The step budget ran out: entries found so far; there may be more. */
  | { readonly kind: 'incomplete'; readonly entries: readonly Entry[] };

export interface SyscallVerdict {
  readonly name: string;
  readonly nr: number;
  readonly verdict: Verdict;
}

export interface AbiExplanation {
  readonly abi: ArchInfo;
  readonly syscalls: readonly SyscallVerdict[];
}

/**
 * x32-bypass: an x32 number of a denied syscall runs; i386-bypass (arm-bypass,
 * ...): the compat ABI's number of a denied syscall runs; sibling: a syscall
 * of the same family as a denied one runs.
 */
export type FindingKind = 'x32-bypass' | `${string}-bypass` | 'sibling';

export interface Finding {
  readonly kind: FindingKind;
  readonly syscall: string;
  readonly detail: string;
  readonly witness: Witness;
}

export interface Explanation {
  readonly arch: ArchInfo;
  readonly thread: string | null;
  readonly instructions: number;
  readonly syscalls: readonly SyscallVerdict[];
  /** Any seccomp_data.arch other than the AUDIT_ARCH values the filter compares with (`excluded`), any nr. */
  readonly foreign: { readonly excluded: readonly number[]; readonly verdict: Verdict };
  /** x86_64 only: x32 callers (AUDIT_ARCH_X86_64, x32 table numbers with 0x40000000). */
  readonly x32?: AbiExplanation;
  /** The compat ABI a kernel of this arch also runs (x86_64: i386, aarch64: arm; compatArch), when seccheck has its table. */
  readonly compat?: AbiExplanation;
  readonly findings: readonly Finding[];
  /** Work done: queries run, instructions executed symbolically, the most one query needed. */
  readonly stats: { readonly queries: number; readonly steps: number; readonly maxQuerySteps: number; readonly incomplete: number };
  /** Every witness was run through the compiled filter; these disagreed (a bug in explain). */
  readonly selfCheck: { readonly witnesses: number; readonly failures: readonly string[] };
}

export interface ExplainOptions {
  readonly thread?: string | null;
  /** Instructions executed per query over all its paths before giving up (default 100,000). */
  readonly budget?: number;
  /**
   * Instructions executed over the whole explanation (default 2,000,000).
   * Once spent, each remaining query still gets MIN_QUERY_BUDGET steps: a
   * filter whose every syscall explodes finishes in seconds, and syscalls
   * with few paths stay exact.
   */
  readonly totalBudget?: number;
}

export const DEFAULT_TOTAL_BUDGET = 2_000_000;
export const MIN_QUERY_BUDGET = 2_000;


/** A syscall table as (name, nr) in number order; undefined when seccheck has none for the ABI. */
export function syscallTable(abi: ArchInfo): { name: string; nr: number }[] | undefined {
  const t = SYSCALL_TABLES[abi.name];
  if (t === undefined) return undefined;
  return Object.entries(t.numbers)
    .map(([name, nr]) => ({ name, nr: nr | 0 }))
    .sort((a, b) => (a.nr >>> 0) - (b.nr >>> 0) || a.name.localeCompare(b.name));
}

type ActionClass = 'allowed' | 'denied' | 'mediated';
/** ALLOW/LOG run the syscall; KILL, TRAP, ERRNO (and unknown values) stop it; TRACE and USER_NOTIF ask someone. */
export function actionClass(raw: number): ActionClass {
  const a = decodeAction(raw);
  if (a.kind === 'ALLOW' || a.kind === 'LOG') return 'allowed';
  if (a.kind === 'TRACE' || a.kind === 'USER_NOTIF') return 'mediated';
  return 'denied';
}

interface Ctx {
  readonly program: Program;
  readonly compiled: CompiledFilter;
  readonly arch: ArchInfo;
  readonly fields: readonly Field[];
  readonly budget: number;
  /** Steps left of the total budget. */
  totalLeft: number;
  witnesses: number;
  readonly failures: string[];
  /** Explorations that never loaded nr, by arch value: they hold for every nr. */
  readonly nrFree: Map<number, Exploration>;
  readonly stats: { queries: number; steps: number; maxQuerySteps: number; incomplete: number };
}

interface Query {
  /** Name for witnesses and messages: "x86_64", "x32", "foreign". */
  readonly label: string;
  readonly concrete: (number | undefined)[];
  readonly initial?: ReadonlyMap<number, readonly Atom[]>;
}

const concreteFor = (nr: number, auditArch: number): (number | undefined)[] => {
  const c = new Array<number | undefined>(SECCOMP_DATA_WORDS).fill(undefined);
  c[0] = nr >>> 0;
  c[1] = auditArch >>> 0;
  return c;
};

/** What a path returns, as a key and as text. */
function pathAction(p: SymPath, fields: readonly Field[]): { key: string; text: string; raw: number | null } {
  if (p.result.kind === 'ret') return { key: `r${p.result.raw}`, text: formatAction(p.result.raw), raw: p.result.raw };
  const text = `returns ${formatExpr(p.result.value.kind === 'masked' && p.result.value.mask === 0xffffffff ? { op: 'word', w: p.result.value.w } : valueExpr(p.result.value), fields)}`;
  return { key: `a${text}`, text, raw: null };
}

function valueExpr(v: Extract<SymPath['result'], { kind: 'ret_a' }>['value']): Expr {
  if (v.kind === 'opaque') return v.e;
  return { op: 'and', a: { op: 'word', w: v.w }, b: { op: 'const', v: v.mask } };
}


/**
 * Words satisfying a path's atoms (smallest values; for a symbolic arch word
 * a known AUDIT_ARCH, one with the explained arch's byte order first), and
 * its opaque conditions if a search finds them.
 */
function witnessWords(ctx: Ctx, p: SymPath, q: Query, seed: number, overrides?: ReadonlyMap<number, number>): Uint32Array | null {
  const words = new Uint32Array(SECCOMP_DATA_WORDS);
  for (let w = 0; w < SECCOMP_DATA_WORDS; w++) {
    const c = q.concrete[w] ?? overrides?.get(w);
    if (c !== undefined) {
      words[w] = c;
      continue;
    }
    const atoms = p.words[w];
    if (w === 1) {
      const known = [...ARCHES].sort((a, b) => Number(a.endian !== ctx.arch.endian) - Number(b.endian !== ctx.arch.endian))
        .find((a) => atoms.every((x) => holds(x, a.auditArch)));
      if (known !== undefined) {
        words[w] = known.auditArch;
        continue;
      }
    }
    if (atoms.length === 0) continue;
    const v = solve(atoms);
    if (typeof v !== 'number') return null;
    words[w] = v;
  }
  if (p.opaque.length === 0 || pathHolds(p, words)) return words;
  // Search: vary the symbolic words within their atoms.
  const free = [...Array(SECCOMP_DATA_WORDS).keys()].filter((w) => q.concrete[w] === undefined);
  const consts: number[] = [0, 1, 0xffffffff];
  const collect = (e: Expr): void => {
    if (e.op === 'const') consts.push(e.v, (e.v + 1) >>> 0, (e.v - 1) >>> 0);
    else if (e.op !== 'word') {
      collect(e.a);
      if (e.op !== 'neg') collect(e.b);
    }
  };
  for (const c of p.opaque) {
    collect(c.a);
    collect(c.b);
  }
  const rand = prng(seed);
  for (let attempt = 0; attempt < 512; attempt++) {
    const ws = words.slice();
    let ok = true;
    for (const w of free) {
      const prefer = attempt < consts.length * 2 && rand() & 1 ? consts[rand() % consts.length] : rand();
      const v = solve(p.words[w], { prefer });
      if (typeof v !== 'number') {
        ok = false;
        break;
      }
      ws[w] = v;
    }
    if (ok && pathHolds(p, ws)) return ws;
  }
  return null;
}

/** Build and check the witness of a path: the compiled filter must return what the path returns. */
function makeWitness(ctx: Ctx, p: SymPath, q: Query, seed: number, overrides?: ReadonlyMap<number, number>): Witness | null {
  const words = witnessWords(ctx, p, q, seed, overrides);
  if (words === null) return null;
  const raw = ctx.compiled(words) >>> 0;
  const expected = pathReturn(p, words);
  const verified = raw === expected;
  ctx.witnesses++;
  // The data a case line for that ABI describes: laid out in its byte order, it gives these words.
  const named = q.label !== 'foreign' ? archByName(q.label) : ARCHES.find((a) => a.auditArch === words[1] && a.nrBits === 0);
  const data = seccompDataFromWords(words, named?.endian ?? ctx.arch.endian);
  const abi = named?.name ?? '0x' + words[1].toString(16);
  if (!verified) {
    ctx.failures.push(`${q.label} nr ${data.nr}: the analysis says ${formatAction(expected)} at instruction ${p.pc}, the emulator returns ${formatAction(raw)}`);
  }
  return { abi, data, raw, verified };
}

interface Draft {
  group: string;
  conds: Map<string, FieldCond>;
  path: SymPath;
  index: number;
}

function firstPerAction(paths: readonly SymPath[], fields: readonly Field[]): SymPath[] {
  const seen = new Map<string, SymPath>();
  for (const p of paths) {
    const k = pathAction(p, fields).key;
    if (!seen.has(k)) seen.set(k, p);
  }
  return [...seen.values()];
}

/** The verdict of one exploration. */
function verdictOf(ctx: Ctx, ex: Exploration, q: Query): Verdict {
  // An incomplete query shows one example path per action it has seen.
  const paths = ex.complete ? ex.paths : firstPerAction(ex.paths, ctx.fields);
  const actions = paths.map((p) => pathAction(p, ctx.fields));
  if (ex.complete && paths.length > 0 && actions.every((a) => a.key === actions[0].key)) {
    return { kind: 'action', action: actions[0].text, raw: actions[0].raw, witness: makeWitness(ctx, paths[0], q, 1) };
  }
  const drafts: Draft[] = paths.map((p, i) => ({
    group: actions[i].key + (p.opaque.length > 0 || p.undecided ? `#${i}` : ''),
    conds: pathConds(ctx.fields, p.words),
    path: p,
    index: i,
  }));
  const merged = mergeEntries(drafts, ctx.fields);
  const entries: Entry[] = merged.map((d) => {
    const conditions: string[] = [];
    for (const f of ctx.fields) {
      const c = d.conds.get(f.name);
      if (c) conditions.push(...fieldConditions(f, c));
    }
    for (const o of d.path.opaque) conditions.push(formatOpaque(o, ctx.fields));
    const a = actions[d.index];
    return {
      conditions,
      action: a.text,
      raw: a.raw,
      witness: makeWitness(ctx, d.path, q, d.index + 1, setMinima(ctx.fields, d.conds)),
      simplified: d.path.opaque.length === 0 && !d.path.undecided,
      divByZero: d.path.result.kind === 'ret' && d.path.result.divByZero,
    };
  });
  return { kind: ex.complete ? 'depends' : 'incomplete', entries };
}

/**
 * For fields that are exact sets (possibly the union of several merged
 * paths), the words of the set's smallest value: any value of the union
 * takes one of the merged paths, all with the same action.
 */
function setMinima(fields: readonly Field[], conds: ReadonlyMap<string, FieldCond>): Map<number, number> {
  const out = new Map<number, number>();
  for (const f of fields) {
    const c = conds.get(f.name);
    if (c?.kind !== 'set' || c.set.length === 0) continue;
    const v = c.set[0][0];
    out.set(f.lo, Number(v & 0xffffffffn));
    if (f.hi !== undefined && c.view === 'whole') out.set(f.hi, Number(v >> 32n));
  }
  return out;
}

function run(ctx: Ctx, q: Query): Verdict {
  const arch = q.concrete[1];
  const reusable = q.initial === undefined && q.concrete[0] !== undefined && arch !== undefined;
  let ex = reusable ? ctx.nrFree.get(arch) : undefined;
  if (ex === undefined) {
    const budget = Math.max(MIN_QUERY_BUDGET, Math.min(ctx.budget, ctx.totalLeft));
    ex = explorePaths(ctx.program, { concrete: q.concrete, initial: q.initial, budget });
    ctx.totalLeft = Math.max(0, ctx.totalLeft - ex.steps);
    ctx.stats.queries++;
    ctx.stats.steps += ex.steps;
    ctx.stats.maxQuerySteps = Math.max(ctx.stats.maxQuerySteps, ex.steps);
    if (!ex.complete) ctx.stats.incomplete++;
    if (reusable && (ex.loaded & 1) === 0) ctx.nrFree.set(arch, ex);
  }
  return verdictOf(ctx, ex, q);
}

function newCtx(program: Program, arch: ArchInfo, opts: ExplainOptions): Ctx {
  return {
    program, compiled: compileFilter(program, { check: false }), arch, fields: seccompFields(arch.endian),
    budget: opts.budget ?? DEFAULT_STEP_BUDGET, totalLeft: opts.totalBudget ?? DEFAULT_TOTAL_BUDGET,
    witnesses: 0, failures: [], nrFree: new Map(), stats: { queries: 0, steps: 0, maxQuerySteps: 0, incomplete: 0 },
  };
}

function explainAbi(ctx: Ctx, abi: ArchInfo, table: readonly { name: string; nr: number }[]): SyscallVerdict[] {
  const byNr = new Map<number, Verdict>();
  return table.map(({ name, nr }) => {
    let v = byNr.get(nr);
    if (v === undefined) {
      v = run(ctx, { label: abi.name, concrete: concreteFor(nr, abi.auditArch) });
      byNr.set(nr, v);
    }
    return { name, nr, verdict: v };
  });
}

/** AUDIT_ARCH values the program compares the arch word with (JEQ K where A may hold seccomp_data.arch). */
export function namedAuditArches(program: Program): number[] {
  const facts = knownArch(program);
  const out = new Set<number>();
  program.forEach((ins, pc) => {
    if (ins.code === OP.JMP_JEQ_K && facts[pc].aMayBeArch) out.add(ins.k >>> 0);
  });
  return [...out];
}

/**
 * The verdict for one syscall number of an ABI, whether or not it is in a
 * table (libseccomp's tests use numbers like 1000).
 */
export function explainSyscall(program: Program, abi: ArchInfo, nr: number, opts: ExplainOptions = {}): Verdict {
  const check = checkFilter(program);
  if (!check.accepted) throw new SeccheckError(undefined, undefined, `the kernel rejects this program: ${check.errno} at instruction ${check.insn ?? '-'}: ${check.reason}`);
  const ctx = newCtx(program, abi, opts);
  const v = run(ctx, { label: abi.name, concrete: concreteFor(nr, abi.auditArch) });
  if (ctx.failures.length) throw new Error(`explain self-check failed: ${ctx.failures.join('; ')}`);
  return v;
}

/**
 * The arch to explain when --arch is not given: the one the input declares,
 * else one the program's arch check names (the host's if it names it, a
 * 64-bit one before a 32-bit one), else the host's; only arches with a table.
 */
export function chooseArch(program: Program, declared: ArchInfo | null, host: ArchInfo | undefined = hostArch()): ArchInfo | undefined {
  if (declared) return declared;
  const named = namedAuditArches(program)
    .flatMap((v) => ARCHES.filter((a) => a.auditArch === v && a.nrBits === 0 && syscallTable(a) !== undefined));
  if (named.length > 0) {
    if (host && named.some((a) => a.name === host.name)) return host;
    return named.find((a) => a.bits === 64) ?? named[0];
  }
  return host && syscallTable(host) ? host : undefined;
}

/** A run of the program for every syscall of `arch`'s table, and everything around it. */
export function explainProgram(program: Program, arch: ArchInfo, opts: ExplainOptions = {}): Explanation {
  const check = checkFilter(program);
  if (!check.accepted) throw new SeccheckError(undefined, undefined, `the kernel rejects this program: ${check.errno} at instruction ${check.insn ?? '-'}: ${check.reason}`);
  const table = syscallTable(arch);
  if (table === undefined) {
    throw new SeccheckError(undefined, '--arch', `no syscall table for ${arch.name} (seccheck has: ${Object.keys(SYSCALL_TABLES).join(', ')})`);
  }
  const ctx = newCtx(program, arch, opts);
  const syscalls = explainAbi(ctx, arch, table);

  // Foreign arch: any arch value the filter does not name, any nr, any args.
  const excluded = namedAuditArches(program);
  const foreignConcrete = new Array<number | undefined>(SECCOMP_DATA_WORDS).fill(undefined);
  const foreign = {
    excluded,
    verdict: run(ctx, { label: 'foreign', concrete: foreignConcrete, initial: new Map([[1, excluded.map((v) => ne(0xffffffff, v))]]) }),
  };

  let x32: AbiExplanation | undefined;
  const x32Abi = archByName('x32')!;
  const x32Table = arch.name === 'x86_64' ? syscallTable(x32Abi) : undefined;
  if (x32Table) x32 = { abi: x32Abi, syscalls: explainAbi(ctx, x32Abi, x32Table) };

  let compat: AbiExplanation | undefined;
  const compatAbi = compatArch(arch.name);
  const compatTable = compatAbi && syscallTable(compatAbi);
  if (compatAbi && compatTable) compat = { abi: compatAbi, syscalls: explainAbi(ctx, compatAbi, compatTable) };

  const findings = computeFindings(ctx, arch, syscalls, x32, compat);
  return {
    arch, thread: opts.thread ?? null, instructions: program.length, syscalls, foreign, x32, compat, findings,
    stats: { ...ctx.stats },
    selfCheck: { witnesses: ctx.witnesses, failures: ctx.failures },
  };
}

// ---------------------------------------------------------------- findings

/** The action when every path stops the syscall (KILL, TRAP, ERRNO), else undefined. */
function deniedAction(v: Verdict): string | undefined {
  return v.kind === 'action' && v.raw !== null && actionClass(v.raw) === 'denied' ? v.action : undefined;
}

/** Some way the syscall runs: its action, the conditions and a checked witness. */
function allowedWay(v: Verdict): { action: string; conditions: readonly string[]; witness: Witness } | undefined {
  if (v.kind === 'action') {
    return v.raw !== null && actionClass(v.raw) === 'allowed' && v.witness?.verified ? { action: v.action, conditions: [], witness: v.witness } : undefined;
  }
  const e = v.entries.find((x) => x.raw !== null && actionClass(x.raw) === 'allowed' && x.witness?.verified);
  return e && { action: e.action, conditions: e.conditions, witness: e.witness! };
}

const when = (conditions: readonly string[]): string => (conditions.length ? ` when ${conditions.join(' && ')}` : '');
const hexNr = (nr: number): string => '0x' + (nr >>> 0).toString(16);
const compatLabel = (abi: ArchInfo): string => (abi.name === 'x86' ? 'i386' : abi.name);

function computeFindings(
  ctx: Ctx, arch: ArchInfo, syscalls: readonly SyscallVerdict[], x32: AbiExplanation | undefined, compat: AbiExplanation | undefined,
): Finding[] {
  const out: Finding[] = [];
  const native = new Map(syscalls.map((s) => [s.name, s]));
  const denied = syscalls.filter((s) => deniedAction(s.verdict) !== undefined);

  // (a) x32 numbers of denied syscalls that run; (b) the compat ABI's numbers of denied syscalls that run.
  const bypass = (abi: AbiExplanation, kind: FindingKind, label: string, nrText: (nr: number) => string): void => {
    const other = new Map(abi.syscalls.map((s) => [s.name, s]));
    for (const s of denied) {
      const o = other.get(s.name);
      const way = o && allowedWay(o.verdict);
      if (!o || !way) continue;
      out.push({
        kind, syscall: s.name, witness: way.witness,
        detail: `${s.name} is denied on ${arch.name} (${deniedAction(s.verdict)}), but ${label} ${s.name} (nr ${nrText(o.nr)}) gets ${way.action}${when(way.conditions)}`,
      });
    }
  };
  if (x32) bypass(x32, 'x32-bypass', 'x32', hexNr);
  // Only where the filter does not check for the compat arch: a filter that names it has compat rules on purpose.
  if (compat && !namedAuditArches(ctx.program).includes(compat.abi.auditArch)) {
    bypass(compat, `${compatLabel(compat.abi)}-bypass`, compatLabel(compat.abi), (nr) => String(nr));
  }

  // (c) siblings: one member of a family denied, another allowed.
  for (const fam of SIBLING_FAMILIES) {
    const members = fam.members.map((m) => native.get(m)).filter((s): s is SyscallVerdict => s !== undefined);
    const deniedMembers = members.filter((s) => deniedAction(s.verdict) !== undefined);
    if (deniedMembers.length === 0) continue;
    const deniedText = deniedMembers.map((s) => `${s.name} (${deniedAction(s.verdict)})`).join(', ');
    for (const s of members) {
      const way = allowedWay(s.verdict);
      if (!way) continue;
      out.push({
        kind: 'sibling', syscall: s.name, witness: way.witness,
        detail: `${deniedText} denied, but ${s.name} gets ${way.action}${when(way.conditions)}; it ${fam.effect}`,
      });
    }
    if (!fam.cloneNamespaceFlags) continue;
    const clone = native.get('clone');
    if (clone) {
      const fields = seccompFields(arch.endian);
      const arg = cloneFlagsArg(arch.name);
      const word = fields.find((f) => f.name === `args[${arg}]`)!.lo;
      const passing: string[] = [];
      let witness: Witness | undefined;
      for (const flag of CLONE_NAMESPACE_FLAGS) {
        const v = run(ctx, { label: arch.name, concrete: concreteFor(clone.nr, arch.auditArch), initial: new Map([[word, [ne(flag.bit, 0)]]]) });
        const way = allowedWay(v);
        if (!way) continue;
        passing.push(flag.name);
        witness ??= way.witness;
      }
      if (witness) {
        out.push({
          kind: 'sibling', syscall: 'clone', witness,
          detail: `${deniedText} denied, but clone with ${passing.join(', ')} in args[${arg}] is allowed; it ${fam.effect}`,
        });
      }
    }
    const clone3 = native.get('clone3');
    const way3 = clone3 && allowedWay(clone3.verdict);
    if (clone3 && way3) {
      out.push({
        kind: 'sibling', syscall: 'clone3', witness: way3.witness,
        detail: `${deniedText} denied, but clone3 gets ${way3.action}${when(way3.conditions)}; its flags sit in a struct in memory that no filter can read, so CLONE_NEW* pass and it ${fam.effect}`,
      });
    }
  }
  return out;
}
