// Guarded syscall probes: run syscalls under a real filter stack in a
// child process and report what the kernel did, as the emulator's Outcome
// type (sc_run in native/src/probe.c, through koffi). No syscall under test
// ever executes unless `execute` is set, and then only native getpid,
// getppid, gettid, getuid, geteuid, getgid, getegid and uname (and on
// x86_64 x32 getpid 0x40000027 and i386 getpid 20) that the stack allows. The filters are installed in children only; every child is
// reaped before kernelRun returns.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Outcome, Program } from 'unicorn-bpf-emulator';
import { errnoName, loadProbeLibrary, type KoffiFunction } from './library.js';

export interface KernelCase {
  /** How the syscall is made: `syscall` (native), `int $0x80` from the 64-bit child (i386), or `syscall` with nr carrying 0x40000000 (x32). */
  readonly abi: 'native' | 'i386' | 'x32';
  /** The number as the filter sees it (x32: with 0x40000000). */
  readonly nr: number;
  /** Up to six argument registers, full 64-bit (missing ones are 0). */
  readonly args: readonly bigint[];
}

export interface KernelRunOptions {
  /** 'multi': the syscall runs in a second thread, so KILL_THREAD kills only that thread (default 'single'). */
  readonly threads?: 'single' | 'multi';
  /**
   * Really run allowed syscalls from the safe list (native getpid, getppid, gettid, getuid, geteuid, getgid, getegid, uname;
   * on x86_64 also x32 getpid 0x40000027 and i386 getpid 20): {kind: 'executed'}, ret what the kernel returned
   * (x32 getpid on a kernel without x32 support: -38, ENOSYS after the filters let it through).
   */
  readonly execute?: boolean;
  /** Deadline per case: a child that makes no progress for this long is killed and the case is {kind: 'timeout'} (default 2000). */
  readonly timeoutMs?: number;
  /**
   * The newest filter gets a USER_NOTIF listener that nobody answers: its
   * USER_NOTIF cases wait for the supervisor (the emulator's 'notified' with
   * ctx.listener) and end as {kind: 'timeout'} after timeoutMs.
   */
  readonly listener?: boolean;
  /**
   * The probe runs under a seccomp filter of its own (a container runtime's
   * profile) and the outcomes are those of that filter and the stack
   * together, as in production (SC_RUN_OUTER). Without it such a probe
   * refuses with EALREADY.
   */
  readonly outer?: boolean;
}

/**
 * What the kernel showed for each case (same order), as the emulator's
 * Outcome type for the default context (no tracer, no listener), or a
 * probe-level result. LOG cannot be told from ALLOW without the audit log,
 * so both are {kind: 'allowed', logged: false}. `install_failed.errno` is
 * the errno name seccomp(2) gave ("EINVAL"), or "SIGSYS" when a filter under
 * test trapped or killed the probe's own seccomp() call for a later filter.
 * `skipped`: the probe did not make the syscall because the kernel would run
 * it without consulting any filter (x86_64 native uretprobe 335 and uprobe
 * 336 on recent kernels; the emulator's `bypass` list), so it cannot be
 * made without really running it; or the stack's action is weaker than TRACE
 * and the stack can return an unknown action in that band (RET A, or a
 * constant such as 0x7ffe0000), so ALLOW/LOG (the syscall would run) and
 * that unknown action (KILL_PROCESS) cannot be told apart without running
 * the syscall (with `execute`, safe-list syscalls are run and resolved).
 */
export type KernelOutcome =
  | Outcome
  | { readonly kind: 'timeout' }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'install_failed'; readonly errno: string }
  | { readonly kind: 'executed'; readonly ret: bigint };

// enum sc_abi / sc_kind and the options (native/src/probe.h).
const ABI = { native: 0, i386: 1, x32: 2 } as const;
const SC_RUN_MULTI = 1;
const SC_RUN_EXECUTE = 2;
const SC_RUN_LISTENER = 4;
const SC_RUN_OUTER = 8;
export const enum Kind {
  NotRun = 0, KilledProcess = 1, KilledThread = 2, Trap = 3, Errno = 4, EnosysTrace = 5, EnosysNotif = 6,
  Allowed = 7, Traced = 8, Notified = 9, Timeout = 10, InstallFailed = 11, Executed = 12, Weak = 13,
}
const SIGSYS = 31;
/** sizeof(struct sc_case), sizeof(struct sc_outcome), sizeof(struct sock_filter). */
const CASE_SIZE = 56;
const OUTCOME_SIZE = 40;
const INSN_SIZE = 8;

