// Would the kernel accept these filters? One program at a time (checkFilter),
// or loaded in order into one task as a sandbox calling seccomp(2) once per
// filter would (seccompSetModeFilter: adds the MAX_INSNS_PER_PATH limit,
// ENOMEM). Inputs are any format loadFilter reads; a thread map gives one
// result per thread. With --engine kernel|both the same seccomp(2) calls are
// also made on the running kernel (in a probe child) and compared.
import { sandboxTask } from './engines/install_task.js';
import { checkFilter, seccompSetModeFilter, type Endian, type KernelVersion, type Program, type TaskState } from 'unicorn-bpf-emulator';
import { checkJobs } from './engines/batch.js';
import { compareCheckSteps, countComparisons, countOf, formatComparisonCounts, type Comparison } from './engines/compare.js';
import type { Engine, EngineCheckStep } from './engines/engine.js';
import { comparisonRecord } from './engines/format.js';
import { kernel as defaultKernelEngine } from './engines/kernel.js';
import { SeccheckError } from './errors.js';
import type { EngineChoice } from './evaluate.js';
import type { LoadedFilter, LoadedProgram, LoadOptions } from './formats/filter.js';
import { loadFilter, selectPrograms } from './formats/load.js';
import { installsNothing, nothingInstalledReason } from './formats/no_filter.js';
import { readSockFilter } from './formats/sock_filter.js';

/** The parts of a rejection a report shows. */
export interface Rejection {
  /** null: no errno, the caller was killed inside seccomp(2) by a filter installed before (see reason). */
  readonly errno: string | null;
  /** Instruction the rule fired on; null for rules about the whole program or stack. */
  readonly insn: number | null;
  readonly reason: string;
}

/** The kernel's answer to one seccomp(2) call. */
export interface KernelCheckOutcome {
  readonly accepted: boolean;
  readonly errno: string | null;
  readonly signal?: number;
  readonly timed_out?: true;
}

/** What the kernel engine showed for a program (--engine kernel|both). */
export interface KernelCheckSide {
  /**
   * The kernel's verdict on this program's seccomp(2) call; null when it made
   * none (nothing to install, not loaded). A call that did not return has
   * errno null and "signal" (the task died inside it: an earlier filter
   * killed the call) or "timed_out".
   */
  readonly outcome: KernelCheckOutcome | null;
  /** --engine both: compared with the emulator's verdict. */
  readonly comparison?: Comparison;
}

/** The fields every loaded program's result has. */
interface ProgramCheck {
  readonly file: string;
  readonly thread?: string | null;
  /** --engine kernel|both. */
  readonly onKernel?: KernelCheckSide;
}

/** One program's result. `thread` is its name in a thread map, null (or absent) for a single program. */
export type FileCheck =
  | (ProgramCheck & { readonly status: 'accepted'; readonly instructions: number; readonly ebpfLength: number })
  | (ProgramCheck & { readonly status: 'rejected'; readonly instructions: number; readonly rule: string } & Rejection)
  /** An empty program where the format means "install nothing" (boxlite, Firecracker, cellos disabled). */
  | (ProgramCheck & { readonly status: 'no_filter'; readonly reason: string })
  /** The file could not be read or decoded (missing, length not a multiple of 8, bad JSON, ...). */
  | { readonly file: string; readonly status: 'unreadable'; readonly error: SeccheckError }
  /** --stack: an earlier file failed, so this one was never loaded. */
  | (ProgramCheck & { readonly status: 'not_loaded'; readonly after: string });

export interface CheckFilesOptions extends LoadOptions {
  readonly endian?: Endian;
  /** Load the files in order into one task (seccomp(2) once per file). */
  readonly stack?: boolean;
  readonly kernel?: KernelVersion;
  /** For thread maps: check only this thread. */
  readonly thread?: string;
  /** Default 'emulator'. */
  readonly engine?: EngineChoice;
  /** The engine that stands for the kernel with 'kernel' and 'both' (default: the kernel engine). */
  readonly kernelEngine?: Engine;
}

/** One input's results, with what its loader warned about. */
export interface CheckedInput {
  /** The file, or the loaded filter's source for cellos. */
  readonly source: string;
  readonly warnings: readonly string[];
  readonly results: FileCheck[];
}

/** "EINVAL at instruction 3: reason" or "ENOMEM: reason". */
export function formatRejection(r: Rejection): string {
  return `${r.errno ?? 'killed by SIGSYS'}${r.insn === null ? '' : ` at instruction ${r.insn}`}: ${r.reason}`;
}

/** Read a raw filter file and require that the kernel would accept it. */
export function readAcceptedFilter(file: string, endian: Endian = 'little'): Program {
  const program = readSockFilter(file, endian);
  const r = checkFilter(program);
  if (!r.accepted) throw new SeccheckError(file, undefined, `rejected: ${formatRejection(r)}`);
  return program;
}

