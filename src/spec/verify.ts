// seccheck verify as a library: check a filter against a spec, expectation
// by expectation and arch by arch. Exact where the explain analysis decides
// (a syscall's verdict is one action, or every path's action satisfies the
// expectation, or a path that breaks it has a witness the expectation
// decides); otherwise a deterministic fixed-seed sampling of that syscall's
// argument space built from the filter's and the spec's own constants, and
// the result says "sampled". Every counterexample was run on the compiled
// engine. With engine 'kernel' or 'both', every concrete case an expectation
// was decided on (witnesses, samples, counterexamples) also runs on each
// confirming engine (the kernel engine by default; a VM, a container), one
// run call per arch (one runMany call, so one VM boot, where the engine has
// it), and each engine's Outcome judges the expectation ('both': a
// disagreement with the emulator fails it too).
import {
  ARCHES, __X32_SYSCALL_BIT, actionOutcome, archByName, archesByAuditArch, compileFilter, decodeAction, DEFAULT_CONTEXT, formatAction, formatOutcome,
  seccompData, seccompDataFromWords, seccompDataWords, SECCOMP_DATA_WORDS, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF,
  type ArchInfo, type CompiledFilter, type Outcome, type Program, type SeccompData,
} from 'unicorn-bpf-emulator';
import { outcomesEqual } from '../engines/compare.js';
import type { Engine, EngineCase, EngineOutcome } from '../engines/engine.js';
import { engineCaseOf } from '../engines/engine_case.js';
import { formatEngineOutcome, outcomeRecord } from '../engines/format.js';
import { kernel as defaultKernelEngine, requireKernelEngine } from '../engines/kernel.js';
import { kernelAbi, stackReadsInstructionPointer } from '../engines/kernel_skip.js';
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
  /** --engine kernel|both: what the kernel showed for this data ('skipped': it could not make it; the emulator's judgement stands). */
  readonly kernel?: EngineOutcome;
  /** --engine both: the emulator and the kernel disagree on this data; that is the failure. */
  readonly disagreement?: boolean;
  /** The confirming engine `kernel` comes from, when it is not the kernel engine ("vm:aarch64"). */
  readonly engine?: string;
}

/** Where verify runs its concrete cases: the emulator (default), the kernel, or both, compared. */
export type VerifyEngine = 'emulator' | 'kernel' | 'both';

/** What the kernel engine did for the concrete cases of an expectation (or of a whole run). */
export interface KernelCounts {
  /** Concrete cases sent to the kernel engine (per expectation: as decided; per run: distinct cases). */
  readonly cases: number;
  /** Of those, the kernel could not make (foreign arches, instruction pointers, probe skips). */
  readonly skipped: number;
  /** --engine both: of those, the kernel showed something else than the emulator. */
  readonly disagree: number;
}

export interface ExpectationResult {
  readonly expectation: Expectation;
  readonly pass: boolean;
  /** Some case was decided by sampling instead of the exact analysis. */
  readonly sampled: boolean;
  /** Cases (arch x syscall) checked. */
  readonly cases: number;
  readonly counterexample?: Counterexample;
  /** --engine kernel|both: over all confirming engines. */
  readonly kernel?: KernelCounts;
  /** Two or more confirming engines: each one's counts, by name. */
  readonly engines?: Readonly<Record<string, KernelCounts>>;
}

export interface VerifyResult {
  readonly spec: string;
  readonly filter: string;
  readonly engine: VerifyEngine;
  readonly results: readonly ExpectationResult[];
  readonly pass: boolean;
  /** --engine kernel|both: distinct cases run on the confirming engines (summed over them). */
  readonly kernel?: KernelCounts;
  /** The confirming engines' names, in order (absent with the emulator alone). */
  readonly confirmedBy?: readonly string[];
  /** Two or more confirming engines: each one's counts, by name. */
  readonly engines?: Readonly<Record<string, KernelCounts>>;
}

