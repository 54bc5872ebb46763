// cellos-supervisor 0.5.1's seccomp configuration (module `seccomp` of the
// supervisor, seed /work/shared/seeds/cellos-supervisor-0.5.1-seccomp.rs.txt):
// which program the `spec.run` child installs, decided by two environment
// variables, and the byte validation it applies to an operator's file.
// There is no input file: the "input" is the environment.
//
//   CELLOS_SUBPROCESS_SECCOMP  (trimmed; words compared ignoring ASCII case)
//     unset, "", "0", "off", "none"     -> no profile chosen
//     "1", "default", "baseline"        -> the bundled baseline denylist
//     "bpf", "path", "file"             -> the file in CELLOS_SECCOMP_BPF_PATH
//     anything else                     -> error
//   CELLOS_SECCOMP_BPF_PATH  (not trimmed; unset or "" means none)
//   and then (load_seccomp_program_from_env):
//     no profile, no path   -> no seccomp at all
//     no profile, a path    -> the file (even with CELLOS_SUBPROCESS_SECCOMP=off)
//     baseline, no path     -> the baseline; baseline + path -> error
//     bpf + path -> the file; bpf without a path -> error
import { checkFilter, decodeProgram, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, BPF_JUMP, BPF_STMT, OP,
  __X32_SYSCALL_BIT, bpfConvertFilterLength, MAX_INSNS_PER_PATH, PER_FILTER_PENALTY, type ArchInfo, type Insn } from 'unicorn-bpf-emulator';
import { SeccheckError } from '../errors.js';
import type { LoadedFilter, LoadOptions } from './filter.js';
import { hostArch } from './host_arch.js';
import { readInput } from './read_input.js';

export const CELLOS_PROFILE_VAR = 'CELLOS_SUBPROCESS_SECCOMP';
export const CELLOS_PATH_VAR = 'CELLOS_SECCOMP_BPF_PATH';

/** MAX_FILTER_LEN (seed line 11): 4096 * 8 bytes. */
export const CELLOS_MAX_FILTER_BYTES = 4096 * 8;
/** size_of::<libc::sock_filter>() (seed line 12). */
const SOCK_FILTER_SIZE = 8;
/** libc::EPERM. */
const EPERM = 1;

/** baseline_blocked_syscalls() (seed lines 168-188), in its order. */
export const CELLOS_BASELINE_SYSCALLS = [
  'ptrace', 'process_vm_readv', 'process_vm_writev', 'bpf', 'perf_event_open', 'keyctl', 'add_key', 'request_key',
  'mount', 'umount2', 'pivot_root', 'setns', 'unshare', 'init_module', 'finit_module', 'delete_module', 'kexec_load',
] as const;

/**
 * libc::SYS_* for those syscalls, per Rust target_arch the seed builds the
 * baseline for (SECCOMP_AUDIT_ARCH, seed lines 33-38). The x32 target is
 * target_arch "x86_64" too: AUDIT_ARCH_X86_64 with x32 numbers.
 */
const BASELINE_NUMBERS: Readonly<Record<string, readonly number[]>> = {
  x86_64: [101, 310, 311, 321, 298, 250, 248, 249, 165, 166, 155, 308, 272, 175, 313, 176, 246],
  aarch64: [117, 270, 271, 280, 241, 219, 217, 218, 40, 39, 41, 268, 97, 105, 273, 106, 104],
  x32: [521, 539, 540, 321, 298, 250, 248, 249, 165, 166, 155, 308, 272, 175, 313, 176, 528].map((n) => (n | __X32_SYSCALL_BIT) >>> 0),
};

/** The ABIs cellos's baseline exists for. */
export const CELLOS_BASELINE_ARCHES: readonly string[] = Object.keys(BASELINE_NUMBERS);

/** libc::SYS_<name> for a cellos baseline arch. */
export function cellosBaselineSyscallNumber(arch: string, name: (typeof CELLOS_BASELINE_SYSCALLS)[number]): number {
  return BASELINE_NUMBERS[arch][CELLOS_BASELINE_SYSCALLS.indexOf(name)];
}

/**
 * baseline_seccomp_program() (seed lines 147-166), instruction for
 * instruction: check arch (KILL_PROCESS otherwise), load nr, one
 * `jeq nr, 0, 1; ret ERRNO(EPERM)` pair per blocked syscall, ret ALLOW.
 * Any arch but x86_64 / aarch64 (and the x32 build) fails as the seed does.
 */
export function cellosBaselineProgram(arch: ArchInfo): Insn[] {
  const numbers = BASELINE_NUMBERS[arch.name];
  if (numbers === undefined) {
    throw new SeccheckError(undefined, 'cellos', `bundled baseline seccomp profile currently supports x86_64 and aarch64 only (not ${arch.name})`);
  }
  const program = [
    BPF_STMT(OP.LD_W_ABS, 4), // SECCOMP_DATA_ARCH_OFFSET
    BPF_JUMP(OP.JMP_JEQ_K, arch.auditArch, 1, 0),
    BPF_STMT(OP.RET_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(OP.LD_W_ABS, 0), // SECCOMP_DATA_NR_OFFSET
  ];
  for (const nr of numbers) {
    program.push(BPF_JUMP(OP.JMP_JEQ_K, nr, 0, 1));
    program.push(BPF_STMT(OP.RET_K, (SECCOMP_RET_ERRNO | EPERM) >>> 0));
  }
  program.push(BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW));
  return program;
}

