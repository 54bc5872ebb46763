// Run cases through a stack of filters on the compiled engine, as
// seccomp_run_filters does (kernel-version bypasses included); with
// --engine kernel|both also on the running kernel, and compare.
import {
  actionOutcome, compileFilter, DEFAULT_CONTEXT, decodeAction, FilterStack, formatAction, formatOutcome, seccompDataWords, SECCOMP_DATA_WORDS,
  type Action, type KernelVersion, type Outcome, type Program, type SeccompData,
} from 'unicorn-bpf-emulator';
import { compareOutcomes, countComparisons, countOf, formatComparisonCounts, type Comparison } from './engines/compare.js';
import type { Engine, EngineCase, EngineOutcome } from './engines/engine.js';
import { runJobs } from './engines/batch.js';
import { comparisonRecord, formatEngineOutcome, outcomeRecord } from './engines/format.js';
import { kernel as defaultKernelEngine } from './engines/kernel.js';
import type { Case } from './formats/cases.js';
import type { FormatName, LoadedProgram } from './formats/filter.js';
import { installsNothing } from './formats/no_filter.js';

export interface CaseVerdict {
  readonly case: Case;
  /** The value the stack returns (ALLOW when the kernel bypasses the filters). */
  readonly raw: number;
  readonly action: Action;
  /** The kernel skips the filters for this syscall (uretprobe/uprobe on recent x86_64). */
  readonly bypassed: boolean;
  /** The thread of a thread map the case ran on; null (or absent) for a single program. */
  readonly thread?: string | null;
  /** --engine kernel|both: what the kernel showed ('skipped' when it could not run the case). Absent with the emulator alone. */
  readonly kernelOutcome?: EngineOutcome;
  /** --engine both: what the emulator's action means for the process (the context the kernel probe has). */
  readonly emulatorOutcome?: Outcome;
  /** --engine both: emulatorOutcome compared with kernelOutcome. */
  readonly comparison?: Comparison;
}

/** Where cases run: the emulator (default), the running kernel, or both, compared. */
export type EngineChoice = 'emulator' | 'kernel' | 'both';
export const ENGINE_CHOICES: readonly EngineChoice[] = ['emulator', 'kernel', 'both'];

export interface EvaluateOptions {
  /** Kernel to emulate (decides the bypass list); default LATEST_KNOWN_KERNEL. */
  readonly kernel?: KernelVersion;
  /** Default 'emulator'. */
  readonly engine?: EngineChoice;
  /** The engine that stands for the kernel with 'kernel' and 'both' (default: the kernel engine). */
  readonly kernelEngine?: Engine;
}

/** The seccomp_data a case describes. */
export function caseData(c: Case): SeccompData {
  return { nr: c.nr, arch: c.arch.auditArch, instruction_pointer: c.ip, args: c.args };
}

/** The compiled engine's verdicts for `cases` on a stack (index 0 oldest). */
function emulateCases(programs: readonly Program[], cases: readonly Case[], kernel: KernelVersion | undefined): CaseVerdict[] {
  const stack = new FilterStack(programs.map((p) => compileFilter(p)), { kernel });
  const words = new Uint32Array(SECCOMP_DATA_WORDS);
  return cases.map((c) => {
    const r = stack.run(seccompDataWords(caseData(c), c.arch.endian, words));
    return { case: c, raw: r.raw, action: decodeAction(r.raw), bypassed: r.bypassed };
  });
}

/** Attach what the kernel engine showed (and, for 'both', the comparison) to each verdict. */
function withKernelOutcomes(verdicts: readonly CaseVerdict[], onKernel: readonly EngineOutcome[], engine: 'kernel' | 'both'): CaseVerdict[] {
  return verdicts.map((v, i) => {
    const kernelOutcome = onKernel[i];
    if (engine === 'kernel') return { ...v, kernelOutcome };
    // The emulator engine's Outcome: the kernel probe's context (single thread, no tracer, no listener).
    const emulatorOutcome = actionOutcome(v.action, { nr: v.case.nr, arch: v.case.arch.auditArch }, DEFAULT_CONTEXT);
    return { ...v, kernelOutcome, emulatorOutcome, comparison: compareOutcomes(emulatorOutcome, kernelOutcome) };
  });
}

/**
 * Evaluate cases on filters loaded in order (index 0 oldest); every program
 * must have been accepted by checkFilter. Data is laid out in each case's
 * arch byte order.
 */
export function evaluateCases(programs: readonly Program[], cases: readonly Case[], opts: EvaluateOptions = {}): CaseVerdict[] {
  const verdicts = emulateCases(programs, cases, opts.kernel);
  const engine = opts.engine ?? 'emulator';
  if (engine === 'emulator') return verdicts;
  return withKernelOutcomes(verdicts, (opts.kernelEngine ?? defaultKernelEngine).run(programs, cases), engine);
}

/**
 * Evaluate cases on each loaded program on its own (each thread of a thread
 * map is a task of its own), program by program. A program that installs
 * nothing (an empty boxlite thread, cellos disabled) is no filter: ALLOW.
 * Every other program must have been accepted by checkFilter. The kernel
 * engine gets every program's cases in one runJobs call (one VM boot).
 */
