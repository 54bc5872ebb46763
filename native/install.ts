// The kernel's answer to "would seccomp(2) accept this stack?" and "what does
// TSYNC do to the threads that already exist?", from a forked child of the
// probe library (native/src/install.c, install_tsync.c). No filter is ever
// installed in this process; every child has a deadline and is reaped
// before a call returns.
import { endianness } from 'node:os';
import {
  encodeProgram, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_TSYNC, type Program,
} from 'unicorn-bpf-emulator';
import { errnoName, requireProbeLibrary, type KoffiFunction, type ProbeLibrary } from './library.js';

/** Native byte order of struct sock_filter on this machine. */
const NATIVE_ENDIAN = endianness() === 'LE' ? 'little' : 'big';

const SC_OPT_NO_NNP = 1;
const SC_OPT_DROP_CAP_SYS_ADMIN = 2;
const SC_STEP_PENDING = -0x80000000;
const ETIMEDOUT = 110;

/** One seccomp(SECCOMP_SET_MODE_FILTER) call of a stack, as the kernel answered it. */
export interface KernelInstallStep {
  /** Position of the program in the stack (0 = installed first). */
  readonly index: number;
  /** The filter was attached. */
  readonly ok: boolean;
  /** seccomp(2)'s return value: 0, a listener fd (NEW_LISTENER), a sibling's TID (a TSYNC failure), or -1. */
  readonly ret: number;
  /** The errno name when ret is -1 ('EINVAL', 'ENOMEM', 'EACCES', 'EBUSY', 'ESRCH', ...), else null. */
  readonly errno: string | null;
  /** The child died of this signal inside seccomp(2): a filter installed before it killed the call. */
  readonly signal?: number;
  /** seccomp(2) had not returned at the deadline (a filter installed before it held the call, e.g. USER_NOTIF). */
  readonly timedOut?: boolean;
}

export interface KernelCheckOptions {
  /** Filter flags for every program, or one per program (missing entries: 0). Default 0. */
  readonly flags?: number | readonly number[];
  /** Set no_new_privs before the first install, as sandboxes do. Default true. */
  readonly noNewPrivs?: boolean;
  /**
   * Keep CAP_SYS_ADMIN in the child if the caller has it. Default false: it is
   * dropped, so that `noNewPrivs: false` shows the EACCES an unprivileged
   * sandbox gets even when seccheck runs as root.
   */
  readonly capSysAdmin?: boolean;
  /** Deadline for the whole stack. Default 10 s. */
  readonly timeoutMs?: number;
}

interface InstallBindings {
  readonly sc_check_install: KoffiFunction;
  readonly sc_check_tsync: KoffiFunction;
}

let bindings: InstallBindings | undefined;
let boundTo: ProbeLibrary['lib'] | undefined;

function bind(): InstallBindings {
  const { lib }: ProbeLibrary = requireProbeLibrary();
  if (bindings && boundTo === lib) return bindings;
  boundTo = lib;
  bindings = {
    sc_check_install: lib.func('int32_t sc_check_install(const void *insns, const void *lens, const void *flags, uint32_t n, uint32_t opts, uint32_t timeout_ms, void *out)'),
    sc_check_tsync: lib.func('int32_t sc_check_tsync(const void *insns, uint32_t len, uint32_t flags, uint32_t nthreads, uint32_t diverge_mask, int32_t probe_nr, uint32_t timeout_ms, void *res, void *threads)'),
  };
  return bindings;
}

/** The programs back to back as struct sock_filter bytes in native order, and their lengths. */
function flatten(stack: readonly Program[]): { insns: Uint8Array; lens: Uint32Array } {
  const lens = new Uint32Array(stack.length);
  const parts = stack.map((p, i) => {
    if (p.length > 0xffff) throw new RangeError(`program ${i} has ${p.length} instructions; struct sock_fprog's len is a u16`);
    lens[i] = p.length;
    return encodeProgram(p, NATIVE_ENDIAN);
  });
  const insns = new Uint8Array(Math.max(8, parts.reduce((s, b) => s + b.length, 0)));
  let off = 0;
  for (const b of parts) {
    insns.set(b, off);
    off += b.length;
  }
  return { insns, lens };
}

/** Did seccomp(2) with these flags and this return value attach the filter? */
export function installSucceeded(flags: number, ret: number): boolean {
  if (ret < 0) return false;
  // With TSYNC (and no listener fd to return) a positive value is the TID of the thread that could not be synced.
  if (ret > 0 && flags & SECCOMP_FILTER_FLAG_TSYNC && !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)) return false;
  return true;
}

/**
 * Load `stack` (oldest first) into one fresh forked child, one
 * seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog) call per program, as a
 * sandbox would, and report each call until the first failure. Later
 * calls run under the filters installed before them, exactly as in the
 * sandbox. Throws KernelProbeUnavailableError when the probe library is
 * not built.
 */
