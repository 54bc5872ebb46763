// The engines that boot or start something (issue 6, "Performance"): for
// vm:aarch64, vm:x86_64 (qemu-system under TCG, Debian 12's kernel) and
// container:x86_64 (testcontainers, the probe in an image FROM scratch), the
// time from start to result and the probes per second inside, beside the
// host kernel engine measured in the same run on the same batch. The
// machines are shared and noisy, so figures are also given as ratios to the
// host kernel engine.
//
// The batch: the allowlist-100 filter (bench/allowlist.ts, with the arch
// check rewritten for aarch64) and ~2,000 cases that end in ALLOW or ERRNO
// (no KILL: each kill ends a probe child and would measure forks instead).
// Every engine's outcomes are checked against the emulator's.
//
// An engine that is not set up here (no VM kernel, no qemu, no Docker) is
// one line saying what is missing and how to set it up, and the bench goes
// on; with BENCH_REQUIRE_ENGINES=1 (CI) that line is an error.
import { archByName, insn, OP, type ArchInfo, type Insn } from 'unicorn-bpf-emulator';
import { containerArchRefusal, containerEngine, dockerAvailability, ensureProbeImage } from '../containers/docker/engine.js';
import { vmEngine, type VmEngine } from '../containers/vm/engine.js';
import type { VmArch } from '../containers/vm/machine.js';
import { outcomesEqual } from '../src/engines/compare.js';
import type { EngineCase, EngineOutcome } from '../src/engines/engine.js';
import { emulator } from '../src/engines/emulator.js';
import { kernel, kernelAvailability } from '../src/engines/kernel.js';
import { allowlistFilter } from './allowlist.js';

const CASES = 2_000;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const AUDIT_ARCH_AARCH64 = 0xc00000b7;
/** Boots (containers) per engine: 2 by default (each boot is seconds); BENCH_ENGINE_RUNS overrides. */
const RUNS = Math.max(1, Number(process.env.BENCH_ENGINE_RUNS ?? 2));
const REQUIRE = process.env.BENCH_REQUIRE_ENGINES === '1';

/** allowlist-100 for `arch`: the same program with its arch check on AUDIT_ARCH_<arch>. */
function allowlistFor(arch: 'x86_64' | 'aarch64'): { program: Insn[]; syscalls: number[] } {
  const { program, syscalls } = allowlistFilter(100);
  const check = program[1];
  if (check.code !== OP.JMP_JEQ_K || check.k >>> 0 !== AUDIT_ARCH_X86_64) throw new Error('bench/engines: allowlist-100 no longer starts with an x86_64 arch check');
  if (arch === 'aarch64') program[1] = insn(OP.JMP_JEQ_K, check.jt, check.jf, AUDIT_ARCH_AARCH64);
  return { program, syscalls };
}

/**
 * CASES cases for allowlist-100 on `arch`, about half ALLOW and half ERRNO 1:
 * a named syscall with the argument its check wants (ALLOW), a named
 * arg-checked one with another argument or an unnamed number in 100..299
 * (ERRNO 1). No number is x86_64's uretprobe/uprobe (335, 336), which the
 * probe skips.
 */
function batch(arch: ArchInfo, syscalls: readonly number[], seed: number): EngineCase[] {
  let s = seed >>> 0;
  const rnd = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8; // high bits: an LCG's low bits cycle
  // allowlistFilter checks args[0] of every fourth syscall it names.
  const checked = syscalls.filter((nr) => nr % 4 === 3);
  const out: EngineCase[] = [];
  for (let i = 0; i < CASES; i++) {
    const r = rnd() % 4;
    const nr = r < 2 ? syscalls[rnd() % syscalls.length] : r === 2 ? checked[rnd() % checked.length] : 100 + (rnd() % 200);
    const args = [BigInt(r === 2 ? nr + 2 : nr + 1), BigInt(rnd()), 0n, 0n, 0n, 0n];
    out.push({ arch, nr, args, ip: 0n });
  }
  return out;
}

/** One engine's figures over its runs. */
interface Row {
  readonly engine: string;
  readonly detail: string;
  /** Host clock, per run: the call, start to result (the whole batch). */
  readonly wallMs: number[];
  /** Per run: what is not the batch (wall minus the time the batch took inside). */
  readonly fixedMs: number[];
  /** Per run: probes per second inside (the batch alone). */
  readonly insideRate: number[];
  readonly probes: number;
  readonly agree: string;
}

/**
 * An engine not measured: why, with the fix. `here` is false when it cannot
 * run on this host's arch at all (not a setup problem, so not an error under
 * BENCH_REQUIRE_ENGINES=1).
 */
interface Skip {
  readonly engine: string;
  readonly why: string;
  readonly here: boolean;
}
// SeccheckError messages start with the engine's name already.
const skip = (engine: string, why: string, here = true): Skip => ({ engine, why: why.startsWith(`${engine}: `) ? why.slice(engine.length + 2) : why, here });

