// vm:x86_64: one boot of Debian 12's amd64 kernel (q35, the plain vmlinux
// setup-vm extracts, syscall.x32=y) with the host's static probe as /init
// runs the corpus's Docker x86_64 filters on all three x86 ABIs (x86_64,
// i386 via int $0x80, x32) plus a few rows, and every answer equals the
// emulator's for that kernel version. Fails, with the reason, when qemu or
// the kernel (npm run setup:vm) or the static probe is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionValue, archByName, BPF_STMT, OP, type Program } from 'unicorn-bpf-emulator';
import { vmEngine, type VmEngine, type VmJob } from '../../containers/vm/engine.js';
import { loadCorpusFilters } from '../../emulator/src/__test-helpers__/corpus.js';
import { compareOutcomes, countComparisons, formatComparisonCounts } from '../../src/engines/compare.js';
import { emulatorEngine } from '../../src/engines/emulator.js';
import type { EngineCase, EngineOutcome } from '../../src/engines/engine.js';
import { formatEngineOutcome } from '../../src/engines/format.js';
import { kernelAbi } from '../../src/engines/kernel_skip.js';
import { formatCaseData } from '../../src/evaluate.js';
import { parseCase } from '../../src/formats/cases.js';
import { resolveKernel } from '../../src/kernel.js';

const at = (arch: string, nr: number): EngineCase => ({ arch: archByName(arch)!, nr, args: [0n, 0n, 0n, 0n, 0n, 0n], ip: 0n });
const TRAP: Program = [BPF_STMT(OP.RET_K, actionValue('TRAP', 7))];
const ROWS: { title: string; c: EngineCase; want: EngineOutcome }[] = [
  { title: 'x86_64 getpid traps with AUDIT_ARCH_X86_64', c: at('x86_64', 39), want: { kind: 'trap', signal: 31, si_errno: 7, si_syscall: 39, si_arch: 0xc000003e } },
  { title: 'i386 getpid (int $0x80) traps with AUDIT_ARCH_I386', c: at('x86', 20), want: { kind: 'trap', signal: 31, si_errno: 7, si_syscall: 20, si_arch: 0x40000003 } },
  { title: 'x32 getpid reaches the filter with the x32 bit', c: at('x32', 0x40000000 + 39), want: { kind: 'trap', signal: 31, si_errno: 7, si_syscall: 0x40000000 + 39, si_arch: 0xc000003e } },
];

const DOCKER = loadCorpusFilters().filter((f) => f.name.startsWith('docker-moby/x86_64/'));
const dockerCases = DOCKER.map((f) => [...f.cases.map((c, i) => parseCase(c, i + 1, `${f.dir}/cases.jsonl`)), ...f.fuzz.map((c, i) => parseCase(c, i + 1, `${f.dir}/fuzz.jsonl`))]);

let vm: VmEngine;
let results: EngineOutcome[][] = [];
const report: string[] = [];

beforeAll(() => {
  vm = vmEngine('x86_64', { bootDeadlineMs: 120_000 });
  const jobs: VmJob[] = [{ stack: [TRAP], cases: ROWS.map((r) => r.c) }, ...DOCKER.map((f, i) => ({ stack: [f.program], cases: dockerCases[i] }))];
  results = vm.runMany(jobs);
  const b = vm.lastBoot!;
  report.push(
    `vm:x86_64 (${vm.machine.kernelPackage} ${vm.machine.kernelVersion}): one boot, ${b.probes} probes: qemu wall ${b.wallMs.toFixed(0)} ms, ` +
      `guest boot to /init ${b.guestBootMs} ms, batch ${b.batchMs} ms in the VM = ${(b.probes / (b.batchMs / 1000)).toFixed(0)} probes/s`,
  );
});

afterAll(() => {
  console.log(report.join('\n'));
});

describe('vm:x86_64: one boot, the three x86 ABIs and the Docker x86_64 filters, against the emulator for the same kernel', () => {
  const emu = () => emulatorEngine({ kernel: resolveKernel(vm.machine.release) });

  ROWS.forEach((r, i) => {
    it(r.title, () => {
      expect(results[0][i]).toEqual(r.want);
      expect(compareOutcomes(emu().run([TRAP], [r.c])[0], results[0][i])).toEqual({ verdict: 'agree' });
    });
  });

  DOCKER.forEach((f, j) => {
    it(`${f.name}: zero disagreements`, () => {
      const cases = dockerCases[j];
      const got = results[1 + j];
      const e = emu().run([f.program], cases);
      const cmps = cases.map((_, i) => compareOutcomes(e[i], got[i]));
      report.push(`vm:x86_64 ${f.name}: ${formatComparisonCounts(countComparisons(cmps), 'case')}`);
      expect(cases.flatMap((c, i) => (cmps[i].verdict === 'disagree' ? [`${c.line}: ${formatCaseData(c)}: emulator ${formatEngineOutcome(e[i])}, vm ${formatEngineOutcome(got[i])}`] : []))).toEqual([]);
      // Skipped only: other arches' cases, and native uretprobe/uprobe (335/336), which the probe never makes.
      const wronglySkipped = cases.flatMap((c, i) => {
        const v = cmps[i];
        return v.verdict === 'skipped' && kernelAbi(c.arch.name, 'x64') !== undefined && !/uretprobe|uprobe/.test(v.reason) ? [`${formatCaseData(c)}: ${v.reason}`] : [];
      });
      expect(wronglySkipped).toEqual([]);
    });
  });
});
