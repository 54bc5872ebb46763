// Return values of a seccomp filter (include/uapi/linux/seccomp.h), decoded
// as __seccomp_filter dispatches them, and the Outcome a process observes.
import { MAX_ERRNO } from './errno.js';

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_KILL = SECCOMP_RET_KILL_THREAD;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_ACTION = 0x7fff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;

/** SIGSYS on x86_64 and arm64 (and every arch seccheck models). */
export const SIGSYS = 31;
/** si_code of a seccomp SIGSYS. */
export const SYS_SECCOMP = 1;
const ENOSYS = 38;

export type ActionKind =
  | 'KILL_PROCESS' | 'KILL_THREAD' | 'TRAP' | 'ERRNO'
  | 'USER_NOTIF' | 'TRACE' | 'LOG' | 'ALLOW';

export const ACTION_VALUES: Readonly<Record<ActionKind, number>> = {
  KILL_PROCESS: SECCOMP_RET_KILL_PROCESS,
  KILL_THREAD: SECCOMP_RET_KILL_THREAD,
  TRAP: SECCOMP_RET_TRAP,
  ERRNO: SECCOMP_RET_ERRNO,
  USER_NOTIF: SECCOMP_RET_USER_NOTIF,
  TRACE: SECCOMP_RET_TRACE,
  LOG: SECCOMP_RET_LOG,
  ALLOW: SECCOMP_RET_ALLOW,
};

/** A filter's (or a stack's) return value, decoded as the kernel dispatches it. */
export interface Action {
  /** What the kernel does. Unknown action values are KILL_PROCESS (the switch's default). */
  readonly kind: ActionKind;
  /**
   * The data the kernel uses: the errno (capped at MAX_ERRNO) for ERRNO,
   * si_errno for TRAP, the event message for TRACE; 0 for actions that
   * ignore it (KILL_*, USER_NOTIF, LOG, ALLOW).
   */
  readonly data: number;
  /** The 32-bit value the filter returned. */
  readonly raw: number;
  /** True when raw & SECCOMP_RET_ACTION_FULL is none of the eight actions. */
  readonly unknown: boolean;
}

const KIND_BY_VALUE = new Map<number, ActionKind>(
  Object.entries(ACTION_VALUES).map(([k, v]) => [v >>> 0, k as ActionKind]),
);

/** Decode a 32-bit return value as __seccomp_filter's switch does. */
export function decodeAction(raw: number): Action {
  const r = raw >>> 0;
  const action = (r & SECCOMP_RET_ACTION_FULL) >>> 0;
  const bits = r & SECCOMP_RET_DATA;
  const kind = KIND_BY_VALUE.get(action);
  if (kind === undefined) return { kind: 'KILL_PROCESS', data: 0, raw: r, unknown: true };
  let data = 0;
  if (kind === 'ERRNO') data = Math.min(bits, MAX_ERRNO);
  else if (kind === 'TRAP' || kind === 'TRACE') data = bits;
  return { kind, data, raw: r, unknown: false };
}

/** Encode an action kind and data as a filter return value. */
export function actionValue(kind: ActionKind, data = 0): number {
  return (ACTION_VALUES[kind] | (data & SECCOMP_RET_DATA)) >>> 0;
}

/** "ERRNO(1)", "ALLOW", "TRAP(0xbeef)", "0x00010000 (unknown: KILL_PROCESS)". */
export function formatAction(raw: number): string {
  const a = decodeAction(raw);
  const r = raw >>> 0;
  if (a.unknown) return `0x${r.toString(16).padStart(8, '0')} (unknown action: KILL_PROCESS)`;
  const bits = r & SECCOMP_RET_DATA;
  switch (a.kind) {
    case 'ERRNO':
      return `ERRNO(${bits})`;
    case 'TRAP':
    case 'TRACE':
      return `${a.kind}(${bits})`;
    default:
      return bits ? `${a.kind}(${bits})` : a.kind;
  }
}

/**
 * The order in which seccomp_run_filters combines results: is `cur` stronger
 * than `best`? Signed compare of the ACTION_FULL bits; strict, so among equal
 * actions the first evaluated (the newest filter) stays.
 */
export function actionBeats(cur: number, best: number): boolean {
  return (cur & SECCOMP_RET_ACTION_FULL) < (best & SECCOMP_RET_ACTION_FULL);
}

/**
 * seccomp(SECCOMP_GET_ACTION_AVAIL) (seccomp_get_action_avail): an action is
 * available only if the value is exactly one of the eight action constants,
 * data bits zero; anything else is EOPNOTSUPP (SEMANTICS §4.1, §6.1 #34).
 */
export function seccompGetActionAvail(action: number): { readonly ok: true } | { readonly ok: false; readonly errno: 'EOPNOTSUPP' } {
  return KIND_BY_VALUE.has(action >>> 0) ? { ok: true } : { ok: false, errno: 'EOPNOTSUPP' };
}