export interface VerifyOptions {
  /** Overrides the spec's filter. */
  readonly filter?: string;
  /** Cases sampled per syscall when the analysis cannot decide (default 4000). */
  readonly samples?: number;
  /** Default 'emulator'. 'kernel' and 'both' throw KernelUnavailableError where the kernel engine cannot run. */
  readonly engine?: VerifyEngine;
  /** The engine standing for the kernel (default: the kernel engine); tests put a stand-in here. */
  readonly kernelEngine?: Engine;
  /** The confirming engines (a VM, a container, the kernel), each judged as kernelEngine is; overrides kernelEngine. */
  readonly engines?: readonly Engine[];
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
  /** With a kernel engine: the concrete cases this decision rests on. */
  readonly probes?: readonly Probe[];
}

/** A concrete case an expectation was decided on, to run on the kernel too. */
interface Probe {
  readonly run: ArchRun;
  /** Counterexample label ("x86_64", "x32", "foreign", ...). */
  readonly label: string;
  readonly data: SeccompData;
  /** What the compiled filter returned. */
  readonly raw: number;
  readonly matcher: ActionMatcher;
}

const U64 = (1n << 64n) - 1n;

export function verifySpec(spec: Spec, opts: VerifyOptions = {}): VerifyResult {
  const filterFile = opts.filter ?? spec.filter;
  if (filterFile === undefined) throw new SeccheckError(spec.file, undefined, 'the spec names no filter; give one with --filter');
  const samples = opts.samples ?? 4000;
  const engine = opts.engine ?? 'emulator';
  if (engine !== 'emulator' && opts.kernelEngine === undefined && opts.engines === undefined) requireKernelEngine();
  const collect = engine !== 'emulator';
  const confirming = opts.engines ?? [opts.kernelEngine ?? defaultKernelEngine];
  if (collect && confirming.length === 0) throw new Error('verifySpec: no confirming engine');
  // The kernels the confirming engines run on decide which foreign ABIs they can make (kernelForeignProbes).
  const kernelArches = [...new Set(confirming.map((c) => c.kernelArch ?? process.arch))];
  const runs = spec.arches.map((abi) => archRun(spec, filterFile, abi));
  const specConstants = spec.expect.flatMap((e) => (e.kind === 'syscalls' ? e.args.flatMap((a) => a.conds.flatMap((c) => (c.kind === 'mask' ? [c.mask, c.value] : [c.value]))) : []));

  const decided: (readonly CaseOutcome[])[] = [];
  spec.expect.forEach((e, idx) => {
    const earlierExp = spec.expect.slice(0, idx);
    const outcomes: CaseOutcome[] = [];
    // An earlier expectation of the same kind (foreign_arch, x32, default) decides first.
    const shadowed = e.kind !== 'syscalls' && earlierExp.some((x) => x.kind === e.kind);
    for (const r of runs) {
      if (shadowed) break;
      const pool = valuePool(r.constants, specConstants);
      const checkSyscall = (abi: ArchInfo, label: string, nr: number, verdict: Verdict | undefined, conds: readonly ArgConds[] | null, earlier: readonly (readonly ArgConds[])[]): void => {
        outcomes.push(checkCase({ run: r, abi, label, nr, verdict, conds: conds ?? [], earlier, matcher: e.action, pool, samples, collect }));
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
        const foreign = checkCase({ run: r, abi: r.abi, label: 'foreign', nr: 0, verdict: r.explanation.foreign.verdict, conds: [], earlier: [], matcher: e.action, pool, samples, collect });
        outcomes.push(notListed(foreign, r, spec, e.action, kernelArches));
        // Arches the filter names that the spec does not list are foreign too.
        for (const v of r.explanation.foreign.excluded) {
          if (spec.arches.some((a) => a.auditArch === v)) continue;
          for (const other of archesByAuditArch(v)) {
            if (other.nrBits !== 0) continue;
            const table = syscallTable(other);
            if (table === undefined) {
              outcomes.push(sampleNumbers(r, other, e.action, collect));
              continue;
            }
            const ex = explainProgram(r.program, other, {});
            for (const s of ex.syscalls) checkSyscall(other, other.name, s.nr, s.verdict, null, []);
          }
        }
      }
    }
    decided.push(outcomes);
  });
  if (engine === 'emulator') {
    const results = spec.expect.map((e, i) => emulatorResult(e, decided[i]));
    return { spec: spec.file, filter: filterFile, engine, results, pass: results.every((r) => r.pass) };
  }
  const named = (c: Engine): string | undefined => (c.name === 'kernel' ? undefined : c.name);
  const onEngines = confirming.map((c) => runProbes(runs, decided.flat(), c));
  const results = spec.expect.map((e, i) => combineResults(confirming.map((c, k) => kernelResult(e, decided[i], onEngines[k], engine, named(c))), confirming));
  return {
    spec: spec.file, filter: filterFile, engine, results, pass: results.every((r) => r.pass),
    kernel: sumCounts(onEngines.map((o) => o.counts)), confirmedBy: confirming.map((c) => c.name),
    ...(confirming.length > 1 ? { engines: countsByEngine(confirming, onEngines.map((o) => o.counts)) } : {}),
  };
}

