// eval on a list of engines (--engine emulator,vm:aarch64,...): the emulator
// always decides each line's action; every other engine in the list runs the
// same cases (one batch per engine: one VM boot) and is compared with it.
// A list of one non-emulator engine is the old `kernel` mode (its outcome,
// no comparison); any longer list is `both` mode for each of its engines.
// `both` (= emulator,kernel) keeps the output of evaluate.ts byte for byte.
import { formatAction, formatOutcome, type KernelVersion } from 'unicorn-bpf-emulator';
import { countComparisons, countOf, formatComparisonCounts, type Comparison } from './engines/compare.js';
import type { Engine } from './engines/engine.js';
import { formatEngineOutcome, outcomeRecord } from './engines/format.js';
import {
  caseVerdictRecord, engineReport, evaluatePrograms, formatCaseData, formatCaseVerdict, type CaseVerdict, type CaseVerdictRecord, type EngineChoice, type EngineReport,
} from './evaluate.js';
import type { Case } from './formats/cases.js';
import type { FormatName, LoadedProgram } from './formats/filter.js';
import { resolveKernel } from './kernel.js';

export interface EnginesEvaluation {
  /** 'emulator' (no other engine), 'kernel' (one, not compared) or 'both' (each compared with the emulator). */
  readonly mode: EngineChoice;
  /** The emulator's verdicts (mode 'emulator'), or per engine its evaluatePrograms verdicts in the list's order. */
  readonly runs: readonly { readonly engine: string; readonly verdicts: readonly CaseVerdict[] }[];
  /** The emulator's verdicts alone: the action of each line. */
  readonly verdicts: readonly CaseVerdict[];
}

export interface EnginesOptions {
  /** --kernel: the kernel to emulate. Default: each engine's own (a VM's release), else the running kernel. */
  readonly kernel?: string;
  /** Whether the list named the emulator (with one other engine that makes it `both` mode). */
  readonly withEmulator: boolean;
}

/**
 * Evaluate `cases` on `programs` with the emulator and each engine of
 * `others` (the list without the emulator).
 */
export function evaluateOnEngines(format: FormatName, programs: readonly LoadedProgram[], cases: readonly Case[], others: readonly Engine[], opts: EnginesOptions): EnginesEvaluation {
  const mode: EngineChoice = others.length === 0 ? 'emulator' : others.length === 1 && !opts.withEmulator ? 'kernel' : 'both';
  if (mode === 'emulator') {
    const verdicts = evaluatePrograms(format, programs, cases, { kernel: resolveKernel(opts.kernel) });
    return { mode, runs: [], verdicts };
  }
  const runs = others.map((e) => {
    const kernel: KernelVersion = resolveKernel(opts.kernel ?? e.kernelRelease?.());
    const verdicts = evaluatePrograms(format, programs, cases, { kernel, engine: mode, kernelEngine: e });
    return { engine: e.name, verdicts };
  });
  return { mode, runs, verdicts: runs[0].verdicts };
}

/** The legacy shapes: the emulator alone, or the kernel engine alone or with the emulator. */
const legacy = (ev: EnginesEvaluation): boolean => ev.runs.length === 0 || (ev.runs.length === 1 && ev.runs[0].engine === 'kernel');

/** "kernel: errno 1 (agree)", "vm:aarch64: skipped (...)". */
function engineSegment(name: string, v: CaseVerdict): string {
  const k = v.kernelOutcome!;
  const verdict = k.kind === 'skipped' || v.comparison === undefined ? '' : ` (${v.comparison.verdict})`;
  return `${name}: ${formatEngineOutcome(k)}${verdict}`;
}

/** The text line of case i: the emulator's, then each engine's outcome (and verdict). */
export function formatEnginesLine(ev: EnginesEvaluation, i: number): string {
  if (legacy(ev)) return formatCaseVerdict(ev.runs[0]?.verdicts[i] ?? ev.verdicts[i]);
  const base = formatCaseVerdict({ ...ev.verdicts[i], kernelOutcome: undefined });
  return [base, ...ev.runs.map((r) => engineSegment(r.engine, r.verdicts[i]))].join('; ');
}

