// check on a list of engines (--engine emulator,vm:aarch64,...): the
// emulator's checker gives each line; every other engine makes the same
// seccomp(2) calls (one batch per engine: one VM boot) and is compared with
// it, as evaluate_engines.ts does for eval. `both` (= emulator,kernel) and
// `kernel` keep check_files.ts's output byte for byte.
import { countComparisons, formatComparisonCounts, type Comparison } from './engines/compare.js';
import type { Engine } from './engines/engine.js';
import {
  checkEngineReport, checkInputs, fileCheckRecord, formatFileCheck, type CheckedInput, type CheckEngineReport, type CheckFilesOptions, type FileCheck,
  type FileCheckRecord, type KernelCheckOutcome,
} from './check_files.js';
import type { EngineChoice } from './evaluate.js';
import { resolveKernel } from './kernel.js';

export interface EnginesCheck {
  readonly mode: EngineChoice;
  /** Per engine other than the emulator, its checkInputs results; none in mode 'emulator'. */
  readonly runs: readonly { readonly engine: string; readonly inputs: readonly CheckedInput[] }[];
  /** The first run's results (or the emulator's): the lines, warnings and exit status. */
  readonly inputs: readonly CheckedInput[];
}

/** checkInputs on the emulator and each engine of `others` (the list without the emulator). */
export function checkOnEngines(inputs: readonly (string | null)[], others: readonly Engine[], withEmulator: boolean, opts: Omit<CheckFilesOptions, 'engine' | 'kernelEngine'>): EnginesCheck {
  const mode: EngineChoice = others.length === 0 ? 'emulator' : others.length === 1 && !withEmulator ? 'kernel' : 'both';
  if (mode === 'emulator') {
    const checked = checkInputs(inputs, opts);
    return { mode, runs: [], inputs: checked };
  }
  const runs = others.map((e) => {
    const release = e.kernelRelease?.();
    const kernel = opts.kernel ?? (release === undefined ? undefined : resolveKernel(release));
    const checked = checkInputs(inputs, { ...opts, ...(kernel ? { kernel } : {}), engine: mode, kernelEngine: e });
    return { engine: e.name, inputs: checked };
  });
  return { mode, runs, inputs: runs[0].inputs };
}

const legacy = (ev: EnginesCheck): boolean => ev.runs.length === 0 || (ev.runs.length === 1 && ev.runs[0].engine === 'kernel');

type Readable = Exclude<FileCheck, { status: 'unreadable' }>;

/** The j-th result of input i on every engine. */
const resultsAt = (ev: EnginesCheck, i: number, j: number): FileCheck[] => ev.runs.map((r) => r.inputs[i].results[j]);

/** "; kernel: accepted (agree)" of formatFileCheck, under the engine's name. */
function engineSuffix(name: string, c: FileCheck): string {
  const suffix = formatFileCheck(c).slice(formatFileCheck({ ...c, onKernel: undefined } as FileCheck).length);
  return suffix.replace(/^; kernel: /, `; ${name}: `);
}

/** The text line of result j of input i. */
export function formatEnginesCheck(ev: EnginesCheck, i: number, j: number): string {
  const c = ev.inputs[i].results[j];
  if (legacy(ev) || c.status === 'unreadable') return formatFileCheck(c);
  return formatFileCheck({ ...c, onKernel: undefined }) + resultsAt(ev, i, j).map((r, k) => engineSuffix(ev.runs[k].engine, r)).join('');
}

export interface EngineCheckFieldRecord {
  readonly outcome: KernelCheckOutcome | null;
  readonly verdict: Comparison['verdict'];
  readonly reason?: string;
}

/**
 * The JSON line of result j of input i: as `both` with one engine; with two
 * or more, "outcome" is the first one's, "kernel" the verdict over all
 * (disagree if any does) and "engines" each one's {outcome, verdict, reason?}.
 */
export function enginesCheckRecord(ev: EnginesCheck, i: number, j: number): FileCheckRecord & { engines?: Record<string, EngineCheckFieldRecord> } {
  const c = ev.inputs[i].results[j] as Readable;
  if (ev.runs.length <= 1) return fileCheckRecord(c);
  const sides = resultsAt(ev, i, j).map((r) => (r as Readable).onKernel!);
  const cs = sides.map((s) => s.comparison!);
  const all: Comparison = cs.some((x) => x.verdict === 'disagree') ? { verdict: 'disagree' } : cs.some((x) => x.verdict === 'agree') ? { verdict: 'agree' } : cs[0];
  const { kernel: _k, kernel_reason: _r, ...head } = fileCheckRecord(c);
  const engines: Record<string, EngineCheckFieldRecord> = {};
  ev.runs.forEach((r, k) => {
    engines[r.engine] = { outcome: sides[k].outcome, verdict: cs[k].verdict, ...(cs[k].verdict === 'skipped' ? { reason: cs[k].reason } : {}) };
  });
  return { ...head, kernel: all.verdict, ...(all.verdict === 'skipped' ? { kernel_reason: all.reason } : {}), engines };
}

/** What check prints on stderr with engines: each engine's disagreements and summary, under its name (`kernel` and `both` as before). */
export function enginesCheckReport(ev: EnginesCheck, results: (run: number) => readonly FileCheck[]): CheckEngineReport {
  if (ev.mode === 'emulator') return { lines: [], disagreements: 0, kernelRejected: 0 };
  if (legacy(ev)) return checkEngineReport(results(0), ev.mode);
  const lines: string[] = [];
  const summaries: string[] = [];
  let disagreements = 0;
  let kernelRejected = 0;
  ev.runs.forEach((r, k) => {
    const rep = checkEngineReport(results(k), ev.mode as 'kernel' | 'both');
    disagreements += rep.disagreements;
    kernelRejected += rep.kernelRejected;
    // The report's last line is its summary; the others are disagreements ending with the kernel's side.
    lines.push(...rep.lines.slice(0, -1).map((l) => l.replace(/; kernel: (?!.*; kernel: )/, `; ${r.engine}: `)));
    summaries.push(`${r.engine}: ${rep.lines.at(-1) ?? formatComparisonCounts(countComparisons([]), 'filter')}`);
  });
  return { lines: [...lines, ...summaries], disagreements, kernelRejected };
}