/**
 * Load an input in any format and require that the kernel accepts every
 * selected program (empty programs that install nothing pass).
 */
export function loadAcceptedPrograms(file: string | null, opts: LoadOptions & { readonly thread?: string } = {}): { loaded: LoadedFilter; programs: LoadedProgram[] } {
  const loaded = loadFilter(file, opts);
  const programs = selectPrograms(loaded, opts.thread);
  for (const p of programs) {
    if (installsNothing(loaded.format, p)) continue;
    const r = checkFilter(p.program);
    if (!r.accepted) throw new SeccheckError(loaded.source, undefined, `${p.thread === null ? '' : `thread ${JSON.stringify(p.thread)}: `}rejected: ${formatRejection(r)}`);
  }
  return { loaded, programs };
}

/** Check each file; one result per program, in order. Only unexpected errors are thrown. */
export function checkFiles(files: readonly string[], opts: CheckFilesOptions = {}): FileCheck[] {
  return checkInputs(files, opts).flatMap((i) => i.results);
}

/** A loaded input (or why it could not be loaded), ready to check. */
interface Loaded {
  readonly source: string;
  readonly loaded: LoadedFilter | SeccheckError;
  readonly programs: readonly LoadedProgram[];
}

function load(input: string | null, opts: CheckFilesOptions): Loaded {
  try {
    const loaded = loadFilter(input, opts);
    const programs = selectPrograms(loaded, opts.thread);
    if (opts.stack && programs.length !== 1) {
      throw new SeccheckError(loaded.source, undefined,
        `--stack loads one program per file, and this thread map has ${programs.length} (${programs.map((p) => p.thread).join(', ')}): pick one with --thread`);
    }
    return { source: loaded.source, loaded, programs };
  } catch (e) {
    if (e instanceof SeccheckError) return { source: input ?? 'cellos environment', loaded: e, programs: [] };
    throw e;
  }
}

/**
 * Check inputs (files; null for the cellos environment) and keep each one's
 * loader warnings beside its results.
 */
export function checkInputs(inputs: readonly (string | null)[], opts: CheckFilesOptions = {}): CheckedInput[] {
  const all = inputs.map((input) => load(input, opts));
  const emulated = opts.stack ? checkStacked(all, opts.kernel) : all.map((l) => checkEach(l));
  const engine = opts.engine ?? 'emulator';
  const results = engine === 'emulator' ? emulated : withKernel(all, emulated, opts.stack === true, engine, opts.kernelEngine ?? defaultKernelEngine);
  return all.map((l, i) => ({ source: l.source, warnings: l.loaded instanceof SeccheckError ? [] : l.loaded.warnings, results: results[i] }));
}

function checkEach(l: Loaded): FileCheck[] {
  if (l.loaded instanceof SeccheckError) return [{ file: l.source, status: 'unreadable', error: l.loaded }];
  const format = l.loaded.format;
  return l.programs.map((p): FileCheck => {
    const thread = p.thread;
    if (installsNothing(format, p)) return { file: l.source, thread, status: 'no_filter', reason: nothingInstalledReason(format) };
    const r = checkFilter(p.program);
    if (r.accepted) return { file: l.source, thread, status: 'accepted', instructions: p.program.length, ebpfLength: r.ebpfLength };
    return { file: l.source, thread, status: 'rejected', instructions: p.program.length, rule: r.rule, errno: r.errno, insn: r.insn, reason: r.reason };
  });
}

/**
 * Load one program per input in order into one task. Loading stops at the
 * first input that is rejected or cannot be read; the programs after it are
 * not loaded (an unreadable input is still reported as unreadable). A
 * program that installs nothing makes no seccomp(2) call.
 */
function checkStacked(all: readonly Loaded[], kernel?: KernelVersion): FileCheck[][] {
  let task: TaskState = sandboxTask();
  let failed: string | undefined;
  return all.map((l): FileCheck[] => {
    if (l.loaded instanceof SeccheckError) {
      failed ??= l.source;
      return [{ file: l.source, status: 'unreadable', error: l.loaded }];
    }
    const p = l.programs[0];
    const thread = p.thread;
    if (failed !== undefined) return [{ file: l.source, thread, status: 'not_loaded', after: failed }];
    if (installsNothing(l.loaded.format, p)) return [{ file: l.source, thread, status: 'no_filter', reason: nothingInstalledReason(l.loaded.format) }];
    const r = seccompSetModeFilter(task, 0, p.program, kernel);
    if (r.ok) {
      task = r.task;
      return [{ file: l.source, thread, status: 'accepted', instructions: p.program.length, ebpfLength: r.ebpfLength }];
    }
    failed = l.source;
    return [{ file: l.source, thread, status: 'rejected', instructions: p.program.length, rule: r.rule, errno: r.errno, insn: r.insn, reason: r.reason }];
  });
}