/** One engine's part of a JSON line with two or more engines besides the emulator. */
export interface EngineFieldRecord {
  readonly outcome: Record<string, unknown> | null;
  readonly verdict: Comparison['verdict'];
  readonly reason?: string;
}

/** Every engine disagreeing makes a disagreement; one agreeing (and none disagreeing) an agreement; else skipped, with the first reason. */
function combined(cs: readonly Comparison[]): Comparison {
  if (cs.some((c) => c.verdict === 'disagree')) return { verdict: 'disagree' };
  if (cs.some((c) => c.verdict === 'agree')) return { verdict: 'agree' };
  return cs[0];
}

/**
 * The JSON line of case i. One engine: the fields of `both` (or `kernel`),
 * "outcome" and "kernel" being that engine's. Two or more: "outcome" is the
 * first engine's, "kernel" the verdict over all (disagree if any does), and
 * "engines" gives each engine's {outcome, verdict, reason?}.
 */
export function enginesRecord(ev: EnginesEvaluation, i: number): CaseVerdictRecord & { engines?: Record<string, EngineFieldRecord> } {
  if (ev.runs.length <= 1) return caseVerdictRecord(ev.runs[0]?.verdicts[i] ?? ev.verdicts[i]);
  const comparisons = ev.runs.map((r) => r.verdicts[i].comparison!);
  const all = combined(comparisons);
  const { kernel: _k, reason: _r, ...head } = caseVerdictRecord(ev.verdicts[i]);
  const engines: Record<string, EngineFieldRecord> = {};
  ev.runs.forEach((r, j) => {
    const c = comparisons[j];
    engines[r.engine] = { outcome: outcomeRecord(r.verdicts[i].kernelOutcome!), verdict: c.verdict, ...(c.verdict === 'skipped' ? { reason: c.reason } : {}) };
  });
  return { ...head, kernel: all.verdict, ...(all.verdict === 'skipped' ? { reason: all.reason } : {}), engines };
}

/** One line for a case an engine disagrees on with the emulator, naming the engine. */
function formatEngineDisagreement(source: string, engine: string, v: CaseVerdict): string | undefined {
  if (v.comparison?.verdict !== 'disagree' || v.kernelOutcome === undefined || v.emulatorOutcome === undefined) return undefined;
  const thread = v.thread === undefined || v.thread === null ? '' : ` [${v.thread}]`;
  return `disagreement: ${source}${thread}, case ${v.case.line}: ${formatCaseData(v.case)}: `
    + `emulator: ${formatAction(v.raw)} -> ${formatOutcome(v.emulatorOutcome)}; ${engine}: ${formatEngineOutcome(v.kernelOutcome)}`;
}

/**
 * What eval prints on stderr with engines: each disagreement, then one
 * summary line per engine ("vm:aarch64: 6 cases: 6 agree, 0 disagree, 0
 * skipped"; `kernel` and `both` keep their unprefixed lines).
 */
export function enginesReport(source: string, ev: EnginesEvaluation): EngineReport {
  if (ev.mode === 'emulator') return { lines: [], disagreements: 0 };
  if (legacy(ev)) return engineReport(source, ev.runs[0].verdicts, ev.mode);
  const disagreements: string[] = [];
  const summaries: string[] = [];
  let n = 0;
  for (const r of ev.runs) {
    if (ev.mode === 'kernel') {
      const skipped = r.verdicts.filter((v) => v.kernelOutcome?.kind === 'skipped').length;
      summaries.push(`${r.engine}: ${countOf(r.verdicts.length, 'case')}: ${r.verdicts.length - skipped} run, ${skipped} skipped`);
      continue;
    }
    const counts = countComparisons(r.verdicts.map((v) => v.comparison ?? { verdict: 'skipped', reason: 'not compared' }));
    n += counts.disagree;
    disagreements.push(...r.verdicts.flatMap((v) => formatEngineDisagreement(source, r.engine, v) ?? []));
    summaries.push(`${r.engine}: ${formatComparisonCounts(counts, 'case')}`);
  }
  return { lines: [...disagreements, ...summaries], disagreements: n };
}
