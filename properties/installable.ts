// installable(): a stack, installed one seccomp(SECCOMP_SET_MODE_FILTER)
// call per program into a fresh task with no_new_privs, is accepted at every
// step — by the emulator's model of seccomp(2) (seccompSetModeFilter, with
// the filters already installed judging each later call), and, where the
// kernel engine runs, by the real kernel in a forked child, step by step
// (compareCheckSteps). A counterexample names the step, its flags and what
// each engine said.
import fc from 'fast-check';
import {
  SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_TSYNC_ESRCH, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, type Program,
} from 'unicorn-bpf-emulator';
import { compareCheckSteps } from '../src/engines/compare.js';
import { emulator, type EmulatorCheckStep } from '../src/engines/emulator.js';
import { flagsAt, type EngineCheckStep } from '../src/engines/engine.js';
import { kernel, kernelAvailability, requireKernelEngine } from '../src/engines/kernel.js';

export interface InstallableOptions {
  /**
   * Who must accept the stack: the emulator, the kernel, or both, step by
   * step in agreement. Default 'both' where the kernel engine runs, else
   * 'emulator'; 'kernel' or 'both' where it does not run throws
   * KernelUnavailableError with the reason.
   */
  readonly engine?: 'emulator' | 'kernel' | 'both';
}

/** A stack: a fixed one, or an arbitrary of stacks such as stack(). */
export type StackInput = readonly Program[] | fc.Arbitrary<readonly Program[]>;

const FLAG_NAMES: readonly (readonly [number, string])[] = [
  [SECCOMP_FILTER_FLAG_TSYNC, 'TSYNC'],
  [SECCOMP_FILTER_FLAG_LOG, 'LOG'],
  [SECCOMP_FILTER_FLAG_SPEC_ALLOW, 'SPEC_ALLOW'],
  [SECCOMP_FILTER_FLAG_NEW_LISTENER, 'NEW_LISTENER'],
  [SECCOMP_FILTER_FLAG_TSYNC_ESRCH, 'TSYNC_ESRCH'],
  [SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 'WAIT_KILLABLE_RECV'],
];

/** "0x9 (TSYNC|NEW_LISTENER)", "0"; bits without a name stay in hex. */
export function formatFilterFlags(flags: number): string {
  const f = flags >>> 0;
  if (f === 0) return '0';
  const names = FLAG_NAMES.filter(([bit]) => f & bit).map(([, n]) => n);
  const known = FLAG_NAMES.reduce((m, [bit]) => m | bit, 0);
  const rest = f & ~known;
  if (rest !== 0) names.push('0x' + (rest >>> 0).toString(16));
  return `0x${f.toString(16)} (${names.join('|')})`;
}

/** "accepted", "EINVAL (tsync_listener: TSYNC with NEW_LISTENER needs TSYNC_ESRCH)", "killed by signal 31", "not reached". */
function formatStep(s: EngineCheckStep | undefined): string {
  if (s === undefined) return 'not reached (an earlier call failed)';
  if (s.ok) return 'accepted';
  const e = s as Partial<EmulatorCheckStep>;
  const why = e.rule ? ` (${e.rule}: ${e.reason})` : '';
  if (s.signal !== undefined) return `killed by signal ${s.signal} inside seccomp(2)${why}`;
  if (s.timedOut) return 'seccomp(2) had not returned at the deadline';
  return `${s.errno ?? 'refused'}${why}`;
}

function isArbitrary<T>(x: unknown): x is fc.Arbitrary<T> {
  return typeof (x as { generate?: unknown }).generate === 'function';
}

function resolveEngine(asked: InstallableOptions['engine']): 'emulator' | 'kernel' | 'both' {
  if (asked === undefined) return kernelAvailability().ok ? 'both' : 'emulator';
  if (asked !== 'emulator') requireKernelEngine();
  return asked;
}

/**
 * Why `stack` is not installable with `flags` on `engine`, or null when every
 * step is accepted (and, with 'both', both engines agree on every step).
 */
export function installProblem(stack: readonly Program[], flags: number | readonly number[], engine: 'emulator' | 'kernel' | 'both'): string | null {
  const onEmulator = engine === 'kernel' ? undefined : emulator.check(stack, flags);
  const onKernel = engine === 'emulator' ? undefined : kernel.check(stack, flags);
  const step = (i: number): string => `step ${i} (program ${i} of ${stack.length}, ${stack[i]?.length ?? 0} instructions, flags ${formatFilterFlags(flagsAt(flags, i))})`;
  if (onEmulator && onKernel) {
    for (let i = 0; i < stack.length; i++) {
      const e = onEmulator[i], k = onKernel[i];
      if (compareCheckSteps(e, k).verdict === 'disagree') {
        return `emulator and kernel disagree at ${step(i)}: emulator: ${formatStep(e)}; kernel: ${formatStep(k)}`;
      }
    }
  }
  const steps = onEmulator ?? onKernel ?? [];
  const failed = steps.find((s) => !s.ok);
  if (failed !== undefined) {
    const said = onEmulator && onKernel
      ? `refused in both: emulator: ${formatStep(onEmulator[failed.index])}; kernel: ${formatStep(onKernel[failed.index])}`
      : `refused by the ${onEmulator ? 'emulator' : 'kernel'}: ${formatStep(failed)}`;
    return `seccomp(2) ${said}, at ${step(failed.index)}`;
  }
  if (steps.length !== stack.length) return `only ${steps.length} of ${stack.length} programs were loaded`;
  return null;
}

/**
 * The stack (or every stack the arbitrary draws) loads, one seccomp(2)
 * call per program with `flags` (one value for all, or one per program).
 * A fixed stack is checked once; later runs reuse the answer.
 */
export function installable(
  stack: StackInput,
  flags: number | readonly number[] = 0,
  opts: InstallableOptions = {},
): fc.IPropertyWithHooks<[readonly Program[]]> {
  const engine = resolveEngine(opts.engine);
  const fixed = !isArbitrary<readonly Program[]>(stack);
  const arb: fc.Arbitrary<readonly Program[]> = isArbitrary<readonly Program[]>(stack) ? stack : fc.constant(stack);
  let memo: { problem: string | null } | undefined;
  return fc.property(arb, (s) => {
    const problem = fixed ? (memo ??= { problem: installProblem(s, flags, engine) }).problem : installProblem(s, flags, engine);
    if (problem !== null) throw new Error(`not installable: ${problem}`);
  });
}