/** The emulator's verdict as an install step (undefined: this program's seccomp(2) call was never made). */
function emulatorStep(c: FileCheck, index: number): EngineCheckStep | undefined {
  if (c.status === 'accepted') return { index, ok: true, errno: null };
  if (c.status === 'rejected') return { index, ok: false, errno: c.errno };
  // (a kill inside seccomp(2) is errno null on both sides; the kernel adds the signal)
  return undefined;
}

function kernelCheckOutcome(step: EngineCheckStep): KernelCheckOutcome {
  const o = { accepted: step.ok, errno: step.ok ? null : step.errno };
  if (step.signal !== undefined) return { ...o, signal: step.signal };
  return step.timedOut ? { ...o, timed_out: true } : o;
}

const skippedSide = (reason: string, engine: 'kernel' | 'both'): KernelCheckSide =>
  engine === 'both' ? { outcome: null, comparison: { verdict: 'skipped', reason } } : { outcome: null };

/**
 * Make the same seccomp(2) calls on the kernel engine and attach its verdict
 * (and, for 'both', the comparison) to each program's result. Without
 * --stack each program is loaded into a fresh task of its own; with --stack
 * the programs are loaded in order into one task, up to the first unreadable
 * input, and the kernel stops at its own first failure.
 */
function withKernel(all: readonly Loaded[], emulated: FileCheck[][], stack: boolean, engine: 'kernel' | 'both', kernelEngine: Engine): FileCheck[][] {
  const attach = (c: FileCheck, step: EngineCheckStep | undefined, index: number, notRun: string): FileCheck => {
    if (c.status === 'unreadable') return c;
    const outcome = step === undefined ? null : kernelCheckOutcome(step);
    const emu = emulatorStep(c, index);
    if (step === undefined && emu === undefined) return { ...c, onKernel: skippedSide(notRun, engine) };
    const onKernel: KernelCheckSide = engine === 'both' ? { outcome, comparison: compareCheckSteps(emu, step) } : { outcome };
    return { ...c, onKernel };
  };
  if (!stack) {
    // Each program in a fresh task of its own, all of them in one checkJobs call (one VM boot).
    const loads = emulated.flatMap((results, i) => results.flatMap((c, j) => (c.status === 'unreadable' || c.status === 'no_filter' ? [] : [{ i, j }])));
    const steps = checkJobs(kernelEngine, loads.map(({ i, j }) => ({ stack: [all[i].programs[j].program], flags: 0 })));
    const stepOf = new Map(loads.map(({ i, j }, k) => [`${i}:${j}`, steps[k][0]]));
    return emulated.map((results, i) => results.map((c, j) => {
      if (c.status === 'unreadable') return c;
      if (c.status === 'no_filter') return { ...c, onKernel: skippedSide(c.reason, engine) };
      return attach(c, stepOf.get(`${i}:${j}`), 0, 'not loaded');
    }));
  }
  // One program per input; those that install nothing make no call.
  const calls: { input: number; program: Program }[] = [];
  for (let i = 0; i < all.length; i++) {
    const l = all[i];
    if (l.loaded instanceof SeccheckError) break;
    if (!installsNothing(l.loaded.format, l.programs[0])) calls.push({ input: i, program: l.programs[0].program });
  }
  const steps = calls.length === 0 ? [] : kernelEngine.check(calls.map((c) => c.program), 0);
  return emulated.map((results, i) => results.map((c) => {
    if (c.status === 'unreadable') return c;
    if (c.status === 'no_filter') return { ...c, onKernel: skippedSide(c.reason, engine) };
    const index = calls.findIndex((k) => k.input === i);
    const notRun = c.status === 'not_loaded' ? notLoaded(c.after) : 'not loaded';
    return attach(c, index < 0 ? undefined : steps[index], index, notRun);
  }));
}

/** What `seccheck check --engine kernel|both` adds on stderr: the disagreements, then one summary line. */
export interface CheckEngineReport {
  /** Lines without "seccheck: " or a newline. */
  readonly lines: readonly string[];
  readonly disagreements: number;
  /** Programs the kernel refused. */
  readonly kernelRejected: number;
}

function formatKernelVerdict(o: KernelCheckOutcome | null): string {
  if (o === null) return 'no seccomp(2) call';
  if (o.accepted) return 'accepted';
  if (o.signal !== undefined) return `not loaded: killed by signal ${o.signal} inside seccomp(2) (a filter installed before it)`;
  if (o.timed_out) return 'not loaded: seccomp(2) did not return before the deadline';
  return `rejected: ${o.errno}`;
}

const formatEmulatorVerdict = (c: FileCheck): string =>
  c.status === 'accepted' ? 'accepted' : c.status === 'rejected' ? `rejected: ${formatRejection(c)}` : formatEmulatorCheck(c).slice(label(c).length + 2);