let scRun: KoffiFunction | undefined;

/** Why the kernel probe cannot run here, or null when it can. */
export function kernelProbeUnavailable(): string | null {
  const r = loadProbeLibrary();
  if ('unavailable' in r) return r.unavailable;
  if (process.arch !== 'x64' && process.arch !== 'arm64') return `the guarded kernel probe is written for x86_64 and aarch64 (this is ${process.arch})`;
  if (underSeccomp()) return UNDER_SECCOMP;
  return null;
}

const UNDER_SECCOMP = 'this process already runs under a seccomp filter (Seccomp: 2 in /proc/self/status, e.g. inside a container); every probe child would inherit it, so the kernel would show that filter and the stack together';

/** Is the calling thread under a seccomp filter (which every probe child would inherit)? */
function underSeccomp(): boolean {
  try {
    const m = /^Seccomp:\s*(\d+)/m.exec(readFileSync('/proc/thread-self/status', 'utf8'));
    return m !== null && m[1] !== '0';
  } catch {
    return false; // sc_run checks again (prctl PR_GET_SECCOMP) and refuses with EALREADY
  }
}

function binding(): KoffiFunction {
  if (scRun) return scRun;
  const r = loadProbeLibrary();
  if ('unavailable' in r) throw new Error(r.unavailable);
  scRun = r.lib.func('int32_t sc_run(const void *insns, const uint32_t *lens, uint32_t n, const void *cases, uint32_t ncases, uint32_t opts, uint32_t timeout_ms, void *out)');
  return scRun;
}


/**
 * Run every case under `stack` (oldest filter first) in guarded children and
 * report what the kernel did. The filters are installed one after another as
 * in any process, so each one also filters the seccomp() call that installs
 * the next: a stack whose earlier filter refuses seccomp() (ERRNO, TRAP, KILL,
 * TRACE/USER_NOTIF with nobody attached) cannot exist on a real kernel and
 * every case is {kind: 'install_failed'} (the emulator's FilterStack does not
 * model this). A case's instruction_pointer is the probe's own.
 */
export function kernelRun(stack: readonly Program[], cases: readonly KernelCase[], opts: KernelRunOptions = {}): KernelOutcome[] {
  if (cases.length === 0) return [];
  const fn = binding();
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

  const total = stack.reduce((n, p) => n + p.length, 0);
  const insns = Buffer.alloc(Math.max(total * INSN_SIZE, 8));
  const lens = new Uint32Array(Math.max(stack.length, 1));
  let at = 0;
  stack.forEach((p, i) => {
    lens[i] = p.length;
    for (const ins of p) {
      // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } in native byte order.
      if (little) insns.writeUInt16LE(ins.code & 0xffff, at);
      else insns.writeUInt16BE(ins.code & 0xffff, at);
      insns[at + 2] = ins.jt & 0xff;
      insns[at + 3] = ins.jf & 0xff;
      if (little) insns.writeUInt32LE(ins.k >>> 0, at + 4);
      else insns.writeUInt32BE(ins.k >>> 0, at + 4);
      at += INSN_SIZE;
    }
  });

  const cs = Buffer.alloc(cases.length * CASE_SIZE);
  cases.forEach((c, i) => {
    const o = i * CASE_SIZE;
    const abi = ABI[c.abi];
    if (abi === undefined) throw new RangeError(`case ${i}: unknown abi ${String(c.abi)}`);
    if (c.args.length > 6) throw new RangeError(`case ${i}: ${c.args.length} args (at most 6)`);
    if (little) {
      cs.writeUInt32LE(abi, o);
      cs.writeInt32LE(c.nr | 0, o + 4);
      for (let a = 0; a < 6; a++) cs.writeBigUInt64LE(BigInt.asUintN(64, c.args[a] ?? 0n), o + 8 + 8 * a);
    } else {
      cs.writeUInt32BE(abi, o);
      cs.writeInt32BE(c.nr | 0, o + 4);
      for (let a = 0; a < 6; a++) cs.writeBigUInt64BE(BigInt.asUintN(64, c.args[a] ?? 0n), o + 8 + 8 * a);
    }
  });

  const flags = (opts.threads === 'multi' ? SC_RUN_MULTI : 0) | (opts.execute ? SC_RUN_EXECUTE : 0) | (opts.listener ? SC_RUN_LISTENER : 0) | (opts.outer ? SC_RUN_OUTER : 0);
  const timeout = opts.timeoutMs ?? 2000;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 0xffffffff) throw new RangeError(`timeoutMs must be a positive integer, got ${timeout}`);
  const out = Buffer.alloc(cases.length * OUTCOME_SIZE);
  const r = fn(insns, lens, stack.length, cs, cases.length, flags, timeout, out) as number;
  if (r < 0) {
    if (-r === constants.errno.EALREADY) throw new Error(`kernel probe refused: ${UNDER_SECCOMP}`);
    throw new Error(`kernel probe failed: ${errnoName(-r)}${-r === constants.errno.EPERM ? ' (is ptrace of our own children allowed here? Yama ptrace_scope >= 2 forbids it)' : ''}`);
  }
  if (r !== cases.length) throw new Error(`kernel probe returned ${r} outcomes for ${cases.length} cases`);

  const result: KernelOutcome[] = [];
  for (let i = 0; i < cases.length; i++) result.push(decodeOutcome(out, i * OUTCOME_SIZE, little, i, cases[i].nr));
  return result;
}

