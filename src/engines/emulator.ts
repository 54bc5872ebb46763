// The emulator engine: seccomp(2)'s checker and install rules
// (seccompSetModeFilter) and the compiled filters combined as
// seccomp_run_filters does, with each result mapped to the Outcome the
// kernel would show (actionOutcome).
import {
  actionOutcome, compileFilter, FilterStack, SECCOMP_DATA_WORDS, seccompDataWords, seccompSetModeFilter,
  type KernelVersion, type Outcome, type Program, type ProcessContext, type TaskState,
} from 'unicorn-bpf-emulator';
import { sandboxTask } from './install_task.js';
import { resolveKernel } from '../kernel.js';
import { flagsAt, type Engine, type EngineCase, type EngineCheckStep, type EngineRunOptions } from './engine.js';

/** A step of the emulator's check, with the rule and reason the kernel does not report. */
export interface EmulatorCheckStep extends EngineCheckStep {
  /** Instruction the rule fired on; null for rules about the whole program or call. */
  readonly insn: number | null;
  /** The checker's rule name (e.g. "jump_out_of_range"); null when accepted. */
  readonly rule: string | null;
  readonly reason: string | null;
}

/** One case on the emulator: the stack's value as well as the Outcome. */
export interface EmulatedCase {
  /** The value the stack returns (ALLOW when the kernel skips the filters for this syscall). */
  readonly raw: number;
  readonly outcome: Outcome;
  /** The emulated kernel skips every filter for this syscall (uretprobe/uprobe). */
  readonly bypassed: boolean;
}

export interface EmulatorEngine extends Engine {
  readonly name: 'emulator';
  /** The kernel version whose behaviour is emulated (flag mask, uretprobe/uprobe bypass). */
  readonly kernel: KernelVersion;
  check(stack: readonly Program[], flags?: number | readonly number[]): EmulatorCheckStep[];
  run(stack: readonly Program[], cases: readonly EngineCase[], opts?: EngineRunOptions): Outcome[];
  /** run(), with the value the stack returned for each case. */
  evaluate(stack: readonly Program[], cases: readonly EngineCase[], opts?: EngineRunOptions): EmulatedCase[];
}

export interface EmulatorEngineOptions {
  /** Kernel to emulate; default: the running kernel (resolveKernel()), so it agrees with the kernel engine. */
  readonly kernel?: KernelVersion;
  /** The task the stack is loaded into (check only); default sandboxTask(): no_new_privs, no filters, seccomp(2) calls in the host ABI. */
  readonly task?: TaskState;
}

/** An emulator engine for one kernel version. */
export function emulatorEngine(opts: EmulatorEngineOptions = {}): EmulatorEngine {
  const kernel = opts.kernel ?? resolveKernel();
  return {
    name: 'emulator',
    kernel,
    check(stack, flags) {
      let task = opts.task ?? sandboxTask();
      const out: EmulatorCheckStep[] = [];
      for (let index = 0; index < stack.length; index++) {
        const r = seccompSetModeFilter(task, flagsAt(flags, index), stack[index], kernel);
        if (r.ok) {
          out.push({ index, ok: true, errno: null, insn: null, rule: null, reason: null });
          task = r.task;
        } else {
          out.push({ index, ok: false, errno: r.errno, ...(r.signal === undefined ? {} : { signal: r.signal }), insn: r.insn, rule: r.rule, reason: r.reason });
          break;
        }
      }
      return out;
    },
    run(stack, cases, runOpts) {
      return runOnEmulator(stack, cases, kernel, runOpts).map((c) => c.outcome);
    },
    evaluate(stack, cases, runOpts) {
      return runOnEmulator(stack, cases, kernel, runOpts);
    },
  };
}

/**
 * Every program must have been accepted by checkFilter. The context is the
 * kernel engine's: single-threaded unless asked, no tracer, no listener,
 * a SIGSYS handler.
 */
function runOnEmulator(stack: readonly Program[], cases: readonly EngineCase[], kernel: KernelVersion, opts: EngineRunOptions = {}): EmulatedCase[] {
  const filters = new FilterStack(stack.map((p) => compileFilter(p)), { kernel });
  const ctx: ProcessContext = { threads: opts.threads ?? 'single', tracer: false, listener: false };
  const words = new Uint32Array(SECCOMP_DATA_WORDS);
  return cases.map((c) => {
    const data = { nr: c.nr, arch: c.arch.auditArch, instruction_pointer: c.ip, args: c.args };
    const r = filters.run(seccompDataWords(data, c.arch.endian, words));
    return { raw: r.raw, outcome: actionOutcome(r.action, { nr: c.nr, arch: c.arch.auditArch }, ctx), bypassed: r.bypassed };
  });
}

/** The emulator engine for the running kernel's version. */
export const emulator: EmulatorEngine = emulatorEngine();