const sumCounts = (cs: readonly KernelCounts[]): KernelCounts =>
  cs.reduce((a, c) => ({ cases: a.cases + c.cases, skipped: a.skipped + c.skipped, disagree: a.disagree + c.disagree }), { cases: 0, skipped: 0, disagree: 0 });

const countsByEngine = (engines: readonly Engine[], counts: readonly KernelCounts[]): Record<string, KernelCounts> =>
  Object.fromEntries(engines.map((e, k) => [e.name, counts[k]]));

/** One expectation over every confirming engine: it holds if it holds on each; the first engine that fails it gives the counterexample. */
function combineResults(rs: readonly ExpectationResult[], engines: readonly Engine[]): ExpectationResult {
  if (rs.length === 1) return rs[0];
  const failed = rs.find((r) => !r.pass);
  const { counterexample: _cx, ...first } = rs[0];
  return {
    ...first,
    pass: failed === undefined,
    ...(failed?.counterexample ? { counterexample: failed.counterexample } : {}),
    kernel: sumCounts(rs.map((r) => r.kernel!)),
    engines: countsByEngine(engines, rs.map((r) => r.kernel!)),
  };
}

/** The emulator's result: the first failing case decides. */
function emulatorResult(e: Expectation, outcomes: readonly CaseOutcome[]): ExpectationResult {
  const failed = outcomes.find((o) => !o.pass);
  return {
    expectation: e,
    pass: failed === undefined,
    sampled: outcomes.some((o) => o.sampled),
    cases: outcomes.length,
    ...(failed?.counterexample ? { counterexample: failed.counterexample } : {}),
  };
}

interface KernelRuns {
  /** Kernel outcome per probe, by arch run and caseKey. */
  readonly byRun: ReadonlyMap<ArchRun, ReadonlyMap<string, EngineOutcome>>;
  readonly counts: KernelCounts;
}

const caseKey = (d: SeccompData): string => `${d.arch >>> 0}:${d.nr | 0}:${d.args.join(',')}:${d.instruction_pointer}`;


/**
 * Every distinct probe of an arch run, in first-seen order, in one
 * kernel.run call per arch run, or one kernel.runMany call for all of them.
 */