/** Outcomes equal to the emulator's, as "n/m" (skipped cases left out); throws on a disagreement. */
function agreement(name: string, got: readonly EngineOutcome[], want: readonly EngineOutcome[]): string {
  let compared = 0;
  let agree = 0;
  got.forEach((o, i) => {
    if (o.kind === 'skipped') return;
    compared++;
    if (outcomesEqual(o, want[i])) agree++;
  });
  if (agree !== compared) throw new Error(`${name} and the emulator disagree on ${compared - agree} of ${compared} cases`);
  return `${agree}/${compared}`;
}

const kindsOf = (outs: readonly EngineOutcome[]): string => {
  const kinds = new Map<string, number>();
  for (const o of outs) {
    const k = o.kind === 'errno' ? `errno ${o.errno}` : o.kind;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  return [...kinds].map(([k, n]) => `${k} ${n}`).join(', ');
};

/** The host kernel engine: the batch (best of 5), and one case alone (best of 5) as its fixed cost. */
function hostKernel(program: Insn[], cases: EngineCase[]): Row | Skip {
  const a = kernelAvailability();
  if (!a.ok) return skip('kernel', `${a.reason}; build the probe with node native/build.mjs`);
  const want = emulator.run([program], cases);
  kernel.run([program], cases.slice(0, 100)); // warm up (library, code paths)
  let best = Infinity;
  let got: EngineOutcome[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    got = kernel.run([program], cases);
    best = Math.min(best, performance.now() - t0);
  }
  let one = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    kernel.run([program], cases.slice(0, 1));
    one = Math.min(one, performance.now() - t0);
  }
  const probes = got.filter((o) => o.kind !== 'skipped').length;
  return { engine: 'kernel', detail: `host ${process.arch}`, wallMs: [best], fixedMs: [one], insideRate: [(probes / best) * 1000], probes, agree: agreement('kernel', got, want) };
}

/** Guest clock, per boot: kernel start until the probe ran as /init. */
const guestBoot = new Map<string, number[]>();

/** A VM arch: RUNS boots, each with the whole batch in its initramfs. */
function vm(arch: VmArch, program: Insn[], cases: EngineCase[]): Row | Skip {
  const name = `vm:${arch}`;
  let engine: VmEngine;
  try {
    engine = vmEngine(arch);
  } catch (e) {
    return skip(name, message(e));
  }
  const r = timeRuns(name, 'boot', () => engine.run([program], cases), () => {
    const b = engine.lastBoot!;
    // The guest's clock times the batch; the rest (qemu start, kernel boot, power-off) is the fixed cost.
    return { wallMs: b.wallMs, innerMs: b.batchMs, probes: b.probes, guestBootMs: b.guestBootMs };
  }, emulator.run([program], cases));
  if ('skip' in r) return r.skip;
  const { wallMs, fixedMs, insideRate, probes, agree, boots } = r;
  guestBoot.set(name, boots);
  return { engine: name, detail: `Debian ${engine.machine.release}`, wallMs, fixedMs, insideRate, probes, agree };
}

/** container:x86_64: RUNS containers (seccomp=unconfined), the image built beforehand. */
function container(program: Insn[], cases: EngineCase[]): Row | Skip {
  const name = 'container:x86_64';
  const refusal = containerArchRefusal('x86_64');
  if (refusal !== null) return skip(name, refusal, false);
  const docker = dockerAvailability();
  if (!docker.ok) return skip(name, docker.reason);
  let built: number | null;
  try {
    built = ensureProbeImage('x86_64', process.stdout).buildMs;
  } catch (e) {
    return skip(name, message(e));
  }
  const engine = containerEngine('x86_64', { progress: null });
  // Docker's StartedAt..FinishedAt holds the probe's whole run (exec, batch, exit); the rest is create/start/logs/inspect.
  const r = timeRuns(name, 'container', () => engine.run([program], cases), () => {
    const l = engine.lastRun!;
    return { wallMs: l.wallMs, innerMs: l.insideMs, probes: l.probes };
  }, emulator.run([program], cases));
  if ('skip' in r) return r.skip;
  const { wallMs, fixedMs, insideRate, probes, agree } = r;
  const detail = `Docker ${docker.serverVersion}${built === null ? '' : `, image built in ${(built / 1000).toFixed(1)} s`}`;
  return { engine: name, detail, wallMs, fixedMs, insideRate, probes, agree };
}

interface RunFigures { readonly wallMs: number; readonly innerMs: number; readonly probes: number; readonly guestBootMs?: number }
interface TimedRuns { wallMs: number[]; fixedMs: number[]; insideRate: number[]; boots: number[]; probes: number; agree: string }