export function kernelCheck(stack: readonly Program[], opts: KernelCheckOptions = {}): KernelInstallStep[] {
  const n = stack.length;
  if (n === 0) return [];
  const { sc_check_install } = bind();
  const { insns, lens } = flatten(stack);
  const flagsOf = (i: number): number => (typeof opts.flags === 'number' ? opts.flags : opts.flags?.[i] ?? 0) >>> 0;
  const flags = Uint32Array.from({ length: n }, (_, i) => flagsOf(i));
  const out = new Int32Array(2 * n);
  let options = 0;
  if (opts.noNewPrivs === false) options |= SC_OPT_NO_NNP;
  if (opts.capSysAdmin !== true) options |= SC_OPT_DROP_CAP_SYS_ADMIN;
  const r = sc_check_install(insns, lens, flags, n, options, timeoutOf(opts.timeoutMs), out) as number;
  if (r < 0 && r !== -ETIMEDOUT) throw new Error(`the kernel probe failed: ${errnoName(-r)}`);
  const steps: KernelInstallStep[] = [];
  for (let i = 0; i < n; i++) {
    const ret = out[2 * i];
    const err = out[2 * i + 1];
    if (r < 0 ? ret === SC_STEP_PENDING : i >= r) {
      if (r < 0) steps.push({ index: i, ok: false, ret: -1, errno: null, timedOut: true });
      break;
    }
    if (ret === -1 && err < 0) {
      steps.push({ index: i, ok: false, ret, errno: null, signal: -err });
      break;
    }
    steps.push({ index: i, ok: installSucceeded(flags[i], ret), ret, errno: ret === -1 ? errnoName(err) : null });
  }
  return steps;
}

function timeoutOf(ms: number | undefined): number {
  if (ms === undefined) return 0;
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`timeoutMs must be a positive number of milliseconds (got ${ms})`);
  return Math.min(Math.ceil(ms), 0xffffffff);
}

// ---------------------------------------------------------------- TSYNC

/** Most sibling threads kernelTsync starts (SC_TSYNC_MAX_THREADS). */
export const TSYNC_MAX_THREADS = 16;
/** The errno of the guard filter the main thread installs before the program (SC_TSYNC_GUARD_ERRNO). */
export const TSYNC_GUARD_ERRNO = 3001;
/** The errno of a diverged sibling's own filter (SC_TSYNC_OWN_ERRNO). */
export const TSYNC_OWN_ERRNO = 3002;

/** What a thread's probe syscall did after the install. */
export type TsyncProbe =
  | { readonly kind: 'executed'; readonly ret: number }   // really ran: the thread has no filter that touches it
  | { readonly kind: 'errno'; readonly errno: number }    // refused with this errno (the guard's, the program's or the thread's own)
  | { readonly kind: 'trapped'; readonly data: number }   // SIGSYS from SECCOMP_RET_TRAP (data = si_errno)
  | { readonly kind: 'killed' }                           // the thread (or the process) died: a KILL action
  | { readonly kind: 'blocked' }                          // no answer before the step deadline
  | { readonly kind: 'not_run' };                         // the process died before this thread's turn

export interface TsyncThread {
  /** 0: the thread that installs the program; 1..threads: siblings started before the install. */
  readonly thread: number;
  readonly tid: number;
  /** This sibling installed its own filter before the main thread's install (so TSYNC cannot sync it). */
  readonly diverged: boolean;
  /** A diverged sibling's own seccomp(2): {ret, errno}; null for the others. */
  readonly ownInstall: { readonly ret: number; readonly errno: string | null } | null;
  /** The program under test applies to this thread (it carries the main thread's new filter chain). */
  readonly filtered: boolean;
  readonly probe: TsyncProbe;
  /** "Seccomp:" of /proc/PID/task/TID/status right after the install (0 none, 2 filter); null if unreadable. */
  readonly seccompMode: number | null;
  /** "Seccomp_filters:" likewise (the guard counts as one); null if unreadable. */
  readonly seccompFilters: number | null;
}

export interface KernelTsyncOptions {
  /** Sibling threads started before the install, 0..16. Default 3. */
  readonly threads?: number;
  /** Flags of the program's seccomp(2) call. Default SECCOMP_FILTER_FLAG_TSYNC. */
  readonly flags?: number;
  /** Siblings (1-based) that install a filter of their own first: TSYNC must then fail with the first one's TID (or ESRCH). */
  readonly diverge?: readonly number[];
  /** The syscall each thread makes after the install; one of the harmless getters (getpid, getppid, gettid, getuid, sched_yield, ...). Default getppid. */
  readonly probeNr?: number;
  /** Deadline for the whole run. Default 10 s. */
  readonly timeoutMs?: number;
}

export interface KernelTsyncResult {
  /** The program was attached (0, or a listener fd with NEW_LISTENER). */
  readonly ok: boolean;
  /** seccomp(2)'s return value: 0, a listener fd, the TID of the thread that could not be synced, or -1. */
  readonly ret: number;
  /** The errno name when ret is -1 ('EINVAL', 'ESRCH', ...), else null. */
  readonly errno: string | null;
  /** The thread whose TID came back (a TSYNC failure), or null. */
  readonly blockingThread: number | null;
  /** The guard filter's own install (always expected to succeed). */
  readonly guard: { readonly ret: number; readonly errno: string | null };
  /** Main thread first, then siblings 1..threads. */
  readonly threads: readonly TsyncThread[];
  /** The child process died of this signal during the probes (KILL_PROCESS, or TRAP without a handler), else null. */
  readonly signal: number | null;
}