function runProbes(runs: readonly ArchRun[], outcomes: readonly CaseOutcome[], kernel: Engine): KernelRuns {
  const byRun = new Map<ArchRun, Map<string, EngineOutcome>>();
  let cases = 0;
  let skipped = 0;
  let disagree = 0;
  const pending: { r: ArchRun; keys: string[]; batch: EngineCase[]; raws: number[]; results: Map<string, EngineOutcome> }[] = [];
  for (const r of runs) {
    const readsIp = stackReadsInstructionPointer([r.program]);
    const keys: string[] = [];
    const batch: EngineCase[] = [];
    const raws: number[] = [];
    const results = new Map<string, EngineOutcome>();
    for (const o of outcomes) {
      for (const p of o.probes ?? []) {
        if (p.run !== r) continue;
        const key = caseKey(p.data);
        if (results.has(key)) continue;
        const c = engineCaseOf(p.data, readsIp ? p.data.instruction_pointer : 0n);
        if (c === undefined) {
          results.set(key, { kind: 'skipped', reason: `arch 0x${(p.data.arch >>> 0).toString(16)} is no ABI a kernel runs` });
        } else {
          results.set(key, { kind: 'skipped', reason: 'pending' });
          keys.push(key);
          batch.push(c);
          raws.push(p.raw);
        }
      }
    }
    pending.push({ r, keys, batch, raws, results });
  }
  const toRun = pending.filter((p) => p.batch.length > 0);
  const { runMany } = kernel;
  const answers = runMany !== undefined && toRun.length > 0
    ? runMany.call(kernel, toRun.map((p) => ({ stack: [p.r.program], cases: p.batch })))
    : toRun.map((p) => kernel.run([p.r.program], p.batch));
  toRun.forEach(({ keys, batch, raws, results }, j) => {
    const got = answers[j];
    if (got.length !== batch.length) throw new Error(`the ${kernel.name} engine returned ${got.length} outcomes for ${batch.length} cases`);
    got.forEach((k, i) => {
      results.set(keys[i], k);
      if (k.kind !== 'skipped' && !outcomesEqual(emulatorOutcome(raws[i], batch[i].nr, batch[i].arch.auditArch), k)) disagree++;
    });
  });
  for (const { r, results } of pending) {
    for (const k of results.values()) {
      cases++;
      if (k.kind === 'skipped') skipped++;
    }
    byRun.set(r, results);
  }
  return { byRun, counts: { cases, skipped, disagree } };
}

/** What the emulator's action means for the process: the kernel probe's context (one thread, no tracer, no listener, a SIGSYS handler). */
const emulatorOutcome = (raw: number, nr: number, arch: number): Outcome => actionOutcome(decodeAction(raw), { nr, arch }, DEFAULT_CONTEXT);

/**
 * The actions that show `o` in the probe's context. Some are
 * indistinguishable from outside: ALLOW and LOG both run the syscall,
 * KILL_THREAD of a single-threaded process kills the process, TRACE's data
 * needs a tracer to read. An outcome that is no action's (timeout, a stack
 * the kernel refused) has none.
 */
function actionsShowing(o: EngineOutcome): number[] {
  switch (o.kind) {
    case 'allowed':
    case 'executed':
      return [SECCOMP_RET_ALLOW, SECCOMP_RET_LOG];
    case 'killed':
      return o.scope === 'process' ? [SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD] : [SECCOMP_RET_KILL_THREAD];
    case 'trap':
      return [(SECCOMP_RET_TRAP | (o.si_errno & 0xffff)) >>> 0];
    case 'errno':
      return [(SECCOMP_RET_ERRNO | o.errno) >>> 0];
    case 'enosys':
    case 'traced':
    case 'notified': {
      const trace = o.kind === 'traced' || (o.kind === 'enosys' && o.action === 'TRACE');
      // Two TRACE values: a TRACE(data) expectation is then ambiguous unless the emulator settles it.
      return trace ? [SECCOMP_RET_TRACE, (SECCOMP_RET_TRACE | 1) >>> 0] : [SECCOMP_RET_USER_NOTIF];
    }
    default:
      return [];
  }
}

/**
 * Does what the kernel showed meet the expectation? Yes when every action
 * that shows it matches, no when none does; when the kernel cannot tell
 * (LOG or ALLOW against "not ALLOW"), the emulator's action settles it if
 * the emulator shows the same outcome, else it fails.
 */
function kernelMatches(p: Probe, k: EngineOutcome): boolean {
  const arch = p.run.abi.name;
  const verdicts = actionsShowing(k).map((raw) => actionMatches(p.matcher, raw, arch));
  if (verdicts.length === 0) return false;
  if (verdicts.every(Boolean)) return true;
  if (!verdicts.some(Boolean)) return false;
  return outcomesEqual(emulatorOutcome(p.raw, p.data.nr, p.data.arch), k) && actionMatches(p.matcher, p.raw, arch);
}

