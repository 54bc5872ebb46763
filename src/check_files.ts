// Would the kernel accept these filters? One program at a time (checkFilter),
// or loaded in order into one task as a sandbox calling seccomp(2) once per
// filter would (seccompSetModeFilter: adds the MAX_INSNS_PER_PATH limit,
// ENOMEM). Inputs are any format loadFilter reads; a thread map gives one
// result per thread.
import { checkFilter, FRESH_TASK, seccompSetModeFilter, type Endian, type KernelVersion, type Program, type TaskState } from 'unicorn-bpf-emulator';
import { SeccheckError } from './errors.js';
import type { LoadedFilter, LoadedProgram, LoadOptions } from './formats/filter.js';
import { loadFilter, selectPrograms } from './formats/load.js';
import { installsNothing, nothingInstalledReason } from './formats/no_filter.js';
import { readSockFilter } from './formats/sock_filter.js';

/** The parts of a rejection a report shows. */
export interface Rejection {
  readonly errno: string;
  /** Instruction the rule fired on; null for rules about the whole program or stack. */
  readonly insn: number | null;
  readonly reason: string;
}

/** One program's result. `thread` is its name in a thread map, null (or absent) for a single program. */
export type FileCheck =
  | { readonly file: string; readonly thread?: string | null; readonly status: 'accepted'; readonly instructions: number; readonly ebpfLength: number }
  | ({ readonly file: string; readonly thread?: string | null; readonly status: 'rejected'; readonly instructions: number; readonly rule: string } & Rejection)
  /** An empty program where the format means "install nothing" (boxlite, Firecracker, cellos disabled). */
  | { readonly file: string; readonly thread?: string | null; readonly status: 'no_filter'; readonly reason: string }
  /** The file could not be read or decoded (missing, length not a multiple of 8, bad JSON, ...). */
  | { readonly file: string; readonly status: 'unreadable'; readonly error: SeccheckError }
  /** --stack: an earlier file failed, so this one was never loaded. */
  | { readonly file: string; readonly thread?: string | null; readonly status: 'not_loaded'; readonly after: string };

export interface CheckFilesOptions extends LoadOptions {
  readonly endian?: Endian;
  /** Load the files in order into one task (seccomp(2) once per file). */
  readonly stack?: boolean;
  readonly kernel?: KernelVersion;
  /** For thread maps: check only this thread. */
  readonly thread?: string;
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
  return `${r.errno}${r.insn === null ? '' : ` at instruction ${r.insn}`}: ${r.reason}`;
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
  const results = opts.stack ? checkStacked(all, opts.kernel) : all.map((l) => checkEach(l));
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
  let task: TaskState = FRESH_TASK;
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
}

export function fileCheckRecord(c: Exclude<FileCheck, { status: 'unreadable' }>): FileCheckRecord {
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

/** "FILE: accepted (N instructions, eBPF length L)", "FILE [vmm]: rejected: EINVAL at instruction 3: ...". */
export function formatFileCheck(c: FileCheck): string {
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
