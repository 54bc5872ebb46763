// kernelAgrees(): the running kernel, with the filter (or stack) installed
// in a forked child behind the probe's guard filter, shows the same Outcome
// as the emulator for generated seccomp_data. The kernel forks a child per
// kernel.run call, so each property run draws a batch of up to 256
// seccomp_data and sends it in one call. Cases the kernel cannot make
// (foreign arches, what the probe skips) are not disagreements.
import fc from 'fast-check';
import { ARCHES, __X32_SYSCALL_BIT, type Program, type SeccompData } from 'unicorn-bpf-emulator';
import { compareOutcomes } from '../src/engines/compare.js';
import { emulator } from '../src/engines/emulator.js';
import { engineCaseOf } from '../src/engines/engine_case.js';
import { formatEngineOutcome } from '../src/engines/format.js';
import { kernel, requireKernelEngine } from '../src/engines/kernel.js';
import { kernelAbi, stackReadsInstructionPointer } from '../src/engines/kernel_skip.js';
import { formatCaseData } from '../src/evaluate.js';
import { hostArch } from '../src/formats/host_arch.js';
import { programsOf, type FilterInput } from './_internals/engine.js';
import { abiByName, seccompData } from './seccompData.js';

export interface KernelAgreesOptions {
  /** ABI whose data to draw (default: the host's); it must be one this kernel runs (x86_64, x86, x32 on x86_64). */
  readonly arch?: string;
  /** The seccomp_data to try (default: seccompData({arch, filter})). */
  readonly data?: fc.Arbitrary<SeccompData>;
  /** Batch size bounds per property run (default 1..256). */
  readonly minBatch?: number;
  readonly maxBatch?: number;
}

/** The first case of a batch on which the kernel (running `onKernel`) and the emulator (running `onEmulator`) disagree, as a message; null if none. */
export function kernelDisagreement(onKernel: readonly Program[], onEmulator: readonly Program[], batch: readonly SeccompData[]): string | null {
  // A stack that never loads instruction_pointer cannot tell one from another; the kernel fills it with the probe's own.
  const cases = batch.flatMap((d) => engineCaseOf(d, 0n) ?? []);
  if (cases.length === 0) return null;
  const k = kernel.run(onKernel, cases);
  const e = emulator.run(onEmulator, cases);
  for (let i = 0; i < cases.length; i++) {
    if (compareOutcomes(e[i], k[i]).verdict === 'disagree') {
      return `emulator and kernel disagree on ${formatCaseData(cases[i])}: emulator: ${formatEngineOutcome(e[i])}; kernel: ${formatEngineOutcome(k[i])}`;
    }
  }
  return null;
}

/**
 * A property comparing the kernel running `onKernel` with the emulator
 * running `onEmulator` (the same filter for kernelAgrees; a different one
 * shows that the comparison can fail).
 */
export function kernelAgreesBetween(onKernel: FilterInput, onEmulator: FilterInput, opts: KernelAgreesOptions = {}): fc.IPropertyWithHooks<[SeccompData[]]> {
  requireKernelEngine();
  const arch = opts.arch ?? hostArch()?.name;
  if (arch === undefined) throw new Error(`kernelAgrees: no seccheck ABI for this host (${process.arch}); pass {arch}`);
  const abi = abiByName(arch);
  if (kernelAbi(abi.name) === undefined) {
    const runs = ARCHES.filter((a) => kernelAbi(a.name) !== undefined).map((a) => a.name);
    throw new Error(`kernelAgrees: this kernel cannot make ${abi.name} syscalls (it runs ${runs.join(', ') || 'none the probe knows'})`);
  }
  const k = programsOf(onKernel);
  const e = programsOf(onEmulator);
  for (const [who, s] of [['kernel', k], ['emulator', e]] as const) {
    if (stackReadsInstructionPointer(s)) {
      throw new Error(`kernelAgrees: the ${who}'s filter loads instruction_pointer (LD [8] or [12]); the kernel fills it with the probe's own address, so the engines cannot be compared on it`);
    }
    const refused = emulator.check(s).find((step) => !step.ok);
    if (refused !== undefined) {
      throw new Error(`kernelAgrees: the ${who}'s stack does not install: program ${refused.index}: ${refused.errno ?? 'killed'} (${refused.rule}: ${refused.reason})`);
    }
  }
  const data = opts.data ?? seccompData({ arch: abi.name, filter: [...k, ...e] });
  // size 'max': lengths spread over the whole range (fast-check's default keeps arrays near 10), so each fork carries a real batch.
  const batch = fc.array(data, { minLength: opts.minBatch ?? 1, maxLength: opts.maxBatch ?? 256, size: 'max' });
  return fc.property(batch, (b) => {
    const problem = kernelDisagreement(k, e, b);
    if (problem !== null) throw new Error(problem);
  });
}

/** The kernel's Outcome equals the emulator's for every generated seccomp_data (skipped kernel cases aside). */
export function kernelAgrees(filter: FilterInput, opts: KernelAgreesOptions = {}): fc.IPropertyWithHooks<[SeccompData[]]> {
  return kernelAgreesBetween(filter, filter, opts);
}