/**
 * The result on the kernel: each case's probes judged by the kernel's
 * outcome (the emulator's where the kernel skipped one); with 'both' a
 * disagreement fails too. A case with no probe keeps the emulator's
 * decision. The first failing probe, in case order, is the counterexample.
 */
function kernelResult(e: Expectation, outcomes: readonly CaseOutcome[], onKernel: KernelRuns, engine: 'kernel' | 'both', engineName?: string): ExpectationResult {
  let cases = 0;
  let skipped = 0;
  let disagree = 0;
  let counterexample: Counterexample | undefined;
  let failed = false;
  for (const o of outcomes) {
    const probes = o.probes ?? [];
    if (probes.length === 0 && !o.pass) {
      failed = true;
      counterexample ??= o.counterexample;
    }
    for (const p of probes) {
      const k = onKernel.byRun.get(p.run)?.get(caseKey(p.data));
      if (k === undefined) throw new Error('a probe was not run on the kernel engine');
      cases++;
      const emulatorOk = actionMatches(p.matcher, p.raw, p.run.abi.name);
      const cx: Counterexample = { abi: p.label, data: p.data, raw: p.raw, kernel: k, ...(engineName === undefined ? {} : { engine: engineName }) };
      if (k.kind === 'skipped') {
        skipped++;
        if (!emulatorOk) {
          failed = true;
          counterexample ??= cx;
        }
        continue;
      }
      const differs = !outcomesEqual(emulatorOutcome(p.raw, p.data.nr, p.data.arch), k);
      if (differs) disagree++;
      if (engine === 'both' && differs) {
        failed = true;
        counterexample ??= { ...cx, disagreement: true };
      } else if (!kernelMatches(p, k)) {
        failed = true;
        counterexample ??= cx;
      }
    }
  }
  return {
    expectation: e,
    pass: !failed,
    sampled: outcomes.some((o) => o.sampled),
    cases: outcomes.length,
    ...(counterexample ? { counterexample } : {}),
    kernel: { cases, skipped, disagree },
  };
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
  /** Keep the concrete cases the decision rests on (for the kernel engine). */
  readonly collect: boolean;
}

/** Sampled inputs per case sent to the kernel: the first ones (pool values before random words), so a spec of many sampled syscalls stays a few seconds of probe time. */
const KERNEL_SAMPLES_PER_CASE = 1024;

/**
 * Decide a case; when collecting, also return its probes: the
 * counterexample, one input this expectation decides per witness of the
 * verdict (the witness itself when the expectation decides it), and the
 * sampled inputs it decides (the first KERNEL_SAMPLES_PER_CASE).
 */
function checkCase(c: CaseInput): CaseOutcome {
  if (!c.collect) return decideCase(c);
  const seen: SeccompData[] = [];
  const o = decideCase(c, (d) => {
    if (seen.length < KERNEL_SAMPLES_PER_CASE) seen.push(d);
  });
  const decides = (d: SeccompData): boolean => argsHold(c.conds, d.args) && c.earlier.every((e) => !argsHold(e, d.args));
  const v = c.verdict;
  const witnesses = v === undefined ? [] : v.kind === 'action' ? (v.witness ? [v.witness.data] : []) : v.entries.flatMap((en) => (en.witness ? [en.witness.data] : []));
  const bases = witnesses.length > 0 ? witnesses : [seccompData(c.nr, c.abi.auditArch)];
  const data: SeccompData[] = o.counterexample ? [o.counterexample.data] : [];
  for (const w of bases) {
    const d = decides(w) ? w : findDeciding({ ...c, samples: 0 }, [w], decides, () => true);
    if (d !== undefined) data.push(d);
  }
  data.push(...seen);
  const keys = new Set<string>();
  const probes: Probe[] = [];
  for (const d of data) {
    const key = caseKey(d);
    if (keys.has(key)) continue;
    keys.add(key);
    probes.push({ run: c.run, label: c.label, data: d, raw: c.run.compiled(seccompDataWords(d, c.abi.endian)) >>> 0, matcher: c.matcher });
  }
  return { ...o, probes };
}

