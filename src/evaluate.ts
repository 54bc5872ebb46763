// Run cases through a stack of filters on the compiled engine, as
// seccomp_run_filters does (kernel-version bypasses included).
import {
  compileFilter, decodeAction, FilterStack, formatAction, seccompDataWords, SECCOMP_DATA_WORDS,
  type Action, type KernelVersion, type Program, type SeccompData,
} from 'unicorn-bpf-emulator';
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
}

export interface EvaluateOptions {
  /** Kernel to emulate (decides the bypass list); default LATEST_KNOWN_KERNEL. */
  readonly kernel?: KernelVersion;
}

/** The seccomp_data a case describes. */
export function caseData(c: Case): SeccompData {
  return { nr: c.nr, arch: c.arch.auditArch, instruction_pointer: c.ip, args: c.args };
}

/**
 * Evaluate cases on filters loaded in order (index 0 oldest); every program
 * must have been accepted by checkFilter. Data is laid out in each case's
 * arch byte order.
 */
export function evaluateCases(programs: readonly Program[], cases: readonly Case[], opts: EvaluateOptions = {}): CaseVerdict[] {
  const stack = new FilterStack(programs.map((p) => compileFilter(p)), { kernel: opts.kernel });
  const words = new Uint32Array(SECCOMP_DATA_WORDS);
  return cases.map((c) => {
    const r = stack.run(seccompDataWords(caseData(c), c.arch.endian, words));
    return { case: c, raw: r.raw, action: decodeAction(r.raw), bypassed: r.bypassed };
  });
}

/**
 * Evaluate cases on each loaded program on its own (each thread of a thread
 * map is a task of its own), program by program. A program that installs
 * nothing (an empty boxlite thread, cellos disabled) is no filter: ALLOW.
 * Every other program must have been accepted by checkFilter.
 */
export function evaluatePrograms(format: FormatName, programs: readonly LoadedProgram[], cases: readonly Case[], opts: EvaluateOptions = {}): CaseVerdict[] {
  return programs.flatMap((p) =>
    evaluateCases(installsNothing(format, p) ? [] : [p.program], cases, opts).map((v) => ({ ...v, thread: p.thread })),
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
}

export const hex32 = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export function caseVerdictRecord(v: CaseVerdict): CaseVerdictRecord {
  const head = v.thread === undefined || v.thread === null ? {} : { thread: v.thread };
  const rec = { ...head, action: v.action.kind, data: v.action.data, raw: hex32(v.raw) };
  return v.action.unknown ? { ...rec, unknown: true } : rec;
}

/** "3: x86_64 nr=39 -> ERRNO(1) (raw 0x00050001)", "[vmm] 3: ..." for a thread. */
export function formatCaseVerdict(v: CaseVerdict): string {
  const thread = v.thread === undefined || v.thread === null ? '' : `[${v.thread}] `;
  return `${thread}${v.case.line}: ${v.case.arch.name} nr=${v.case.nr} -> ${formatAction(v.raw)} (raw ${hex32(v.raw)})`;
}