export function evaluatePrograms(format: FormatName, programs: readonly LoadedProgram[], cases: readonly Case[], opts: EvaluateOptions = {}): CaseVerdict[] {
  const stacks = programs.map((p) => (installsNothing(format, p) ? [] : [p.program]));
  const emulated = stacks.map((stack) => emulateCases(stack, cases, opts.kernel));
  const engine = opts.engine ?? 'emulator';
  const onKernel = engine === 'emulator' ? [] : runJobs(opts.kernelEngine ?? defaultKernelEngine, stacks.map((stack) => ({ stack, cases })));
  return programs.flatMap((p, i) =>
    (engine === 'emulator' ? emulated[i] : withKernelOutcomes(emulated[i], onKernel[i], engine)).map((v) => ({ ...v, thread: p.thread })),
  );
}

/** The JSON line `seccheck eval --json` prints for a verdict ("thread" first, for thread maps only). */
export interface CaseVerdictRecord {
  readonly thread?: string;
  readonly action: string;
  readonly data: number;
  /** 8 lowercase hex digits after 0x. */
  readonly raw: string;
  /** Present (true) only for an action value the kernel does not know. */
  readonly unknown?: true;
  /** --engine kernel|both: what the kernel showed; null when it did not run the case. */
  readonly outcome?: Record<string, unknown> | null;
  /** --engine both. */
  readonly kernel?: 'agree' | 'disagree' | 'skipped';
  /** --engine both, with "kernel": "skipped": why. */
  readonly reason?: string;
}

export const hex32 = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export function caseVerdictRecord(v: CaseVerdict): CaseVerdictRecord {
  const head = v.thread === undefined || v.thread === null ? {} : { thread: v.thread };
  const rec = { ...head, action: v.action.kind, data: v.action.data, raw: hex32(v.raw) };
  const withUnknown: CaseVerdictRecord = v.action.unknown ? { ...rec, unknown: true } : rec;
  if (v.kernelOutcome === undefined) return withUnknown;
  const withOutcome = { ...withUnknown, outcome: outcomeRecord(v.kernelOutcome) };
  return v.comparison === undefined ? withOutcome : { ...withOutcome, ...comparisonRecord(v.comparison) };
}

/** "3: x86_64 nr=39 -> ERRNO(1) (raw 0x00050001)", "[vmm] 3: ..." for a thread. */
export function formatCaseVerdict(v: CaseVerdict): string {
  const thread = v.thread === undefined || v.thread === null ? '' : `[${v.thread}] `;
  const line = `${thread}${v.case.line}: ${v.case.arch.name} nr=${v.case.nr} -> ${formatAction(v.raw)} (raw ${hex32(v.raw)})`;
  if (v.kernelOutcome === undefined) return line;
  if (v.kernelOutcome.kind === 'skipped') return `${line}; kernel: ${formatEngineOutcome(v.kernelOutcome)}`;
  const verdict = v.comparison === undefined ? '' : ` (${v.comparison.verdict})`;
  return `${line}; kernel: ${formatEngineOutcome(v.kernelOutcome)}${verdict}`;
}

/** The data of a case: "x86_64 nr=39 args=[0x1,0x0,0x0,0x0,0x0,0x0] ip=0x0". */
export function formatCaseData(c: EngineCase): string {
  return `${c.arch.name} nr=${c.nr} args=[${c.args.map((a) => '0x' + a.toString(16)).join(',')}] ip=0x${c.ip.toString(16)}`;
}

/**
 * One line for a case the engines disagree on: where (file, thread, line),
 * the data, and each side's result. Undefined unless the verdict is a
 * disagreement.
 */
export function formatDisagreement(source: string, v: CaseVerdict): string | undefined {
  if (v.comparison?.verdict !== 'disagree' || v.kernelOutcome === undefined || v.emulatorOutcome === undefined) return undefined;
  const thread = v.thread === undefined || v.thread === null ? '' : ` [${v.thread}]`;
  return `disagreement: ${source}${thread}, case ${v.case.line}: ${formatCaseData(v.case)}: `
    + `emulator: ${formatAction(v.raw)} -> ${formatOutcome(v.emulatorOutcome)}; kernel: ${formatEngineOutcome(v.kernelOutcome)}`;
}

/** What `seccheck eval --engine kernel|both` adds on stderr: the disagreements, then one summary line. */
export interface EngineReport {
  /** Lines without "seccheck: " or a newline: each disagreement, then the summary. */
  readonly lines: readonly string[];
  readonly disagreements: number;
}

/** "6 cases: 4 agree, 0 disagree, 2 skipped" (both), "6 cases: 4 run on the kernel, 2 skipped" (kernel). */
export function engineReport(source: string, verdicts: readonly CaseVerdict[], engine: 'kernel' | 'both'): EngineReport {
  if (engine === 'kernel') {
    const skipped = verdicts.filter((v) => v.kernelOutcome?.kind === 'skipped').length;
    return { lines: [`${countOf(verdicts.length, 'case')}: ${verdicts.length - skipped} run on the kernel, ${skipped} skipped`], disagreements: 0 };
  }
  const counts = countComparisons(verdicts.map((v) => v.comparison ?? { verdict: 'skipped', reason: 'not compared' }));
  const lines = verdicts.flatMap((v) => formatDisagreement(source, v) ?? []);
  return { lines: [...lines, formatComparisonCounts(counts, 'case')], disagreements: counts.disagree };
}