/**
 * validate_seccomp_bpf_bytes() (seed lines 128-145): the whole of cellos's
 * check of a program. Returns its error message, or null when it passes.
 */
export function cellosValidateBytes(length: number): string | null {
  if (length === 0) return 'seccomp BPF program is empty';
  if (length % SOCK_FILTER_SIZE !== 0) return `seccomp BPF length ${length} is not a multiple of ${SOCK_FILTER_SIZE} (sock_filter size)`;
  if (length > CELLOS_MAX_FILTER_BYTES) return `seccomp BPF program too large (max ${CELLOS_MAX_FILTER_BYTES} bytes)`;
  return null;
}

/** What the environment selects (seed seccomp_selection_from_env + load_seccomp_program_from_env). */
export type CellosChoice =
  | { readonly kind: 'disabled'; readonly why: string }
  | { readonly kind: 'baseline' }
  | { readonly kind: 'file'; readonly path: string; readonly legacy: boolean; readonly profile: string | undefined };

/** Rust's char::is_whitespace (Unicode White_Space), which str::trim strips. */
const RUST_WHITESPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
/** str::trim (not JavaScript's trim, which also strips U+FEFF and keeps U+0085). */
export const rustTrim = (s: string): string => s.replace(RUST_WHITESPACE, '');
/** str::eq_ignore_ascii_case: only A-Z fold. */
const eqIgnoreAsciiCase = (a: string, b: string): boolean =>
  a.length === b.length && a.replace(/[A-Z]/g, (c) => c.toLowerCase()) === b.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Rust's `{:?}` of a str: quoted, with \", \\ and control characters escaped. */
