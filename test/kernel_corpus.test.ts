// Every corpus filter (24 libseccomp conformance tests, 4 Docker builds) on
// the kernel engine and the emulator engine: each filter's cases.jsonl and
// fuzz.jsonl, the cases this kernel can run (x86_64, x86 and x32 on an
// x86_64 kernel) in one kernelRun call per filter, the rest skipped and
// counted. Then real policies (Firecracker's and boxlite's thread maps,
// Docker's profile compiled through libseccomp) on every syscall number of
// the three x86 ABIs. Zero disagreements. Fails, with the reason, when the
// kernel engine or the corpus is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { archByName } from 'unicorn-bpf-emulator';
import { CORPUS_DIR, loadCorpusFilters, type CorpusCase } from '../emulator/src/__test-helpers__/corpus.js';
import { compareOutcomes, countComparisons, formatComparisonCounts, type Comparison } from '../src/engines/compare.js';
import { emulator } from '../src/engines/emulator.js';
import { formatEngineOutcome } from '../src/engines/format.js';
import { kernel } from '../src/engines/kernel.js';
import { kernelAbi } from '../src/engines/kernel_skip.js';
import { formatCaseData } from '../src/evaluate.js';
import { parseCase, type Case } from '../src/formats/cases.js';
import { loadFilter } from '../src/formats/load.js';
import { requireKernelEngineForTests } from './__test-helpers__/engines.js';

const FILTERS = loadCorpusFilters();
const all: Comparison[] = [];
const lines: string[] = [];

const toCases = (cs: readonly CorpusCase[], file: string): Case[] => cs.map((c, i) => parseCase(c, i + 1, file));

beforeAll(() => {
  requireKernelEngineForTests();
});

afterAll(() => {
  console.log([...lines, `kernel corpus, all filters: ${formatComparisonCounts(countComparisons(all), 'case')}`].join('\n'));
});

describe('corpus filters: emulator = kernel', () => {
  it('has the 24 libseccomp and 4 Docker filters', () => {
    expect(FILTERS.filter((f) => f.name.startsWith('libseccomp/'))).toHaveLength(24);
    expect(FILTERS.filter((f) => f.name.startsWith('docker-moby/'))).toHaveLength(4);
  });

  for (const f of FILTERS) {
    it(f.name, () => {
      const cases = [...toCases(f.cases, `${f.dir}/cases.jsonl`), ...toCases(f.fuzz, `${f.dir}/fuzz.jsonl`)];
      const onEmulator = emulator.run([f.program], cases);
      const onKernel = kernel.run([f.program], cases);
      const cmps = cases.map((_, i) => compareOutcomes(onEmulator[i], onKernel[i]));
      all.push(...cmps);
      const counts = countComparisons(cmps);
      lines.push(`kernel corpus, ${f.name}: ${formatComparisonCounts(counts, 'case')}`);
      const disagreements = cases.flatMap((c, i) =>
        cmps[i].verdict === 'disagree'
          ? [`${c.line}: ${formatCaseData(c)}: emulator ${formatEngineOutcome(onEmulator[i])}, kernel ${formatEngineOutcome(onKernel[i])}`]
          : [],
      );
      expect(disagreements, f.name).toEqual([]);
      // Skipped only for an arch this kernel cannot run (the corpus has no instruction pointers), or by
      // the probe for uretprobe/uprobe (335/336), which it never makes.
      const wronglySkipped = cases.flatMap((c, i) => {
        const cmp = cmps[i];
        if (cmp.verdict !== 'skipped' || kernelAbi(c.arch.name) === undefined || /uretprobe|uprobe/.test(cmp.reason)) return [];
        return [`${formatCaseData(c)}: ${cmp.reason}`];
      });
      expect(wronglySkipped, f.name).toEqual([]);
    });
  }

  describe('real policies (x86_64 thread maps): every syscall number of the three ABIs, with zero and all-ones arguments', () => {
    const policies = ['policies/firecracker/x86_64-unknown-linux-musl.json', 'policies/boxlite/x86_64-unknown-linux-gnu.json', 'policies/docker-moby/default.json'];
    const x86_64 = archByName('x86_64')!;
    const abiCases: Case[] = [];
    for (const [arch, base, count] of [['x86_64', 0, 470], ['x86', 0, 470], ['x32', 0x40000000, 560]] as const) {
      for (let n = 0; n < count; n++) {
        for (const a of [0n, 0xffffffffffffffffn]) abiCases.push({ line: abiCases.length + 1, arch: archByName(arch)!, nr: base + n, args: [a, a, a, a, a, a], ip: 0n });
      }
    }
    for (const policy of policies) {
      it(policy, () => {
        const loaded = loadFilter(join(CORPUS_DIR, policy), { arch: x86_64 });
        for (const p of loaded.programs) {
          const stack = p.program.length === 0 ? [] : [p.program];
          const onEmulator = emulator.run(stack, abiCases);
          const onKernel = kernel.run(stack, abiCases);
          const cmps = abiCases.map((_, i) => compareOutcomes(onEmulator[i], onKernel[i]));
          all.push(...cmps);
          lines.push(`kernel corpus, ${policy}${p.thread === null ? '' : ` [${p.thread}]`}: ${formatComparisonCounts(countComparisons(cmps), 'case')}`);
          const disagreements = abiCases.flatMap((c, i) =>
            cmps[i].verdict === 'disagree' ? [`${formatCaseData(c)}: emulator ${formatEngineOutcome(onEmulator[i])}, kernel ${formatEngineOutcome(onKernel[i])}`] : [],
          );
          expect(disagreements, `${policy} ${p.thread ?? ''}`).toEqual([]);
        }
      });
    }
  });

  it('compared thousands of cases and skipped only foreign arches', () => {
    const c = countComparisons(all);
    expect(c.disagree).toBe(0);
    if (process.arch === 'x64') expect(c.agree).toBeGreaterThan(5000);
  });
});
