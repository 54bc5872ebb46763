// Would the kernel accept these filter files? One at a time (checkFilter), or
// loaded in order into one task as a sandbox calling seccomp(2) once per
// filter would (checkStack: adds the MAX_INSNS_PER_PATH limit, ENOMEM).
import { checkFilter, checkStack, type Endian, type KernelVersion, type Program } from 'unicorn-bpf-emulator';
import { SeccheckError } from './errors.js';
import { readSockFilter } from './formats/sock_filter.js';

/** The parts of a rejection a report shows. */
export interface Rejection {
  readonly errno: string;
  /** Instruction the rule fired on; null for rules about the whole program or stack. */
  readonly insn: number | null;
  readonly reason: string;
}

export type FileCheck =
  | { readonly file: string; readonly status: 'accepted'; readonly instructions: number; readonly ebpfLength: number }
  | ({ readonly file: string; readonly status: 'rejected'; readonly instructions: number; readonly rule: string } & Rejection)
  /** The file could not be read or decoded (missing, length not a multiple of 8). */
  | { readonly file: string; readonly status: 'unreadable'; readonly error: SeccheckError }
  /** --stack: an earlier file failed, so this one was never loaded. */
  | { readonly file: string; readonly status: 'not_loaded'; readonly after: string };

export interface CheckFilesOptions {
  readonly endian?: Endian;
  /** Load the files in order into one task (seccomp(2) once per file). */
  readonly stack?: boolean;
  readonly kernel?: KernelVersion;
}

/** "EINVAL at instruction 3: reason" or "ENOMEM: reason". */
export function formatRejection(r: Rejection): string {
  return `${r.errno}${r.insn === null ? '' : ` at instruction ${r.insn}`}: ${r.reason}`;
}

/** Read a filter file and require that the kernel would accept it. */
export function readAcceptedFilter(file: string, endian: Endian = 'little'): Program {
  const program = readSockFilter(file, endian);
  const r = checkFilter(program);
  if (!r.accepted) throw new SeccheckError(file, undefined, `rejected: ${formatRejection(r)}`);
  return program;
}

/** Check each file; one result per file, in order. Only unexpected errors are thrown. */
export function checkFiles(files: readonly string[], opts: CheckFilesOptions = {}): FileCheck[] {
  const programs: (Program | SeccheckError)[] = files.map((file) => {
    try {
      return readSockFilter(file, opts.endian);
    } catch (e) {
      if (e instanceof SeccheckError) return e;
      throw e;
    }
  });
  return opts.stack ? checkStacked(files, programs, opts.kernel) : files.map((file, i) => checkOne(file, programs[i]));
}

function checkOne(file: string, p: Program | SeccheckError): FileCheck {
  if (p instanceof SeccheckError) return { file, status: 'unreadable', error: p };
  const r = checkFilter(p);
  if (r.accepted) return { file, status: 'accepted', instructions: p.length, ebpfLength: r.ebpfLength };
  return { file, status: 'rejected', instructions: p.length, rule: r.rule, errno: r.errno, insn: r.insn, reason: r.reason };
}

/**
 * Load the files in order into one task. Loading stops at the first file that
 * is rejected or cannot be read; the files after it are not loaded (an
 * unreadable one is still reported as unreadable).
 */
function checkStacked(files: readonly string[], programs: readonly (Program | SeccheckError)[], kernel?: KernelVersion): FileCheck[] {
  const stop = programs.findIndex((p) => p instanceof SeccheckError);
  const loadable = (stop < 0 ? programs : programs.slice(0, stop)) as Program[];
  const results = checkStack(loadable, { kernel });
  let failed: string | undefined;
  return files.map((file, i): FileCheck => {
    const p = programs[i];
    if (p instanceof SeccheckError) {
      failed ??= file;
      return { file, status: 'unreadable', error: p };
    }
    const r = results[i];
    if (r === undefined) return { file, status: 'not_loaded', after: failed ?? files[0] };
    if (r.ok) return { file, status: 'accepted', instructions: p.length, ebpfLength: r.ebpfLength };
    failed ??= file;
    return { file, status: 'rejected', instructions: p.length, rule: r.rule, errno: r.errno, insn: r.insn, reason: r.reason };
  });
}

/** The JSON line `seccheck check --json` prints (unreadable files are reported on stderr instead). */
export interface FileCheckRecord {
  readonly file: string;
  readonly accepted: boolean;
  readonly errno: string | null;
  readonly insn: number | null;
  readonly reason: string | null;
}

export function fileCheckRecord(c: Exclude<FileCheck, { status: 'unreadable' }>): FileCheckRecord {
  switch (c.status) {
    case 'accepted':
      return { file: c.file, accepted: true, errno: null, insn: null, reason: null };
    case 'rejected':
      return { file: c.file, accepted: false, errno: c.errno, insn: c.insn, reason: c.reason };
    case 'not_loaded':
      return { file: c.file, accepted: false, errno: null, insn: null, reason: notLoaded(c.after) };
  }
}

const notLoaded = (after: string): string => `not loaded: ${after} failed before it`;

/** "FILE: accepted (N instructions, eBPF length L)", "FILE: rejected: EINVAL at instruction 3: ...". */
export function formatFileCheck(c: FileCheck): string {
  switch (c.status) {
    case 'accepted':
      return `${c.file}: accepted (${c.instructions} instructions, eBPF length ${c.ebpfLength})`;
    case 'rejected':
      return `${c.file}: rejected: ${formatRejection(c)}`;
    case 'not_loaded':
      return `${c.file}: ${notLoaded(c.after)}`;
    case 'unreadable':
      return c.error.message;
  }
}