/** checkCase's decision; `seen` gets every sampled input the expectation decides. */
function decideCase(c: CaseInput, seen?: (d: SeccompData) => void): CaseOutcome {
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
    const d = findDeciding(c, [v.witness?.data ?? base()], decides, () => true, seen);
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
    const d = findDeciding(c, bases.length ? bases : [base()], decides, (x) => !ok(run(x).raw), seen);
    return d ? failWith(run(d), true) : { pass: true, sampled: true };
  }
  // No verdict (a syscall explain did not cover): walk its paths, else sample.
  const exact = exactCheck(c, decides, run, ok);
  if (exact !== 'unknown') return exact;
  const d = findDeciding(c, [base()], decides, (x) => !ok(run(x).raw), seen);
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
function notListed(o: CaseOutcome, r: ArchRun, spec: Spec, m: ActionMatcher, kernelArches: readonly string[]): CaseOutcome {
  const cx = o.counterexample;
  const listed = new Set(spec.arches.map((a) => a.auditArch >>> 0));
  const named = new Set([...listed, ...r.explanation.foreign.excluded.map((v) => v >>> 0)]);
  // Probes with a listed arch are not foreign; the ABIs a kernel can make that no one names are, and the kernel can show them.
  const probes = o.probes === undefined ? undefined : [...o.probes.filter((p) => !listed.has(p.data.arch >>> 0)), ...kernelForeignProbes(o.probes, r, named, m, kernelArches)];
  const withProbes = (x: CaseOutcome, extra: readonly Probe[] = []): CaseOutcome => (probes === undefined ? x : { ...x, probes: [...extra, ...probes] });
  if (cx === undefined || !listed.has(cx.data.arch >>> 0)) return withProbes(o);
  for (const arch of [0x12345678, 0xdeadbeef, 0, 1]) {
    if (named.has(arch)) continue;
    const data = { ...cx.data, arch };
    const raw = r.compiled(seccompDataWords(data, r.abi.endian)) >>> 0;
    if (!actionMatches(m, raw, r.abi.name)) {
      return withProbes({ pass: false, sampled: true, counterexample: { abi: 'foreign', data, raw } }, [{ run: r, label: 'foreign', data, raw, matcher: m }]);
    }
  }
  return withProbes({ pass: true, sampled: true });
}

/** The foreign probes again with the arch of each ABI a confirming engine's kernel runs that no one names (i386 on an x86_64 kernel). */
function kernelForeignProbes(probes: readonly Probe[], r: ArchRun, named: ReadonlySet<number>, m: ActionMatcher, kernelArches: readonly string[]): Probe[] {
  const abis = ARCHES.filter((a) => a.nrBits === 0 && !named.has(a.auditArch >>> 0) && kernelArches.some((k) => kernelAbi(a.name, k) !== undefined));
  const base = probes.find((p) => !named.has(p.data.arch >>> 0));
  if (base === undefined) return [];
  return abis.map((a) => {
    const data = { ...base.data, arch: a.auditArch };
    return { run: r, label: 'foreign', data, raw: r.compiled(seccompDataWords(data, r.abi.endian)) >>> 0, matcher: m };
  });
}

const failWith = (cx: Counterexample, sampled: boolean): CaseOutcome => ({ pass: false, sampled, counterexample: cx });

/**
 * The first input (deterministic order) that this expectation decides and
 * `bad` accepts: every base with each argument set to each pool value, then
 * fixed-seed random combinations of pool values and random words.
 */