const PROBE_STATE = ['not_run', 'returned', 'trapped', 'killed', 'blocked'] as const;

/**
 * Install `program` with `flags` in the main thread of a fresh child that
 * has started `threads` sibling threads first, and report which threads it
 * covers. The main thread first installs a guard filter without flags
 * (ERRNO(3001) for the probe syscall, else ALLOW), so a thread that carries
 * the new chain never really runs the probe while one that does not runs a
 * harmless getter. See native/src/probe.h, sc_check_tsync.
 */
export function kernelTsync(program: Program, opts: KernelTsyncOptions = {}): KernelTsyncResult {
  const nthreads = opts.threads ?? 3;
  if (!Number.isInteger(nthreads) || nthreads < 0 || nthreads > TSYNC_MAX_THREADS) {
    throw new RangeError(`threads must be an integer from 0 to ${TSYNC_MAX_THREADS} (got ${nthreads})`);
  }
  let divergeMask = 0;
  for (const t of opts.diverge ?? []) {
    if (!Number.isInteger(t) || t < 1 || t > nthreads) throw new RangeError(`diverge: sibling ${t} does not exist (siblings are 1..${nthreads})`);
    divergeMask |= 1 << (t - 1);
  }
  const flags = (opts.flags ?? SECCOMP_FILTER_FLAG_TSYNC) >>> 0;
  const { sc_check_tsync } = bind();
  const { insns } = flatten([program]);
  const res = new Int32Array(6);
  const THREAD_WORDS = 10; // struct sc_tsync_thread: int64 + 8 x int32 = 40 bytes
  const threadsBuf = new ArrayBuffer(THREAD_WORDS * 4 * (nthreads + 1));
  const r = sc_check_tsync(insns, program.length, flags, nthreads, divergeMask >>> 0, opts.probeNr ?? -1, timeoutOf(opts.timeoutMs), res, new Uint8Array(threadsBuf)) as number;
  if (r === -22) throw new RangeError(`kernelTsync: invalid arguments (probeNr ${opts.probeNr} must be a harmless getter such as getppid)`);
  if (r < 0) throw new Error(`the kernel probe failed: ${errnoName(-r)}`);
  const [guardRet, guardErr, ret, err, signal] = res;
  const ok = installSucceeded(flags, ret);
  const view = new DataView(threadsBuf);
  const little = NATIVE_ENDIAN === 'little';
  const threads: TsyncThread[] = [];
  for (let i = 0; i <= nthreads; i++) {
    const base = i * THREAD_WORDS * 4;
    const i32 = (w: number): number => view.getInt32(base + 8 + 4 * w, little);
    const probeRet = Number(view.getBigInt64(base, little));
    const [tid, ownRet, ownErr, mode, filters, state, siErrno] = [i32(0), i32(1), i32(2), i32(3), i32(4), i32(5) >>> 0, i32(6) >>> 0];
    const probe = probeOf(PROBE_STATE[state] ?? 'not_run', probeRet, siErrno);
    const diverged = i > 0 && (divergeMask & (1 << (i - 1))) !== 0;
    threads.push({
      thread: i,
      tid,
      diverged,
      ownInstall: diverged ? { ret: ownRet, errno: ownRet === -1 ? errnoName(ownErr) : null } : null,
      filtered: ok && carriesMainChain(probe),
      probe,
      seccompMode: mode < 0 ? null : mode,
      seccompFilters: filters < 0 ? null : filters,
    });
  }
  const blocking = ret > 0 && !ok ? threads.findIndex((t) => t.tid === ret) : -1;
  return {
    ok,
    ret,
    errno: ret === -1 ? errnoName(err) : null,
    blockingThread: blocking >= 0 ? blocking : null,
    guard: { ret: guardRet, errno: guardRet === -1 ? errnoName(guardErr) : null },
    threads,
    signal: signal > 0 ? signal : null,
  };
}

function probeOf(state: (typeof PROBE_STATE)[number], ret: number, siErrno: number): TsyncProbe {
  switch (state) {
    case 'returned':
      return ret < 0 && ret >= -4095 ? { kind: 'errno', errno: -ret } : { kind: 'executed', ret };
    case 'trapped':
      return { kind: 'trapped', data: siErrno };
    case 'killed':
      return { kind: 'killed' };
    case 'blocked':
      return { kind: 'blocked' };
    default:
      return { kind: 'not_run' };
  }
}

/**
 * A probe result that only the main thread's new chain (guard + program)
 * can give: anything but a real execution or the thread's own filter.
 * (The getters never fail when they really run.)
 */
function carriesMainChain(p: TsyncProbe): boolean {
  if (p.kind === 'executed' || p.kind === 'not_run') return false;
  if (p.kind === 'errno') return p.errno !== TSYNC_OWN_ERRNO;
  return true;
}
