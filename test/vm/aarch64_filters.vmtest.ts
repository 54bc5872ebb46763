// Real aarch64 filters confirmed on vm:aarch64 (issue 6): boxlite's vmm,
// vcpu and api threads (its aarch64 seccompiler JSON, which its bincode map
// is built from: test/boxlite.test.ts) and cellos's aarch64 baseline. Each
// runs, in ONE boot for all, on 2000 filter-guided seccomp_data draws
// (properties' seccompData with the filter's dictionary and branch targets)
// plus every syscall of the aarch64 table, and loads with and without TSYNC;
// every answer must equal the emulator's for the VM's kernel (6.1): zero
// disagreements. Draws with a foreign arch cannot be made by an aarch64
// kernel and are left out (counted); instruction_pointer is the kernel's
// own (none of these filters reads it), so draws are made with ip 0.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archByName, type Program } from 'unicorn-bpf-emulator';
import { seccompData } from 'seccheck/properties';
import { vmEngine, type VmEngine } from '../../containers/vm/engine.js';
import { requireCorpus } from '../../emulator/src/__test-helpers__/corpus.js';
import { compareCheckSteps, compareOutcomes, countComparisons, formatComparisonCounts } from '../../src/engines/compare.js';
import { emulatorEngine, type EmulatorEngine } from '../../src/engines/emulator.js';
import type { EngineCase, EngineCheckStep, EngineOutcome } from '../../src/engines/engine.js';
import { formatEngineOutcome } from '../../src/engines/format.js';
import { sandboxTask } from '../../src/engines/install_task.js';
import { stackReadsInstructionPointer } from '../../src/engines/kernel_skip.js';
import { syscallTable } from '../../src/explain/explain.js';
import { cellosBaselineProgram } from '../../src/formats/cellos.js';
import { loadFilter } from '../../src/formats/load.js';
import { resolveKernel } from '../../src/kernel.js';

const AARCH64 = archByName('aarch64')!;
const SEED = 0x5ecc0a64;
const GUIDED = 2000;
const TSYNC = 1;

const boxlite = loadFilter(join(requireCorpus(), 'policies', 'boxlite', 'aarch64-unknown-linux-gnu.json'), { arch: AARCH64 }).programs;
const FILTERS: { name: string; program: Program }[] = [
  ...['vmm', 'vcpu', 'api'].map((thread) => ({ name: `boxlite ${thread}`, program: boxlite.find((p) => p.thread === thread)!.program })),
  { name: 'cellos baseline', program: cellosBaselineProgram(AARCH64) },
];

/** The guided draws an aarch64 kernel can make (arch AUDIT_ARCH_AARCH64), ip 0; and how many were foreign. */
function guidedCases(program: Program, seed: number): { cases: EngineCase[]; foreign: number } {
  const draws = fc.sample(seccompData({ arch: 'aarch64', filter: program }), { seed, numRuns: GUIDED });
  const own = draws.filter((d) => d.arch >>> 0 === AARCH64.auditArch);
  return { cases: own.map((d) => ({ arch: AARCH64, nr: d.nr | 0, args: [...d.args], ip: 0n })), foreign: draws.length - own.length };
}

const TABLE: EngineCase[] = syscallTable(AARCH64)!.map((e) => ({ arch: AARCH64, nr: e.nr, args: [0n, 0n, 0n, 0n, 0n, 0n], ip: 0n }));
const plans = FILTERS.map((f, i) => ({ ...f, ...guidedCases(f.program, SEED + i) }));

let vm: VmEngine;
let emu: EmulatorEngine;
let runs: EngineOutcome[][] = [];
let checks: EngineCheckStep[][] = [];
const report: string[] = [];

beforeAll(() => {
  vm = vmEngine('aarch64', { bootDeadlineMs: 300_000 });
  const t0 = performance.now();
  const r = vm.batch({
    runs: plans.flatMap((p) => [{ stack: [p.program], cases: p.cases }, { stack: [p.program], cases: TABLE }]),
    checks: plans.flatMap((p) => [{ stack: [p.program] }, { stack: [p.program], flags: TSYNC }]),
  });
  runs = r.runs;
  checks = r.checks;
  const b = vm.lastBoot!;
  report.push(
    `vm:aarch64 boxlite + cellos: one boot in ${(performance.now() - t0).toFixed(0)} ms (qemu wall ${b.wallMs.toFixed(0)} ms, guest boot ${b.guestBootMs} ms, ` +
      `batch ${b.batchMs} ms = ${(b.probes / (b.batchMs / 1000)).toFixed(0)} probes/s), ${b.probes} probes`,
  );
  emu = emulatorEngine({ kernel: resolveKernel(vm.machine.release), task: sandboxTask(AARCH64) });
});

afterAll(() => {
  console.log(report.join('\n'));
});

describe('vm:aarch64: boxlite (vmm, vcpu, api) and the cellos baseline against the emulator for the same kernel', () => {
  it('none of the filters reads instruction_pointer (so ip 0 loses nothing)', () => {
    expect(FILTERS.filter((f) => stackReadsInstructionPointer([f.program])).map((f) => f.name)).toEqual([]);
  });

  plans.forEach((p, j) => {
    for (const [k, what] of [[0, `${GUIDED} guided draws`], [1, `each of the ${TABLE.length} aarch64 syscalls`]] as const) {
      it(`${p.name}: ${what}: zero disagreements, nothing skipped`, () => {
        const cases = k === 0 ? p.cases : TABLE;
        const got = runs[2 * j + k];
        const want = emu.run([p.program], cases);
        const cmps = cases.map((_, i) => compareOutcomes(want[i], got[i]));
        const counts = countComparisons(cmps);
        report.push(`vm:aarch64 ${p.name}, ${what}${k === 0 ? ` (${p.foreign} foreign-arch draws left out)` : ''}: ${formatComparisonCounts(counts, 'case')}`);
        const bad = cases.flatMap((c, i) => (cmps[i].verdict === 'agree' ? [] : [`nr ${c.nr} args ${c.args.join(',')}: emulator ${formatEngineOutcome(want[i])}, vm ${formatEngineOutcome(got[i])}`]));
        expect(bad.slice(0, 20)).toEqual([]);
        expect(counts.agree).toBe(cases.length);
        // The draws reach more than one outcome: the filter's rules, not only its default.
        expect(new Set(got.map((o) => o.kind)).size).toBeGreaterThan(1);
      });
    }

    it(`${p.name}: loads with and without TSYNC, as the emulator says`, () => {
      for (const [k, flags] of [[0, 0], [1, TSYNC]] as const) {
        const got = checks[2 * j + k];
        const want = emu.check([p.program], flags);
        expect(got.map((s) => s.ok)).toEqual([true]);
        expect(compareCheckSteps(want[0], got[0])).toEqual({ verdict: 'agree' });
      }
    });
  });
});