export function checkEngineReport(results: readonly FileCheck[], engine: 'kernel' | 'both'): CheckEngineReport {
  const sides = results.flatMap((c) => (c.status === 'unreadable' || c.onKernel === undefined ? [] : [{ c, k: c.onKernel }]));
  const kernelRejected = sides.filter(({ k }) => k.outcome !== null && !k.outcome.accepted).length;
  if (engine === 'kernel') {
    const ran = sides.filter(({ k }) => k.outcome !== null).length;
    return { lines: [`${countOf(sides.length, 'filter')}: ${ran} checked on the kernel, ${sides.length - ran} skipped`], disagreements: 0, kernelRejected };
  }
  const counts = countComparisons(sides.map(({ k }) => k.comparison ?? { verdict: 'skipped', reason: 'not compared' }));
  const lines = sides
    .filter(({ k }) => k.comparison?.verdict === 'disagree')
    .map(({ c, k }) => `disagreement: ${label(c)}: emulator: ${formatEmulatorVerdict(c)}; kernel: ${formatKernelVerdict(k.outcome)}`);
  return { lines: [...lines, formatComparisonCounts(counts, 'filter')], disagreements: counts.disagree, kernelRejected };
}

/**
 * The JSON line `seccheck check --json` prints (unreadable files are
 * reported on stderr instead). "thread" is there only for thread maps.
 */
export interface FileCheckRecord {
  readonly file: string;
  readonly thread?: string;
  readonly accepted: boolean;
  readonly errno: string | null;
  readonly insn: number | null;
  readonly reason: string | null;
  /** --engine kernel|both: the kernel's verdict, {"accepted", "errno"} (and "signal" or "timed_out"); null when it made no seccomp(2) call. */
  readonly outcome?: KernelCheckOutcome | null;
  /** --engine both. */
  readonly kernel?: 'agree' | 'disagree' | 'skipped';
  /** --engine both, with "kernel": "skipped": why ("reason" is the emulator's). */
  readonly kernel_reason?: string;
}

export function fileCheckRecord(c: Exclude<FileCheck, { status: 'unreadable' }>): FileCheckRecord {
  const rec = emulatorRecord(c);
  if (c.onKernel === undefined) return rec;
  const withOutcome = { ...rec, outcome: c.onKernel.outcome };
  return c.onKernel.comparison === undefined ? withOutcome : { ...withOutcome, ...comparisonRecord(c.onKernel.comparison, 'kernel_reason') };
}

function emulatorRecord(c: Exclude<FileCheck, { status: 'unreadable' }>): FileCheckRecord {
  const head = c.thread === undefined || c.thread === null ? { file: c.file } : { file: c.file, thread: c.thread };
  switch (c.status) {
    case 'accepted':
      return { ...head, accepted: true, errno: null, insn: null, reason: null };
    case 'rejected':
      return { ...head, accepted: false, errno: c.errno, insn: c.insn, reason: c.reason };
    case 'no_filter':
      return { ...head, accepted: true, errno: null, insn: null, reason: c.reason };
    case 'not_loaded':
      return { ...head, accepted: false, errno: null, insn: null, reason: notLoaded(c.after) };
  }
}

const notLoaded = (after: string): string => `not loaded: ${after} failed before it`;

/** "FILE" or "FILE [thread]". */
const label = (c: FileCheck): string => (c.status !== 'unreadable' && c.thread != null ? `${c.file} [${c.thread}]` : c.file);

/**
 * "FILE: accepted (N instructions, eBPF length L)", "FILE [vmm]: rejected: EINVAL at instruction 3: ...";
 * with the kernel engine "...; kernel: accepted (agree)".
 */
export function formatFileCheck(c: FileCheck): string {
  const line = formatEmulatorCheck(c);
  if (c.status === 'unreadable' || c.onKernel === undefined) return line;
  const cmp = c.onKernel.comparison;
  if (cmp?.verdict === 'skipped') return `${line}; kernel: skipped (${cmp.reason})`;
  return `${line}; kernel: ${formatKernelVerdict(c.onKernel.outcome)}${cmp === undefined ? '' : ` (${cmp.verdict})`}`;
}

function formatEmulatorCheck(c: FileCheck): string {
  switch (c.status) {
    case 'accepted':
      return `${label(c)}: accepted (${c.instructions} instructions, eBPF length ${c.ebpfLength})`;
    case 'rejected':
      return `${label(c)}: rejected: ${formatRejection(c)}`;
    case 'no_filter':
      return `${label(c)}: ${c.reason}`;
    case 'not_loaded':
      return `${label(c)}: ${notLoaded(c.after)}`;
    case 'unreadable':
      return c.error.message;
  }
}