/** What the process around the syscall looks like; it decides some outcomes. */
export interface ProcessContext {
  /** KILL_THREAD kills the whole process when the caller is the only live thread. */
  readonly threads: 'single' | 'multi';
  /** A ptrace tracer with PTRACE_O_TRACESECCOMP is attached. */
  readonly tracer: boolean;
  /** The matching USER_NOTIF filter has a live listener fd. */
  readonly listener: boolean;
  /**
   * How the calling thread treats SIGSYS; decides what TRAP does. Absent
   * means 'handler' (a handler is installed and SIGSYS is not blocked).
   * Added for SEMANTICS §3.5 / §6.2 #52: force_sig_seccomp resets an
   * ignored or blocked SIGSYS to its default, so the process dies by SIGSYS
   * [V r_trap_ignored, r_trap_blocked]; with no handler it dies the same way.
   */
  readonly sigsys?: 'handler' | 'default' | 'ignored' | 'blocked';
}

export const DEFAULT_CONTEXT: ProcessContext = { threads: 'single', tracer: false, listener: false };

/** What can be observed from outside a process for one syscall. */
export type Outcome =
  /** Killed by SIGSYS: the whole process, or only the calling thread. */
  | { readonly kind: 'killed'; readonly signal: typeof SIGSYS; readonly scope: 'process' | 'thread' }
  /** SIGSYS delivered to a handler; the syscall did not run. */
  | { readonly kind: 'trap'; readonly signal: typeof SIGSYS; readonly si_errno: number; readonly si_syscall: number; readonly si_arch: number }
  /** The syscall did not run and returned -errno (errno 0: returned 0). */
  | { readonly kind: 'errno'; readonly errno: number }
  /** TRACE or USER_NOTIF with nobody attached: -ENOSYS, the syscall did not run. */
  | { readonly kind: 'enosys'; readonly errno: typeof ENOSYS; readonly action: 'TRACE' | 'USER_NOTIF' }
  /** TRACE with a tracer: a PTRACE_EVENT_SECCOMP stop carrying `data`. */
  | { readonly kind: 'traced'; readonly data: number }
  /** USER_NOTIF with a listener: the thread waits for the supervisor's reply. */
  | { readonly kind: 'notified' }
  /** The syscall runs (ALLOW, or LOG which also logs). */
  | { readonly kind: 'allowed'; readonly logged: boolean };

/** Map the stack's decoded action to what a process would observe. */
export function actionOutcome(action: Action, data: { nr: number; arch: number }, ctx: ProcessContext = DEFAULT_CONTEXT): Outcome {
  switch (action.kind) {
    case 'KILL_PROCESS':
      return { kind: 'killed', signal: SIGSYS, scope: 'process' };
    case 'KILL_THREAD':
      return { kind: 'killed', signal: SIGSYS, scope: ctx.threads === 'single' ? 'process' : 'thread' };
    case 'TRAP':
      // No usable handler (default, ignored or blocked SIGSYS): the process dies by SIGSYS (§6.2 #52).
      if (ctx.sigsys !== undefined && ctx.sigsys !== 'handler') return { kind: 'killed', signal: SIGSYS, scope: 'process' };
      return { kind: 'trap', signal: SIGSYS, si_errno: action.data, si_syscall: data.nr | 0, si_arch: data.arch >>> 0 };
    case 'ERRNO':
      return { kind: 'errno', errno: action.data };
    case 'USER_NOTIF':
      return ctx.listener ? { kind: 'notified' } : { kind: 'enosys', errno: ENOSYS, action: 'USER_NOTIF' };
    case 'TRACE':
      return ctx.tracer ? { kind: 'traced', data: action.data } : { kind: 'enosys', errno: ENOSYS, action: 'TRACE' };
    case 'LOG':
      return { kind: 'allowed', logged: true };
    case 'ALLOW':
      return { kind: 'allowed', logged: false };
  }
}

/** One-line description of an outcome, for reports. */
export function formatOutcome(o: Outcome): string {
  switch (o.kind) {
    case 'killed':
      return `killed by SIGSYS (${o.scope})`;
    case 'trap':
      return `SIGSYS trap (si_errno=${o.si_errno}, si_syscall=${o.si_syscall}, si_arch=0x${o.si_arch.toString(16)})`;
    case 'errno':
      return o.errno === 0 ? 'returns 0 without running' : `errno ${o.errno}`;
    case 'enosys':
      return `ENOSYS (${o.action} with nobody attached)`;
    case 'traced':
      return `ptrace seccomp stop (data ${o.data})`;
    case 'notified':
      return 'waits for the user-notification supervisor';
    case 'allowed':
      return o.logged ? 'runs (logged)' : 'runs';
  }
}
