// Differential test: random valid programs, in stacks of 1-3, on random and
// boundary data from x86_64, i386 (int 0x80) and x32 callers, run on the
// kernel engine and the emulator engine; every Outcome must be equal (see
// compareOutcomes). Each property run sends one batch of cases to the kernel
// in one kernelRun call (the probe's fast path). fast-check prints the seed
// and path of a failure; the assertion message gives the stack (disassembled),
// the case and both outcomes. Fails, with the reason, when the kernel engine
// is unavailable.
//
// Programs never load instruction_pointer (offsets 8, 12): the kernel fills
// it with the probe's own IP, so such stacks are skipped by the kernel engine;
// those loads are moved to args[0] here.
//
// SECCHECK_DIFF_RUNS scales the number of property runs (default 1).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { __X32_SYSCALL_BIT, archByName, disassemble, OP, type Insn, type Program } from 'unicorn-bpf-emulator';
import { dataWordsFor, validProgram } from '../emulator/src/__test-helpers__/arbitraries.js';
import { compareOutcomes } from '../src/engines/compare.js';
import { emulator } from '../src/engines/emulator.js';
import type { EngineCase, EngineOutcome, EngineRunOptions } from '../src/engines/engine.js';
import { formatEngineOutcome } from '../src/engines/format.js';
import { kernel } from '../src/engines/kernel.js';
import { formatCaseData } from '../src/evaluate.js';
import { requireKernelEngineForTests, sandboxStack } from './__test-helpers__/engines.js';

const SCALE = Number(process.env.SECCHECK_DIFF_RUNS ?? '1');
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));

const ARCHES = ['x86_64', 'x86', 'x32'].map((n) => archByName(n)!);

/** LD [8] / LD [12] (instruction_pointer) become LD [16] / LD [20]; everything else is kept. */
function withoutIpLoads(p: readonly Insn[]): Insn[] {
  return p.map((i) => (i.code === OP.LD_W_ABS && (i.k === 8 || i.k === 12) ? { ...i, k: i.k + 8 } : i));
}

/** 1-3 filters; all but the newest let the next seccomp(2) call through (sandboxStack), as in a sandbox. */
const stackArb = (maxLength: number): fc.Arbitrary<Program[]> =>
  fc.array(validProgram(maxLength).map(withoutIpLoads), { minLength: 1, maxLength: 3 }).map(sandboxStack);

const BOUNDARY_NRS = [0, 1, 39, 20, 0x3fffffff, 0x40000000, 0x40000027, 0x7fffffff, -1, -2, 0x80000000 | 0, 100000];

/** A case for one of the three x86 ABIs, its words biased toward the stack's constants. */
function caseArb(stack: readonly Program[]): fc.Arbitrary<EngineCase> {
  return fc
    .tuple(fc.constantFrom(...ARCHES), dataWordsFor(stack.flat()), fc.option(fc.constantFrom(...BOUNDARY_NRS), { freq: 4 }))
    .map(([arch, w, boundary]) => {
      let nr = boundary ?? w[0] | 0;
      if (arch.name === 'x32') nr = (nr | __X32_SYSCALL_BIT) | 0;
      const args = Array.from({ length: 6 }, (_, i) => (BigInt(w[5 + 2 * i]) << 32n) | BigInt(w[4 + 2 * i]));
      return { arch, nr, args, ip: 0n };
    });
}

const counts = { runs: 0, cases: 0, agree: 0, disagree: 0, skipped: 0, kernelCalls: 0 };

function describeStack(stack: readonly Program[]): string {
  return stack.map((p, i) => `filter ${i} (oldest = 0):\n${disassemble(p).split('\n').map((l) => '    ' + l).join('\n')}`).join('\n');
}

/**
 * The skips the probe is allowed here: a stack action weaker than TRACE
 * where the stack can return an unknown action in that band (it kills, ALLOW
 * runs; only running the syscall tells them apart), and x86_64
 * uretprobe/uprobe, which the probe never makes. Both only where the
 * emulator agrees that the syscall would run or the unknown action kills.
 */
function allowedSkip(reason: string, emulated: { raw: number; outcome: EngineOutcome }): boolean {
  const weak = (emulated.raw & 0xffff0000) > (0x7ff00000 | 0); // weaker than TRACE (signed)
  if (/weaker than TRACE/.test(reason)) return weak;
  return /uretprobe|uprobe/.test(reason);
}

/**
 * Run both engines on one batch and assert every case agrees, except the
 * probe's own skips (allowedSkip), counted apart.
 */
function expectAgreement(stack: readonly Program[], cases: readonly EngineCase[], opts?: EngineRunOptions): void {
  const onEmulator = emulator.evaluate(stack, cases, opts);
  const onKernel: EngineOutcome[] = kernel.run(stack, cases, opts);
  counts.kernelCalls++;
  counts.runs++;
  cases.forEach((c, i) => {
    counts.cases++;
    const cmp = compareOutcomes(onEmulator[i].outcome, onKernel[i]);
    counts[cmp.verdict]++;
    if (cmp.verdict === 'skipped' && allowedSkip(cmp.reason, onEmulator[i])) return;
    if (cmp.verdict !== 'agree') {
      throw new Error(
        `emulator and kernel ${cmp.verdict === 'skipped' ? `skipped (${cmp.reason})` : 'disagree'} on ${formatCaseData(c)}`
          + `${opts?.threads === 'multi' ? ' (multi-threaded)' : ''}:\n  emulator: ${formatEngineOutcome(onEmulator[i].outcome)} (raw 0x${onEmulator[i].raw.toString(16)})`
          + `\n  kernel:   ${formatEngineOutcome(onKernel[i])}\n${describeStack(stack)}`,
      );
    }
  });
}

beforeAll(() => {
  requireKernelEngineForTests();
});

afterAll(() => {
  console.log(`kernel differential: ${counts.cases} cases in ${counts.kernelCalls} kernelRun calls: ${counts.agree} agree, ${counts.disagree} disagree, ${counts.skipped} skipped`);
});

describe('emulator = kernel on random programs and data', () => {
  it('single filters of up to 40 instructions, 20-60 cases each', () => {
    fc.assert(
      fc.property(
        validProgram(40).map(withoutIpLoads).chain((p) => fc.tuple(fc.constant([p]), fc.array(caseArb([p]), { minLength: 20, maxLength: 60 }))),
        ([stack, cases]) => expectAgreement(stack, cases),
      ),
      { numRuns: runs(300) },
    );
  });

  it('stacks of 1-3 filters (action precedence, newest wins ties), 20-60 cases each', () => {
    fc.assert(
      fc.property(
        stackArb(20).chain((s) => fc.tuple(fc.constant(s), fc.array(caseArb(s), { minLength: 20, maxLength: 60 }))),
        ([stack, cases]) => expectAgreement(stack, cases),
      ),
      { numRuns: runs(300) },
    );
  });

  it('multi-threaded callers (KILL_THREAD kills only the thread), 10-30 cases each', () => {
    fc.assert(
      fc.property(
        stackArb(12).chain((s) => fc.tuple(fc.constant(s), fc.array(caseArb(s), { minLength: 10, maxLength: 30 }))),
        ([stack, cases]) => expectAgreement(stack, cases, { threads: 'multi' }),
      ),
      { numRuns: runs(100) },
    );
  });

  it('compared thousands of cases in total, most of them not skipped', () => {
    expect(counts.cases).toBeGreaterThanOrEqual(Math.min(10000, runs(10000)));
    expect(counts.agree).toBeGreaterThan(counts.cases * 0.7);
  });
});
