// seccomp(SECCOMP_SET_MODE_FILTER) as seccomp_set_mode_filter decides it,
// in the kernel's order of errors (SEMANTICS §2.1), for a stack of filters
// loaded one after another into one task.
import { decodeAction } from './actions.js';
import type { Program } from './bpf.js';
import { checkFilter, type CheckRejected, type CheckRule } from './check.js';
import { compileFilter } from './compile.js';
import { ERRNO, type ErrnoName } from './errno.js';
import { FilterStack, type FilterFn } from './stack.js';
import { fitsOnPath, MAX_INSNS_PER_PATH, PER_FILTER_PENALTY } from './ebpf_length.js';
import { compareKernel, LATEST_KNOWN_KERNEL, type KernelVersion } from './kernel_version.js';

export const SECCOMP_FILTER_FLAG_TSYNC = 1 << 0;
export const SECCOMP_FILTER_FLAG_LOG = 1 << 1;
export const SECCOMP_FILTER_FLAG_SPEC_ALLOW = 1 << 2;
export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3;
export const SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 1 << 4;
export const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 1 << 5;

export const SECCOMP_MODE_DISABLED = 0;
export const SECCOMP_MODE_STRICT = 1;
export const SECCOMP_MODE_FILTER = 2;

/** SECCOMP_FILTER_FLAG_MASK for a kernel version (flags appear in 4.14, 4.17, 5.0, 5.7, 5.19). */
export function filterFlagMask(kernel: KernelVersion = LATEST_KNOWN_KERNEL): number {
  const since: [number, number, number][] = [
    [SECCOMP_FILTER_FLAG_TSYNC, 3, 17],
    [SECCOMP_FILTER_FLAG_LOG, 4, 14],
    [SECCOMP_FILTER_FLAG_SPEC_ALLOW, 4, 17],
    [SECCOMP_FILTER_FLAG_NEW_LISTENER, 5, 0],
    [SECCOMP_FILTER_FLAG_TSYNC_ESRCH, 5, 7],
    [SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 5, 19],
  ];
  let mask = 0;
  for (const [flag, major, minor] of since) {
    if (compareKernel(kernel, { major, minor, patch: 0 }) >= 0) mask |= flag;
  }
  return mask;
}

/** The seccomp state of the calling task that installation depends on. */
export interface TaskState {
  readonly mode: typeof SECCOMP_MODE_DISABLED | typeof SECCOMP_MODE_STRICT | typeof SECCOMP_MODE_FILTER;
  readonly noNewPrivs: boolean;
  readonly capSysAdmin: boolean;
  /** eBPF lengths of the filters already on the task's path, oldest first. */
  readonly chain: readonly number[];
  /** Some filter on the path still has an open listener fd. */
  readonly liveListener: boolean;
  /**
   * The filters on the path, compiled, oldest first. With `installer`, each
   * later seccomp(2) call is itself a syscall these filters judge, at
   * syscall entry, before seccomp's own checks: an earlier filter that
   * denies seccomp makes the next install fail (the kernel engine showed it).
   */
  readonly filters?: readonly FilterFn[];
  /** The ABI the installing seccomp(2) call is made in, and its __NR_seccomp (x86_64: 317, aarch64: 277). */
  readonly installer?: SeccompCaller;
  /** Names errno values the emulator's own short table lacks (default "errno N"). */
  readonly errnoName?: (n: number) => string | undefined;
}

export interface SeccompCaller {
  readonly auditArch: number;
  readonly endian: 'little' | 'big';
  /** __NR_seccomp of that ABI. */
  readonly nr: number;
}

/**
 * seccomp_data of `seccomp(SECCOMP_SET_MODE_FILTER, flags, ptr)` as the
 * filters see it; the pointer and the instruction pointer are not known and
 * read as 0.
 */
export function installerWords(caller: SeccompCaller, flags = 0): Uint32Array {
  const w = new Uint32Array(16);
  w[0] = caller.nr >>> 0;
  w[1] = caller.auditArch >>> 0;
  const lo = caller.endian === 'little' ? 0 : 1;
  w[4 + lo] = 1; // SECCOMP_SET_MODE_FILTER
  w[6 + lo] = flags >>> 0;
  return w;
}

/** A task as a sandbox sets it up: NNP set, no filters yet. */
export const FRESH_TASK: TaskState = { mode: SECCOMP_MODE_DISABLED, noNewPrivs: true, capSysAdmin: false, chain: [], liveListener: false };

export type InstallRule =
  | CheckRule
  | 'flags'                // unknown flag bits
  | 'tsync_listener'       // TSYNC | NEW_LISTENER without TSYNC_ESRCH
  | 'wait_killable_recv'   // WAIT_KILLABLE_RECV without NEW_LISTENER
  | 'fprog_fault'          // struct sock_fprog not readable (NULL uargs)
  | 'permission'           // neither no_new_privs nor CAP_SYS_ADMIN
  | 'mode'                 // task is in strict mode
  | 'listener_busy'        // has_duplicate_listener
  | 'path_length'          // MAX_INSNS_PER_PATH exceeded
  | 'seccomp_filtered';    // the seccomp(2) call itself was denied by a filter already installed

export interface InstallRejected {
  readonly ok: false;
  /** The errno seccomp(2) failed with; null when a filter already installed killed the caller (`signal`). */
  readonly errno: ErrnoName | (string & {}) | null;
  /** The signal that ended the caller inside seccomp(2) (SIGSYS: a KILL or TRAP of an earlier filter). */
  readonly signal?: number;
  readonly insn: number | null;
  readonly rule: InstallRule;
  readonly reason: string;
}