/** RUNS runs of an engine: per run the wall time, the fixed cost (wall - the batch inside) and probes/s inside. */
function timeRuns(name: string, unit: string, run: () => EngineOutcome[], figures: () => RunFigures, want: EngineOutcome[]): TimedRuns | { skip: Skip } {
  const t: TimedRuns = { wallMs: [], fixedMs: [], insideRate: [], boots: [], probes: 0, agree: '' };
  for (let i = 0; i < RUNS; i++) {
    let got: EngineOutcome[];
    try {
      got = run();
    } catch (e) {
      return { skip: skip(name, `${unit} ${i + 1}: ${message(e)}`) };
    }
    const f = figures();
    t.agree = agreement(name, got, want);
    t.wallMs.push(f.wallMs);
    t.fixedMs.push(f.wallMs - f.innerMs);
    t.insideRate.push((f.probes / Math.max(f.innerMs, 1)) * 1000);
    if (f.guestBootMs !== undefined) t.boots.push(f.guestBootMs);
    t.probes = f.probes;
  }
  return t;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0];

const ms = (n: number): string => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(n >= 100 ? 0 : 1)} ms`);
const rate = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}k`);
const ratio = (n: number): string => (n >= 100 ? `${n.toFixed(0)}x` : n >= 10 ? `${n.toFixed(1)}x` : `${n.toFixed(2)}x`);
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const each = (xs: readonly number[], f: (n: number) => string): string => xs.map(f).join(' / ');

/** Measure and print; throws when BENCH_REQUIRE_ENGINES=1 and an engine could not be measured. */
export function enginesBench(): void {
  const x86 = allowlistFor('x86_64');
  const a64 = allowlistFor('aarch64');
  const x86Cases = batch(archByName('x86_64')!, x86.syscalls, 2000);
  const a64Cases = batch(archByName('aarch64')!, a64.syscalls, 2000);

  const t0 = performance.now();
  const results: (Row | Skip)[] = [
    process.arch === 'x64' ? hostKernel(x86.program, x86Cases) : process.arch === 'arm64' ? hostKernel(a64.program, a64Cases) : skip('kernel', `no probe for ${process.arch}`, false),
    vm('aarch64', a64.program, a64Cases),
    process.arch === 'x64' ? vm('x86_64', x86.program, x86Cases) : skip('vm:x86_64', `needs an x86_64 host for its probe (this is ${process.arch})`, false),
    container(x86.program, x86Cases),
  ];
  const totalMs = performance.now() - t0;

  const isSkip = (r: Row | Skip): r is Skip => 'why' in r;
  const hostRow = isSkip(results[0]) ? null : results[0];
  console.log(`\nEngines (allowlist-100, ${CASES} cases: ${kindsOf(emulator.run([x86.program], x86Cases))}; ${RUNS} boot${RUNS === 1 ? '' : 's'}/container${RUNS === 1 ? '' : 's'} each; ratios to the host kernel engine in this run; ${ms(totalMs)} in all)`);
  console.log('engine            start to result, whole batch (x host)   fixed cost: wall - batch (x host 1 case)   probes/s inside (x host)      agree with emulator');
  console.log('                  (host clock, per run)                   (VM: qemu start, boot, power-off; container: create, start, exit, inspect)');
  const missing: Skip[] = [];
  for (const r of results) {
    if (isSkip(r)) {
      console.log(`${r.engine.padEnd(17)} not measured: ${r.why}`);
      if (r.here) missing.push(r);
      continue;
    }
    const h = hostRow;
    const wall = `${each(r.wallMs, ms)}${h && r !== h ? ` (${ratio(median(r.wallMs) / h.wallMs[0])})` : ''}`;
    const fixed = `${each(r.fixedMs, ms)}${h && r !== h ? ` (${ratio(median(r.fixedMs) / h.fixedMs[0])})` : ''}`;
    const inside = `${each(r.insideRate, rate)}${h && r !== h ? ` (${ratio(median(r.insideRate) / h.insideRate[0])})` : ''}`;
    console.log(`${r.engine.padEnd(17)} ${wall.padEnd(39)} ${fixed.padEnd(42)} ${inside.padEnd(29)} ${r.agree}`);
  }
  for (const r of results) {
    if (isSkip(r)) continue;
    const boots = guestBoot.get(r.engine);
    console.log(`  ${r.engine}: ${r.detail}; ${r.probes} probes${boots ? `; guest kernel start to /init ${each(boots, ms)} (guest clock)` : ''}`);
  }
  if (missing.length > 0) {
    if (REQUIRE) throw new Error(`BENCH_REQUIRE_ENGINES=1 and ${missing.length} engine(s) not measured: ${missing.map((m) => m.engine).join(', ')}`);
    console.log(`  (${missing.length} engine(s) not measured; BENCH_REQUIRE_ENGINES=1 makes that an error)`);
  }
}
