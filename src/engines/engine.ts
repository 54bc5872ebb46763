// The Engine abstraction (DESIGN.md "Engine"): one interface over the places
// a seccomp stack can be evaluated — the emulator, the running kernel, a VM
// booting another kernel, a container — so that cases, reports and
// comparisons do not care which one answered.
// Every engine returns Outcomes: what a process would observe from outside.
import type { ArchInfo, Outcome, Program } from 'unicorn-bpf-emulator';

/** One syscall to run through a stack: the fields of seccheck's Case that matter (Case fits). */
export interface EngineCase {
  readonly arch: ArchInfo;
  /** seccomp_data.nr, signed 32-bit, already the number for `arch` (x32 numbers carry 0x40000000). */
  readonly nr: number;
  /** Six u64 arguments. */
  readonly args: readonly bigint[];
  /** seccomp_data.instruction_pointer (the kernel fills this itself; see kernelSkipReason). */
  readonly ip: bigint;
}

/**
 * What an engine reports for one case: an Outcome, or why there is none.
 * Only the engines that run the probe (kernel, vm:*, container:*) produce the non-Outcome kinds:
 * - skipped: this engine cannot produce the case (an arch this kernel does
 *   not run, an instruction pointer it fills itself), or the probe cannot
 *   show it without really running the syscall (x86_64 uretprobe/uprobe,
 *   which recent kernels run without consulting any filter; an action
 *   weaker than TRACE from a stack that can return an unknown action in
 *   that band, which kills, where ALLOW lets the syscall run);
 * - timeout: the probe child missed its deadline;
 * - install_failed: seccomp(2) refused the stack in the probe child;
 * - executed: the syscall really ran (only when asked to execute).
 */
export type EngineOutcome =
  | Outcome
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'install_failed'; readonly errno: string }
  | { readonly kind: 'executed'; readonly ret: bigint };

/** One seccomp(SECCOMP_SET_MODE_FILTER) call of a stack, as an engine saw it. */
export interface EngineCheckStep {
  /** Index of the program in the stack (oldest = 0). */
  readonly index: number;
  readonly ok: boolean;
  /** The errno name (EINVAL, ENOMEM, ...) when refused, else null. */
  readonly errno: string | null;
  /** Kernel engine: the task died of this signal inside seccomp(2) (a filter installed before it killed the call); errno null. */
  readonly signal?: number;
  /** Kernel engine: seccomp(2) had not returned at the deadline; errno null. */
  readonly timedOut?: boolean;
}

export interface EngineRunOptions {
  /**
   * Whether the calling process has other threads: decides whether
   * KILL_THREAD kills only the thread ('multi') or the process ('single',
   * the default).
   */
  readonly threads?: 'single' | 'multi';
  /**
   * Kernel engines only: really run the allowed cases that are harmless
   * getters (native getpid, getppid, gettid, getuid, geteuid, getgid,
   * getegid, uname; on x86_64 also x32 getpid 0x40000027 and i386 getpid
   * 20, to show an x32 or i386 bypass executing); they come back as
   * 'executed'. Off by default: no syscall under test runs. The emulator
   * ignores it.
   */
  readonly execute?: boolean;
}

/**
 * Where a stack is evaluated: the emulator, the running kernel (native
 * probe), a qemu-system VM booting a kernel for ARCH (containers/vm), or the
 * probe in a container (containers/docker). registry.ts resolves the names.
 */
export type EngineName = 'emulator' | 'kernel' | `vm:${string}` | `container:${string}`;

/** One stack and its cases: a unit of Engine.runMany. */
export interface EngineJob {
  readonly stack: readonly Program[];
  readonly cases: readonly EngineCase[];
  readonly opts?: EngineRunOptions;
}

export interface Engine {
  readonly name: EngineName;
  /**
   * Node's name (process.arch) for the kernel the cases run on, for the skip
   * rules (kernelSkipReason, kernelAbi); absent for the emulator.
   */
  readonly kernelArch?: string;
  /**
   * The release (uname -r) of the kernel the cases run on when it is not
   * the running one (a VM's), so that the emulator can emulate that kernel.
   */
  kernelRelease?(): string;
  /**
   * Load `stack` (oldest first) into one fresh task with no_new_privs set,
   * one seccomp(2) call per program with `flags` (one value for all, or one
   * per program). Loading stops at the first failure, which is the last step.
   */
  check(stack: readonly Program[], flags?: number | readonly number[]): EngineCheckStep[];
  /**
   * What a process with `stack` installed (oldest first) observes for each
   * case, in order: no tracer, no listener, SIGSYS handled.
   */
  run(stack: readonly Program[], cases: readonly EngineCase[], opts?: EngineRunOptions): EngineOutcome[];
  /**
   * run() for several stacks at once, one outcome list per job. Engines with
   * a high fixed cost per call (a VM boot, a container start) offer it so
   * that callers can pay that cost once (batch.ts).
   */
  runMany?(jobs: readonly EngineJob[]): EngineOutcome[][];
  /** check() for several stacks at once (see runMany). */
  checkMany?(jobs: readonly EngineCheckJob[]): EngineCheckStep[][];
}

/** One stack and its flags: a unit of Engine.checkMany. */
export interface EngineCheckJob {
  readonly stack: readonly Program[];
  readonly flags?: number | readonly number[];
}

/** The flags of the i-th seccomp(2) call. */
export const flagsAt = (flags: number | readonly number[] | undefined, i: number): number =>
  flags === undefined ? 0 : typeof flags === 'number' ? flags : (flags[i] ?? 0);
