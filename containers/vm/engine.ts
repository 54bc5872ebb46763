// The vm:ARCH engines: the kernel engine's guarded probe, run as PID 1 of a
// qemu-system VM booting Debian's kernel for ARCH (issue 6). The same
// Outcomes as the kernel engine; the same skip rules, for the guest's arch.
// Each run/check call is one boot; runMany puts many stacks in one boot,
// batch() runs, checks and raw probe requests together.
import type { Program } from 'unicorn-bpf-emulator';
import type { KernelInstallStep } from '../../native/install.js';
import type { Engine, EngineCheckJob, EngineJob, EngineOutcome } from '../../src/engines/engine.js';
import { planProbeBatch, type ProbeBatch, type ProbeBatchResult } from '../probe_batch.js';
import { bootBatch, type BootResult } from './boot.js';
import { vmMachine, type VmArch, type VmMachine } from './machine.js';

/** One stack and its cases, for runMany. */
export type VmJob = EngineJob;

/** What one boot of batch() does: run jobs, check jobs and raw request lines, in that order. */
export type VmBatch = ProbeBatch;
export type VmBatchResult = ProbeBatchResult;

export interface VmEngineOptions {
  /** Deadline of each probe child inside the VM, in milliseconds (the probe's default when absent). */
  readonly timeoutMs?: number;
  /** Deadline of each boot (default 60 s). */
  readonly bootDeadlineMs?: number;
}

/** The figures of the last boot, for benchmarks. */
export interface VmBootStats {
  readonly wallMs: number;
  readonly guestBootMs: number;
  readonly batchMs: number;
  /** Cases the probe made inside the VM (skipped ones excluded). */
  readonly probes: number;
}

export interface VmEngine extends Engine {
  readonly name: `vm:${VmArch}`;
  readonly kernelArch: VmMachine['nodeArch'];
  readonly machine: VmMachine;
  check(stack: readonly Program[], flags?: number | readonly number[]): KernelInstallStep[];
  /** run() for many stacks in one boot; one outcome list per job. */
  runMany(jobs: readonly VmJob[]): EngineOutcome[][];
  /** check() for many stacks in one boot; one step list per job. */
  checkMany(jobs: readonly EngineCheckJob[]): KernelInstallStep[][];
  /**
   * runMany, checkMany and raw probe request lines (features, tsync, check
   * nnp=0 ...: native/main/seccheck_probe.c) together in ONE boot, for
   * suites that want everything from one kernel start.
   */
  batch(b: VmBatch): VmBatchResult;
  /** Figures of the last boot (undefined before the first). */
  readonly lastBoot: VmBootStats | undefined;
}

/** A VM engine for `arch`. Throws a one-line SeccheckError when its kernel, qemu or probe is missing. */
export function vmEngine(arch: VmArch, opts: VmEngineOptions = {}): VmEngine {
  const machine = vmMachine(arch);
  let lastBoot: VmBootStats | undefined;
  const boot = (requests: string[], probes: number): BootResult => {
    const r = bootBatch(machine, requests, { deadlineMs: opts.bootDeadlineMs });
    lastBoot = { wallMs: r.wallMs, guestBootMs: r.guestBootMs, batchMs: r.batchMs, probes };
    return r;
  };

  const batch = (b: VmBatch): VmBatchResult => {
    const plan = planProbeBatch(b, { nodeArch: machine.nodeArch, endian: machine.endian, timeoutMs: opts.timeoutMs });
    return plan.finish(plan.requests.length === 0 ? [] : boot([...plan.requests], plan.probes).answers);
  };

  const runMany = (jobs: readonly VmJob[]): EngineOutcome[][] => batch({ runs: jobs }).runs;
  const checkMany = (jobs: readonly EngineCheckJob[]): KernelInstallStep[][] => batch({ checks: jobs }).checks;

  return {
    name: `vm:${arch}`,
    kernelArch: machine.nodeArch,
    kernelRelease: () => machine.release,
    machine,
    get lastBoot() {
      return lastBoot;
    },
    check(stack, flags) {
      return checkMany([{ stack, flags }])[0];
    },
    checkMany,
    batch,
    run(stack, cases, runOpts) {
      return runMany([{ stack, cases, opts: runOpts }])[0];
    },
    runMany,
  };
}