/** The fields of one struct sc_outcome (probe.h), from the library's buffer or the executable's JSON line. */
export interface RawOutcome {
  readonly kind: Kind;
  readonly errnoVal: number;
  readonly siErrno: number;
  readonly siSyscall: number;
  readonly siArch: number;
  readonly data: number;
  readonly signal: number;
  readonly ret: bigint;
}

function decodeOutcome(b: Buffer, o: number, little: boolean, i: number, nr: number): KernelOutcome {
  const u32 = (off: number): number => (little ? b.readUInt32LE(o + off) : b.readUInt32BE(o + off));
  const i32 = (off: number): number => (little ? b.readInt32LE(o + off) : b.readInt32BE(o + off));
  return kernelOutcomeOf({
    kind: u32(0) as Kind, errnoVal: i32(4), siErrno: u32(8), siSyscall: i32(12), siArch: u32(16), data: u32(20), signal: i32(24),
    ret: little ? b.readBigInt64LE(o + 32) : b.readBigInt64BE(o + 32),
  }, i, nr);
}

/** Case i's KernelOutcome from its struct sc_outcome; nr is the case's number (for messages). */
export function kernelOutcomeOf(raw: RawOutcome, i: number, nr: number): KernelOutcome {
  const { kind, errnoVal, signal } = raw;
  const killedSignal = (): typeof SIGSYS => {
    if (signal !== SIGSYS) throw new Error(`case ${i}: the probe child died by signal ${signal}, not by a seccomp SIGSYS`);
    return SIGSYS;
  };
  switch (kind) {
    case Kind.NotRun:
      return { kind: 'skipped', reason: `native syscall ${nr} (${nr === 335 ? 'uretprobe' : 'uprobe'}) skips every seccomp filter on recent x86_64 kernels: the probe does not make it` };
    case Kind.KilledProcess:
      return { kind: 'killed', signal: killedSignal(), scope: 'process' };
    case Kind.KilledThread:
      return { kind: 'killed', signal: killedSignal(), scope: 'thread' };
    case Kind.Trap:
      return { kind: 'trap', signal: SIGSYS, si_errno: raw.siErrno, si_syscall: raw.siSyscall, si_arch: raw.siArch };
    case Kind.Errno:
      return { kind: 'errno', errno: errnoVal };
    case Kind.EnosysTrace:
      return { kind: 'enosys', errno: 38, action: 'TRACE' };
    case Kind.EnosysNotif:
      return { kind: 'enosys', errno: 38, action: 'USER_NOTIF' };
    case Kind.Allowed:
      // ALLOW or LOG: LOG only differs by an audit record, which the probe does not read.
      return { kind: 'allowed', logged: false };
    case Kind.Traced:
      return { kind: 'traced', data: raw.data };
    case Kind.Notified:
      return { kind: 'notified' };
    case Kind.Weak:
      return {
        kind: 'skipped',
        reason: 'the stack returned an action weaker than TRACE and can return an unknown action in that band (RET A, or a value like 0x7ffe0000): ALLOW/LOG and that unknown action (which kills) cannot be told apart without running the syscall',
      };
    case Kind.Timeout:
      return { kind: 'timeout' };
    case Kind.InstallFailed:
      return { kind: 'install_failed', errno: errnoVal === 0 && signal === SIGSYS ? 'SIGSYS' : errnoName(errnoVal) };
    case Kind.Executed:
      return { kind: 'executed', ret: raw.ret };
    default:
      throw new Error(`case ${i}: the probe returned kind ${kind as number}`);
  }
}