export interface InstallAccepted {
  readonly ok: true;
  /** The task after the filter was attached. */
  readonly task: TaskState;
  /** eBPF length of the attached filter. */
  readonly ebpfLength: number;
}

export type InstallResult = InstallAccepted | InstallRejected;

const fail = (rule: InstallRule, errno: ErrnoName | (string & {}), reason: string, insn: number | null = null): InstallRejected => ({ ok: false, errno, insn, rule, reason });

/**
 * One seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog) call. `program` null
 * models a NULL `uargs` (EFAULT). TSYNC's sibling-thread check is not
 * modelled here (the emulated task has one thread); the kernel engine does it.
 */
export function seccompSetModeFilter(task: TaskState, flags: number, program: Program | null, kernel: KernelVersion = LATEST_KNOWN_KERNEL): InstallResult {
  const f = flags >>> 0;
  const filtered = installCallVerdict(task, f, kernel);
  if (filtered) return filtered;
  if (f & ~filterFlagMask(kernel)) return fail('flags', 'EINVAL', `unknown filter flags 0x${(f & ~filterFlagMask(kernel) >>> 0).toString(16)}`);
  if (f & SECCOMP_FILTER_FLAG_TSYNC && f & SECCOMP_FILTER_FLAG_NEW_LISTENER && !(f & SECCOMP_FILTER_FLAG_TSYNC_ESRCH)) {
    return fail('tsync_listener', 'EINVAL', 'TSYNC with NEW_LISTENER needs TSYNC_ESRCH');
  }
  if (f & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && !(f & SECCOMP_FILTER_FLAG_NEW_LISTENER)) {
    return fail('wait_killable_recv', 'EINVAL', 'WAIT_KILLABLE_RECV needs NEW_LISTENER');
  }
  if (program === null) return fail('fprog_fault', 'EFAULT', 'struct sock_fprog pointer is NULL');
  if (program.length === 0 || program.length > 4096) {
    const r = checkFilter(program) as CheckRejected;
    return fail(r.rule, r.errno, r.reason, r.insn);
  }
  if (!task.noNewPrivs && !task.capSysAdmin) return fail('permission', 'EACCES', 'the task has neither no_new_privs nor CAP_SYS_ADMIN');
  const checked = checkFilter(program);
  if (!checked.accepted) return fail(checked.rule, checked.errno, checked.reason, checked.insn);
  if (task.mode === SECCOMP_MODE_STRICT) return fail('mode', 'EINVAL', 'the task is in strict mode');
  const newListener = (f & SECCOMP_FILTER_FLAG_NEW_LISTENER) !== 0;
  if (newListener && task.liveListener) return fail('listener_busy', 'EBUSY', 'a filter on this path already has a live listener');
  if (!fitsOnPath(checked.ebpfLength, task.chain)) {
    const used = task.chain.reduce((s, l) => s + l + PER_FILTER_PENALTY, 0);
    return fail('path_length', 'ENOMEM', `path length ${used} + ${checked.ebpfLength} eBPF instructions exceeds MAX_INSNS_PER_PATH (${MAX_INSNS_PER_PATH})`);
  }
  return {
    ok: true,
    ebpfLength: checked.ebpfLength,
    task: {
      ...task,
      mode: SECCOMP_MODE_FILTER,
      chain: [...task.chain, checked.ebpfLength],
      liveListener: task.liveListener || newListener,
      filters: task.installer ? [...(task.filters ?? []), compileFilter(checked.rewritten, { check: false })] : task.filters,
    },
  };
}

/** What the filters already on the path do to this seccomp(2) call; null when they let it run. */
function installCallVerdict(task: TaskState, flags: number, kernel: KernelVersion): InstallRejected | null {
  if (!task.installer || !task.filters?.length) return null;
  const words = installerWords(task.installer, flags);
  const action = decodeAction(new FilterStack(task.filters, { kernel }).run(words).raw);
  const why = 'the seccomp(2) call is itself filtered by the filters already installed';
  switch (action.kind) {
    case 'ALLOW':
    case 'LOG':
      return null;
    case 'ERRNO': {
      const known = Object.entries(ERRNO).find(([, v]) => v === action.data)?.[0];
      const name = known ?? task.errnoName?.(action.data) ?? `errno ${action.data}`;
      return fail('seccomp_filtered', name, `${why}: ERRNO(${action.data})`);
    }
    case 'TRACE':
    case 'USER_NOTIF':
      return fail('seccomp_filtered', 'ENOSYS', `${why}: ${action.kind} with nobody attached`);
    default:
      // KILL_*, unknown actions, and TRAP without a SIGSYS handler: the caller dies by SIGSYS.
      return { ok: false, errno: null, signal: 31, insn: null, rule: 'seccomp_filtered', reason: `${why}: ${action.kind}; the caller is killed by SIGSYS` };
  }
}

/** Result of loading one filter of a stack. */
export type StackLoadResult = InstallResult & { readonly index: number };

/**
 * Load `programs` in order into one task, as a sandbox calling seccomp(2)
 * once per filter would. Loading stops at the first failure (its result is
 * the last element).
 */
export function checkStack(programs: readonly Program[], opts: { flags?: number; task?: TaskState; kernel?: KernelVersion } = {}): StackLoadResult[] {
  let task = opts.task ?? FRESH_TASK;
  const out: StackLoadResult[] = [];
  for (let i = 0; i < programs.length; i++) {
    const r = seccompSetModeFilter(task, opts.flags ?? 0, programs[i], opts.kernel);
    out.push({ ...r, index: i });
    if (!r.ok) break;
    task = r.task;
  }
  return out;
}
