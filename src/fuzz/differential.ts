// `seccheck fuzz --engine both`: the batches a fixed rule selects are also
// run on the running kernel (the kernel engine: each run forks a probe
// child that installs the stack behind a guard; nothing is installed in
// this process, no syscall under test runs) and compared with the emulator
// engine case by case (compareOutcomes). Only cases the host kernel can
// produce go to it: its ABIs (x86_64, i386, x32 on an x86_64 kernel), laid
// out little-endian. When the stack never reads instruction_pointer, the
// case goes with ip = 0 (the same input for the filter; the kernel fills ip
// itself). Which batches are selected depends only on the batch index, the
// number of properties and `every`, so --seed/--runs/--kernel-every replay a run exactly.
import { __X32_SYSCALL_BIT, seccompDataFromWords, type ArchInfo, type Program } from 'unicorn-bpf-emulator';
import { compareOutcomes } from '../engines/compare.js';
import { emulatorEngine } from '../engines/emulator.js';
import type { Engine, EngineCase, EngineOutcome } from '../engines/engine.js';
import { formatEngineOutcome } from '../engines/format.js';
import { kernelAbi, stackReadsInstructionPointer } from '../engines/kernel_skip.js';
import { abiByName } from '../../properties/seccompData.js';
import { shrinkWords, type FuzzProperty, type SecondEngine } from './fuzz.js';

/** --kernel-every default: every batch when --runs is at most this many cases, else one batch in DEFAULT_KERNEL_EVERY. */
export const KERNEL_ALL_UP_TO = 16_384;
export const DEFAULT_KERNEL_EVERY = 8;

export function defaultKernelEvery(runs: number | undefined): number {
  return runs !== undefined && runs <= KERNEL_ALL_UP_TO ? 1 : DEFAULT_KERNEL_EVERY;
}

export interface DifferentialStats {
  /** Cases both engines ran and compared. */
  compared: number;
  /** Cases the host kernel cannot produce (another ABI or byte order), not sent. */
  notHost: number;
  /** Cases the kernel engine skipped, by reason. */
  readonly skipped: Map<string, number>;
  /** Time spent in the kernel engine, ms. */
  kernelMs: number;
  /** Cases sent to the kernel engine. */
  sent: number;
}

export interface Differential extends SecondEngine {
  readonly stats: DifferentialStats;
}

/** Shrinking a disagreement costs a probe run per candidate: at most this many. */
const SHRINK_BUDGET = 300;

/** `kernel`: the kernel engine (or a stand-in in tests). `every`: run round r (batches r*n .. r*n+n-1 of n properties) when r % every === 0. */
export function kernelDifferential(kernel: Engine, every: number, emulator: Engine = emulatorEngine()): Differential {
  const stats: DifferentialStats = { compared: 0, notHost: 0, skipped: new Map(), kernelMs: 0, sent: 0 };
  const abis = new Map<string, ArchInfo>();
  const abi = (name: string): ArchInfo => {
    let a = abis.get(name);
    if (!a) abis.set(name, (a = abiByName(name)));
    return a;
  };
  const readsIp = new Map<readonly Program[], boolean>();
  /** The case the kernel can make for these words, or null. */
  const toCase = (prop: FuzzProperty, w: Uint32Array): EngineCase | null => {
    if (prop.endian !== 'little') return null;
    const d = seccompDataFromWords(w, 'little');
    const arch = w[1] === 0xc000003e ? abi((w[0] & __X32_SYSCALL_BIT) !== 0 && w[0] !== 0xffffffff ? 'x32' : 'x86_64')
      : w[1] === 0x40000003 ? abi('x86') : w[1] === 0xc00000b7 ? abi('aarch64') : undefined;
    if (arch === undefined || kernelAbi(arch.name) === undefined) return null;
    let ip = readsIp.get(prop.stack);
    if (ip === undefined) readsIp.set(prop.stack, (ip = stackReadsInstructionPointer(prop.stack)));
    return { arch, nr: d.nr | 0, args: d.args, ip: ip ? d.instruction_pointer : 0n };
  };
  const compare = (prop: FuzzProperty, words: readonly Uint32Array[], count: boolean): { index: number; message: string } | null => {
    const cases: EngineCase[] = [];
    const at: number[] = [];
    words.forEach((w, i) => {
      const c = toCase(prop, w);
      if (c === null) {
        if (count) stats.notHost++;
        return;
      }
      cases.push(c);
      at.push(i);
    });
    if (cases.length === 0) return null;
    const onEmulator = emulator.run(prop.stack, cases);
    const t0 = performance.now();
    const onKernel: EngineOutcome[] = kernel.run(prop.stack, cases);
    if (count) {
      stats.kernelMs += performance.now() - t0;
      stats.sent += cases.length;
    }
    for (let j = 0; j < cases.length; j++) {
      const cmp = compareOutcomes(onEmulator[j], onKernel[j]);
      if (cmp.verdict === 'skipped') {
        if (count) stats.skipped.set(cmp.reason, (stats.skipped.get(cmp.reason) ?? 0) + 1);
        continue;
      }
      if (cmp.verdict === 'disagree') {
        const c = cases[j];
        return { index: at[j], message: `${c.arch.name} case: emulator ${formatEngineOutcome(onEmulator[j])}, kernel ${formatEngineOutcome(onKernel[j])}` };
      }
      if (count) stats.compared++;
    }
    return null;
  };
  return {
    stats,
    // Whole rounds (a batch of every property), so each property's inputs reach the kernel.
    selects: (b, n) => Math.floor(b / n) % every === 0,
    run: (prop, words) => compare(prop, words, true),
    shrink(prop, words, seed) {
      let budget = SHRINK_BUDGET;
      const fails = (w: Uint32Array): boolean => budget-- > 0 && compare(prop, [w], false) !== null;
      // Most disagreements are about nr and arch: try with ip and args cleared first.
      const bare = words.slice();
      bare.fill(0, 2);
      const s = shrinkWords(fails(bare) ? bare : words, seed, fails);
      const again = compare(prop, [s.words], false);
      return again ? { ...s, message: again.message } : { words, steps: 0, message: compare(prop, [words], false)?.message ?? '' };
    },
  };
}

/** "12,288 cases compared, 0 disagree; 4,096 not a host ABI; 12 skipped by the kernel engine (reason: n, ...)". */
export function formatDifferentialStats(s: DifferentialStats): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const skipped = [...s.skipped.values()].reduce((a, b) => a + b, 0);
  const reasons = [...s.skipped].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([r, c]) => `${r}: ${n(c)}`).join('; ');
  const rate = s.kernelMs > 0 ? `, ${n(Math.round((s.sent * 1000) / s.kernelMs))} cases/s on the kernel` : '';
  return `${n(s.compared)} cases compared with the kernel, 0 disagree${rate}; skipped: ${n(s.notHost)} not a host ABI, ${n(skipped)} by the kernel engine${skipped ? ` (${reasons})` : ''}`;
}
