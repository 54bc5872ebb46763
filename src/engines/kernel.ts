// The kernel engine: the running Linux kernel, through the native probe.
// Every stack is installed in a forked child behind a guard filter, never in
// this process (DESIGN.md "Safety of the kernel probe"); cases the kernel
// cannot produce are skipped with a reason (kernel_skip.ts).
import type { Program } from 'unicorn-bpf-emulator';
import { kernelCheck } from '../../native/install.js';
import { kernelProbeUnavailable, kernelRun, type KernelCase } from '../../native/probe.js';
import { SeccheckError } from '../errors.js';
import type { Engine, EngineCase, EngineCheckStep, EngineOutcome } from './engine.js';
import { kernelSkipReason, probeAbi, stackReadsInstructionPointer } from './kernel_skip.js';

/** A step of the kernel's check, with seccomp(2)'s return value. */
export interface KernelCheckStep extends EngineCheckStep {
  /** 0, a listener fd, a TSYNC thread id, or -1 with `errno`. */
  readonly ret: number;
}

export interface KernelEngine extends Engine {
  readonly name: 'kernel';
  readonly kernelArch: string;
  check(stack: readonly Program[], flags?: number | readonly number[]): KernelCheckStep[];
}

export interface KernelEngineOptions {
  /** Deadline of each probe child, in milliseconds (the probe's default when absent). */
  readonly timeoutMs?: number;
}

/** The kernel engine cannot run here: no probe build, not Linux, ... */
export class KernelUnavailableError extends SeccheckError {
  constructor(readonly why: string) {
    super(undefined, undefined, `the kernel engine is unavailable: ${why}`);
    this.name = 'KernelUnavailableError';
  }
}

/** Whether the kernel engine can run here, and if not, why (one line). */
export function kernelAvailability(): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
  // loadProbeLibrary()'s reason (not Linux, no build, no koffi), or an arch the guarded probe does not support.
  const reason = kernelProbeUnavailable();
  return reason === null ? { ok: true } : { ok: false, reason };
}

/** Throw KernelUnavailableError unless the kernel engine can run here. */
export function requireKernelEngine(): void {
  const a = kernelAvailability();
  if (!a.ok) throw new KernelUnavailableError(a.reason);
}

/** A kernel engine with options. */
export function kernelEngine(opts: KernelEngineOptions = {}): KernelEngine {
  return {
    name: 'kernel',
    kernelArch: process.arch,
    check(stack, flags) {
      requireKernelEngine();
      return kernelCheck(stack, { flags, noNewPrivs: true, timeoutMs: opts.timeoutMs });
    },
    run(stack, cases, runOpts) {
      requireKernelEngine();
      return runOnKernel(stack, cases, { threads: runOpts?.threads ?? 'single', execute: runOpts?.execute ?? false, timeoutMs: opts.timeoutMs });
    },
  };
}

interface RunOnKernel {
  readonly threads: 'single' | 'multi';
  readonly execute: boolean;
  readonly timeoutMs?: number;
}

/**
 * Skip what this kernel cannot produce; run the rest in one kernelRun call
 * (the probe's fast path), keeping the cases' order. The probe itself skips
 * what it cannot show without running the syscall (uretprobe/uprobe, which
 * recent kernels run without consulting any filter; an action weaker than
 * TRACE from a stack that can return an unknown action there).
 */
function runOnKernel(stack: readonly Program[], cases: readonly EngineCase[], o: RunOnKernel): EngineOutcome[] {
  const readsIp = stackReadsInstructionPointer(stack);
  const out = new Array<EngineOutcome>(cases.length);
  const runnable: KernelCase[] = [];
  const at: number[] = [];
  cases.forEach((c, i) => {
    const reason = kernelSkipReason(c, readsIp);
    if (reason !== null) {
      out[i] = { kind: 'skipped', reason };
      return;
    }
    runnable.push({ abi: probeAbi(c), nr: c.nr, args: c.args });
    at.push(i);
  });
  if (runnable.length > 0) {
    const results = kernelRun(stack, runnable, { threads: o.threads, execute: o.execute, timeoutMs: o.timeoutMs });
    if (results.length !== runnable.length) throw new Error(`kernelRun returned ${results.length} outcomes for ${runnable.length} cases`);
    results.forEach((r, j) => {
      out[at[j]] = r;
    });
  }
  return out;
}

/** The kernel engine with the probe's default deadlines. */
export const kernel: KernelEngine = kernelEngine();
