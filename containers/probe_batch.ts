// One batch for the static probe wherever it runs (a VM's /init, a
// container's entry point): run jobs, check jobs and raw request lines
// become the probe's request lines, and its answers become Outcomes again.
// The VM and container engines differ only in how the lines get there.
import type { KernelInstallStep } from '../native/install.js';
import type { KernelCase } from '../native/probe.js';
import { checkRequest, checkSteps, MAX_CASES_PER_REQUEST, runOutcomes, runRequest, type ProbeAnswer } from '../native/probe_protocol.js';
import type { EngineCheckJob, EngineJob, EngineOutcome } from '../src/engines/engine.js';
import { kernelSkipReason, probeAbi, stackReadsInstructionPointer } from '../src/engines/kernel_skip.js';

/** What one boot or container does: run jobs, check jobs and raw request lines, in that order. */
export interface ProbeBatch {
  readonly runs?: readonly EngineJob[];
  readonly checks?: readonly EngineCheckJob[];
  /** Raw request lines (features, tsync, check nnp=0 ...: native/main/seccheck_probe.c). */
  readonly requests?: readonly string[];
}

export interface ProbeBatchResult {
  readonly runs: EngineOutcome[][];
  readonly checks: KernelInstallStep[][];
  /** The probe's answer to each raw request line. */
  readonly answers: ProbeAnswer[];
}

/** Where the probe runs: its kernel's arch (Node's name), byte order and options. */
export interface ProbeTarget {
  readonly nodeArch: string;
  readonly endian: 'little' | 'big';
  /** Deadline of each probe child, in milliseconds (the probe's default when absent). */
  readonly timeoutMs?: number;
  /** The probe runs under a filter of its own (a container runtime's profile): run outer=1. */
  readonly outer?: boolean;
}

export interface ProbeBatchPlan {
  readonly requests: readonly string[];
  /** Cases the probe will make (skipped ones excluded). */
  readonly probes: number;
  /** The result from the probe's answers, one per request line. */
  finish(answers: readonly ProbeAnswer[]): ProbeBatchResult;
}

/** The request lines of `b` for `target`; cases the target's kernel cannot make are skipped now, with the reason. */
export function planProbeBatch(b: ProbeBatch, target: ProbeTarget): ProbeBatchPlan {
  const requests: string[] = [];
  const plans = (b.runs ?? []).map((job, j) => {
    const readsIp = stackReadsInstructionPointer(job.stack);
    const out = new Array<EngineOutcome>(job.cases.length);
    const runnable: KernelCase[] = [];
    const at: number[] = [];
    job.cases.forEach((c, i) => {
      const reason = kernelSkipReason(c, readsIp, target.nodeArch);
      if (reason !== null) out[i] = { kind: 'skipped', reason };
      else {
        runnable.push({ abi: probeAbi(c, target.nodeArch), nr: c.nr, args: c.args });
        at.push(i);
      }
    });
    const runOpts = { threads: job.opts?.threads ?? 'single', execute: job.opts?.execute ?? false, timeoutMs: target.timeoutMs, outer: target.outer ?? false } as const;
    // The probe takes at most MAX_CASES_PER_REQUEST cases a line.
    const chunks: { first: number; cases: KernelCase[]; request: number }[] = [];
    for (let k = 0; k < runnable.length; k += MAX_CASES_PER_REQUEST) {
      const cases = runnable.slice(k, k + MAX_CASES_PER_REQUEST);
      chunks.push({ first: k, cases, request: requests.length });
      requests.push(runRequest(`j${j}.${k}`, job.stack, cases, target.endian, runOpts));
    }
    return { out, at, chunks };
  });
  // An empty stack loads nothing: no request.
  const checkAt = (b.checks ?? []).map((j, i) => {
    if (j.stack.length === 0) return -1;
    requests.push(checkRequest(`c${i}`, j.stack, target.endian, j.flags, target.timeoutMs));
    return requests.length - 1;
  });
  const rawFirst = requests.length;
  requests.push(...(b.requests ?? []));
  return {
    requests,
    probes: plans.reduce((n, p) => n + p.at.length, 0),
    finish(answers) {
      for (const p of plans) {
        for (const chunk of p.chunks) {
          runOutcomes(answers[chunk.request], chunk.cases).forEach((o, i) => {
            p.out[p.at[chunk.first + i]] = o;
          });
        }
      }
      return { runs: plans.map((p) => p.out), checks: checkAt.map((a) => (a < 0 ? [] : checkSteps(answers[a]))), answers: answers.slice(rawFirst) };
    },
  };
}