function findDeciding(
  c: CaseInput,
  bases: readonly SeccompData[],
  decides: (d: SeccompData) => boolean,
  bad: (d: SeccompData) => boolean,
  seen?: (d: SeccompData) => void,
): SeccompData | undefined {
  const test = (d: SeccompData): boolean => {
    if (!decides(d)) return false;
    seen?.(d);
    return bad(d);
  };
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
function sampleNumbers(r: ArchRun, other: ArchInfo, m: ActionMatcher, collect: boolean): CaseOutcome {
  const probes: Probe[] = [];
  for (let nr = 0; nr < 1024; nr++) {
    const d = seccompData(nr, other.auditArch);
    const raw = r.compiled(seccompDataWords(d, other.endian)) >>> 0;
    if (collect) probes.push({ run: r, label: other.name, data: d, raw, matcher: m });
    if (!actionMatches(m, raw, r.abi.name)) return { pass: false, sampled: true, counterexample: { abi: other.name, data: d, raw }, ...(collect ? { probes } : {}) };
  }
  return { pass: true, sampled: true, ...(collect ? { probes } : {}) };
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
  const cx = r.counterexample;
  if (r.pass || cx === undefined) return head + how;
  const data = `counterexample: ${formatCounterexample(cx)}`;
  if (cx.kernel === undefined) return `${head}${how}: got ${formatAction(cx.raw)}; ${data}`;
  const by = cx.engine ?? 'kernel';
  if (cx.disagreement) {
    const emulated = formatOutcome(actionOutcome(decodeAction(cx.raw), { nr: cx.data.nr, arch: cx.data.arch }, DEFAULT_CONTEXT));
    return `${head}${how}: emulator and ${by} disagree: emulator: ${formatAction(cx.raw)} (${emulated}); ${by}: ${formatEngineOutcome(cx.kernel)}; ${data}`;
  }
  return `${head}${how}: got ${formatAction(cx.raw)}; ${by}: ${formatEngineOutcome(cx.kernel)}; ${data}`;
}

/** "kernel: 120 cases, 3 skipped" (and ", 0 disagree" with --engine both); `label` names another confirming engine. */
export function formatKernelCounts(c: KernelCounts, engine: VerifyEngine, label = 'kernel'): string {
  return `${label}: ${c.cases} case${c.cases === 1 ? '' : 's'}, ${c.skipped} skipped${engine === 'both' ? `, ${c.disagree} disagree` : ''}`;
}

/** The counts lines of a result: one per confirming engine, under its name ("kernel: ..." for the kernel engine alone). */
export function formatEngineCounts(r: VerifyResult): string[] {
  if (r.kernel === undefined) return [];
  if (r.engines !== undefined) return Object.entries(r.engines).map(([name, c]) => formatKernelCounts(c, r.engine, name));
  return [formatKernelCounts(r.kernel, r.engine, r.confirmedBy?.[0] ?? 'kernel')];
}

export function resultRecord(r: ExpectationResult): Record<string, unknown> {
  const e = r.expectation;
  const cx = r.counterexample;
  return {
    line: e.line,
    expectation: describeExpectation(e),
    action: e.actionText,
    pass: r.pass,
    method: r.sampled ? 'sampled' : 'exact',
    cases: r.cases,
    ...(r.kernel ? { kernel: r.kernel } : {}),
    ...(r.engines ? { engines: r.engines } : {}),
    ...(cx
      ? {
        counterexample: {
          arch: cx.abi,
          audit_arch: '0x' + (cx.data.arch >>> 0).toString(16),
          nr: cx.data.nr,
          args: [...cx.data.args].map(hex64),
          ip: hex64(cx.data.instruction_pointer),
          got: formatAction(cx.raw),
          // --engine kernel|both: the kernel's outcome (null: skipped, with the reason).
          ...(cx.kernel === undefined ? {} : { kernel: outcomeRecord(cx.kernel) }),
          ...(cx.kernel?.kind === 'skipped' ? { kernel_skipped: cx.kernel.reason } : {}),
          ...(cx.disagreement ? { disagreement: true } : {}),
          ...(cx.engine === undefined ? {} : { engine: cx.engine }),
        },
      }
      : {}),
  };
}
