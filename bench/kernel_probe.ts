// Guarded kernel probes per second (native/probe.ts) beside the emulator in
// the same run, on the allowlist-100 filter and 10,000 mixed cases: mostly
// syscalls the filter names (allowed, or errno 1 where an argument check
// fails), some random numbers (errno 1), some i386 and x32 calls (killed by
// the arch check and the x32 guard; each kill ends a probe child). Every
// kernel outcome is checked against the emulator's.
import { actionOutcome, compileFilter, FilterStack, seccompData, seccompDataWords, type Outcome } from 'unicorn-bpf-emulator';
import { kernelProbeUnavailable, kernelRun, type KernelCase, type KernelOutcome } from '../native/probe.js';
import { allowlistFilter } from './allowlist.js';

const CASES = 10_000;
const X86_64 = 0xc000003e;
const I386 = 0x40000003;

function mixedCases(syscalls: readonly number[], seed: number): KernelCase[] {
  let s = seed >>> 0;
  const rnd = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8; // high bits: an LCG's low bits cycle
  const out: KernelCase[] = [];
  for (let i = 0; i < CASES; i++) {
    const r = rnd() % 20;
    if (r < 14) {
      const nr = syscalls[rnd() % syscalls.length];
      // Arg-checked syscalls allow args[0] == nr + 1 only; mostly give that.
      out.push({ abi: 'native', nr, args: [BigInt(rnd() % 4 ? nr + 1 : rnd()), BigInt(rnd())] });
    } else if (r < 18) {
      out.push({ abi: 'native', nr: rnd() % 450, args: [BigInt(rnd())] });
    } else if (r === 18) {
      out.push({ abi: 'i386', nr: rnd() % 450, args: [BigInt(rnd())] });
    } else {
      out.push({ abi: 'x32', nr: 0x40000000 | rnd() % 450, args: [] });
    }
  }
  return out;
}

const same = (k: KernelOutcome, e: Outcome): boolean => JSON.stringify(k) === JSON.stringify(e.kind === 'allowed' ? { kind: 'allowed', logged: false } : e);

/** Measure and print; returns the rates (null when the probe is unavailable). */
export function kernelProbeBench(): { probesPerSecond: number; emulatorPerSecond: number } | null {
  const why = kernelProbeUnavailable();
  if (why !== null) {
    console.log(`\nKernel probe: not measured (${why})`);
    return null;
  }
  const { program, syscalls } = allowlistFilter(100);
  const cases = mixedCases(syscalls, 100);
  const kinds = new Map<string, number>();

  kernelRun([program], cases.slice(0, 200)); // warm up (library, code paths)
  const t0 = performance.now();
  const got = kernelRun([program], cases);
  const kernelMs = performance.now() - t0;
  for (const o of got) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);

  // The emulator on the same cases: encode + evaluate + map to an Outcome, as the comparison does.
  const stack = new FilterStack([compileFilter(program)]);
  const emulate = (): Outcome[] =>
    cases.map((c) => {
      const data = seccompData(c.nr, c.abi === 'i386' ? I386 : X86_64, c.args);
      return actionOutcome(stack.run(seccompDataWords(data)).action, { nr: data.nr, arch: data.arch });
    });
  emulate();
  let reps = 0;
  let emulated: Outcome[] = [];
  const e0 = performance.now();
  do {
    emulated = emulate();
    reps++;
  } while (performance.now() - e0 < 300);
  const emuMs = (performance.now() - e0) / reps;

  let agree = 0;
  let compared = 0;
  got.forEach((o, i) => {
    if (o.kind === 'skipped') return;
    compared++;
    if (same(o, emulated[i])) agree++;
  });
  const probesPerSecond = (CASES / kernelMs) * 1000;
  const emulatorPerSecond = (CASES / emuMs) * 1000;
  const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}k`);
  const mix = [...kinds].map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`\nKernel probe (guarded, allowlist-100, ${CASES} mixed cases: ${mix})`);
  console.log(`  kernel:   ${fmt(probesPerSecond).padStart(8)} probes/s (${kernelMs.toFixed(0)} ms; target >= 5k: ${probesPerSecond >= 5000 ? 'MET' : 'NOT MET'})`);
  console.log(`  emulator: ${fmt(emulatorPerSecond).padStart(8)} cases/s (encode + evaluate + outcome, same cases)`);
  console.log(`  agreement: ${agree}/${compared} outcomes equal${compared < CASES ? ` (${CASES - compared} skipped)` : ''}`);
  if (agree !== compared) throw new Error(`kernel probe and emulator disagree on ${compared - agree} cases`);
  return { probesPerSecond, emulatorPerSecond };
}