export function rustDebugStr(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\0') out += '\\0';
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

const cellosError = (problem: string): SeccheckError => new SeccheckError(undefined, 'cellos', problem);

/**
 * Decide what cellos would install from its environment; the seed's errors
 * become SeccheckErrors carrying its exact message.
 */
export function cellosChoice(env: Readonly<Record<string, string | undefined>>): CellosChoice {
  // seccomp_bpf_path_from_env (seed lines 40-46): var_os, empty is none, not trimmed.
  const rawPath = env[CELLOS_PATH_VAR];
  const path = rawPath === undefined || rawPath === '' ? undefined : rawPath;
  // seccomp_selection_from_env (seed lines 91-118).
  const raw = env[CELLOS_PROFILE_VAR];
  let selection: 'baseline' | 'bpf' | undefined;
  if (raw !== undefined) {
    const value = rustTrim(raw);
    if (value === '' || value === '0' || eqIgnoreAsciiCase(value, 'off') || eqIgnoreAsciiCase(value, 'none')) selection = undefined;
    else if (value === '1' || eqIgnoreAsciiCase(value, 'default') || eqIgnoreAsciiCase(value, 'baseline')) selection = 'baseline';
    else if (eqIgnoreAsciiCase(value, 'bpf') || eqIgnoreAsciiCase(value, 'path') || eqIgnoreAsciiCase(value, 'file')) selection = 'bpf';
    else throw cellosError(`${CELLOS_PROFILE_VAR} must be one of: 1, default, baseline, bpf, 0, off, none (got ${rustDebugStr(value)})`);
  }
  // load_seccomp_program_from_env (seed lines 70-89).
  if (selection === undefined && path === undefined) {
    const why = raw === undefined ? `${CELLOS_PROFILE_VAR} and ${CELLOS_PATH_VAR} are unset` : `${CELLOS_PROFILE_VAR}=${JSON.stringify(raw)}`;
    return { kind: 'disabled', why };
  }
  if (selection === undefined) return { kind: 'file', path: path as string, legacy: true, profile: raw };
  if (selection === 'baseline') {
    if (path !== undefined) throw cellosError(`${CELLOS_PROFILE_VAR}=baseline cannot be combined with ${CELLOS_PATH_VAR} (${path})`);
    return { kind: 'baseline' };
  }
  if (path === undefined) throw cellosError(`${CELLOS_PROFILE_VAR}=bpf requires ${CELLOS_PATH_VAR}`);
  return { kind: 'file', path, legacy: false, profile: raw };
}

/** How far a program cellos accepts is from what seccomp(2) accepts. */
export interface CellosKernelFindings {
  /** Empty when seccomp(2) accepts the program as cellos installs it (flags 0, after PR_SET_NO_NEW_PRIVS). */
  readonly findings: string[];
  readonly kernelAccepts: boolean;
  /** eBPF instructions left on the path for filters the child already carries (null if rejected). */
  readonly pathBudget: number | null;
}

/**
 * Compare cellos's validation (length only) with the kernel's checker for a
 * program cellos accepted: an EINVAL cellos lets through surfaces only in the
 * child, as apply_seccomp_filter's io::Error, after the cell has started.
 */
export function cellosKernelFindings(program: readonly Insn[], bytes: number): CellosKernelFindings {
  const findings: string[] = [];
  const r = checkFilter(program);
  if (!r.accepted) {
    findings.push(
      `cellos accepts these ${bytes} bytes (its only check: a non-zero multiple of 8, at most ${CELLOS_MAX_FILTER_BYTES}) ` +
        `but seccomp(2) rejects the program with ${r.errno}${r.insn === null ? '' : ` at instruction ${r.insn}`}: ${r.reason}; ` +
        'the cell\'s child fails in apply_seccomp_filter before execve',
    );
    return { findings, kernelAccepts: false, pathBudget: null };
  }
  // MAX_FILTER_LEN is exactly BPF_MAXINSNS (the seed's comment says the kernel allows more; it does not),
  // so a maximal file is also the kernel's maximum; what is left for filters the child already carries
  // (a container runtime's, a parent's) is the per-path budget.
  const used = bpfConvertFilterLength(r.rewritten) + PER_FILTER_PENALTY;
  if (program.length === CELLOS_MAX_FILTER_BYTES / SOCK_FILTER_SIZE) {
    findings.push(
      `${program.length} instructions (eBPF length ${used - PER_FILTER_PENALTY}): seccomp(2) fails with ENOMEM if the child already carries ` +
        `filters of more than ${MAX_INSNS_PER_PATH - used} eBPF instructions in all (each counted +${PER_FILTER_PENALTY}; MAX_INSNS_PER_PATH ${MAX_INSNS_PER_PATH})`,
    );
  }
  return { findings, kernelAccepts: true, pathBudget: MAX_INSNS_PER_PATH - used };
}

/** The ABI cellos is built for: --arch, else the host's. */
function cellosArch(opts: LoadOptions): ArchInfo {
  const arch = opts.arch ?? hostArch();
  if (arch === undefined) throw cellosError(`cannot tell the host's arch (${process.arch}); give --arch`);
  return arch;
}

/**
 * Load what cellos-supervisor 0.5.1 would install in a cell's child, from
 * `opts.env` (default process.env). A disabled configuration is a single
 * empty program (no filter is installed) with a warning; seed errors are
 * SeccheckErrors with the seed's message; the file case carries the
 * disagreements between cellos's validation and the kernel as warnings.
 */
export function loadCellos(opts: LoadOptions = {}): LoadedFilter {
  const env = opts.env ?? process.env;
  const choice = cellosChoice(env);
  switch (choice.kind) {
    case 'disabled':
      return {
        source: 'cellos environment',
        format: 'cellos',
        programs: [{ thread: null, arch: opts.arch ?? null, program: [] }],
        warnings: [`seccomp disabled (${choice.why}): cellos applies no seccomp filter`],
        info: { selection: 'none' },
      };
    case 'baseline': {
      const arch = cellosArch(opts);
      const program = cellosBaselineProgram(arch);
      const warnings: string[] = [];
      if (arch.name === 'x86_64') {
        warnings.push('the baseline checks AUDIT_ARCH_X86_64 but not the x32 bit: x32 syscalls (nr | 0x40000000) skip the denylist and are allowed where the kernel has x32 enabled');
      }
      return {
        source: `cellos baseline (${arch.name})`,
        format: 'cellos',
        programs: [{ thread: null, arch, program }],
        warnings,
        info: { selection: 'baseline', arch: arch.name },
      };
    }
    case 'file': {
      const warnings: string[] = [];
      if (choice.legacy && choice.profile !== undefined) {
        warnings.push(`${CELLOS_PROFILE_VAR}=${JSON.stringify(choice.profile)} does not disable seccomp while ${CELLOS_PATH_VAR} is set: cellos loads the file`);
      }
      let bytes: Uint8Array;
      try {
        bytes = readInput(choice.path);
      } catch (e) {
        if (e instanceof SeccheckError) throw new SeccheckError(choice.path, undefined, `${CELLOS_PATH_VAR}: ${e.problem}`);
        throw e;
      }
      const invalid = cellosValidateBytes(bytes.length);
      if (invalid !== null) throw new SeccheckError(choice.path, undefined, `cellos rejects it: ${invalid}`);
      // cellos hands the bytes to the kernel as they are: native byte order.
      const arch = opts.arch ?? null;
      const program = decodeProgram(bytes, arch?.endian ?? opts.endian ?? 'little');
      const k = cellosKernelFindings(program, bytes.length);
      warnings.push(...k.findings);
      return {
        source: choice.path,
        format: 'cellos',
        programs: [{ thread: null, arch, program }],
        warnings,
        info: { selection: choice.legacy ? 'path (legacy: profile unset)' : 'bpf', path: choice.path, kernelAccepts: String(k.kernelAccepts), pathBudget: String(k.pathBudget) },
      };
    }
  }
}
