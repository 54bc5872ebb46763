// npm run bench: evaluations per second of the reference interpreter and the
// compiled engine beside a plain switch-in-a-loop interpreter measured in the
// same run, on allowlist filters of ~100/500/1500 instructions and on the
// largest corpus filter. Figures are ratios to that baseline; the machines
// are shared, so absolute numbers move between runs. Then the kernel probe
// (kernel_probe.ts) and the engines that boot a VM or start a container
// beside the host kernel engine (engines.ts).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { BpfEmulator, compileFilter, Coverage, decodeProgram, seccompData, seccompDataWords, type Insn } from 'unicorn-bpf-emulator';
import { allowlistFilter } from './allowlist.js';
import { enginesBench } from './engines.js';
import { fuzzBench } from './fuzz.js';
import { kernelProbeBench } from './kernel_probe.js';
import { plainLoop } from './plain_loop.js';

const BATCH = 1024;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1500);
const CORPUS = process.env.SECCHECK_CORPUS ?? new URL('../../../shared/corpus/', import.meta.url).pathname;

/** Inputs: mostly syscalls the filter names (so paths run deep), some random, some foreign/x32. */
function inputs(syscalls: number[], seed: number): Uint32Array[] {
  let s = seed >>> 0;
  const rnd = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  const out: Uint32Array[] = [];
  for (let i = 0; i < BATCH; i++) {
    const r = rnd() % 10;
    const nr = r < 7 && syscalls.length ? syscalls[rnd() % syscalls.length] : r < 9 ? rnd() % 450 : (0x40000000 | rnd() % 450);
    const arch = r === 9 && rnd() % 2 ? 0x40000003 : 0xc000003e;
    out.push(seccompDataWords(seccompData(nr, arch, [BigInt(nr + 1), BigInt(rnd()), 0, 0, 0, 0])));
  }
  return out;
}

function largestCorpusFilter(): { name: string; program: Insn[] } | null {
  if (!existsSync(CORPUS)) return null;
  let best: { name: string; program: Insn[] } | null = null;
  const dirs: string[] = [];
  for (const d of readdirSync(join(CORPUS, 'libseccomp'))) dirs.push(join('libseccomp', d));
  for (const arch of readdirSync(join(CORPUS, 'compiled/docker-moby'))) {
    const base = join('compiled/docker-moby', arch);
    for (const v of readdirSync(join(CORPUS, base))) if (existsSync(join(CORPUS, base, v, 'filter.bpf'))) dirs.push(join(base, v));
  }
  for (const d of dirs) {
    const f = join(CORPUS, d, 'filter.bpf');
    if (!existsSync(f)) continue;
    const program = decodeProgram(readFileSync(f));
    if (!best || program.length > best.program.length) best = { name: d, program };
  }
  return best;
}

interface Row { filter: string; insns: number; plain: number; interpreter: number; compiled: number; coverage: number }

async function measure(name: string, program: Insn[], data: Uint32Array[]): Promise<Row> {
  const emu = new BpfEmulator(program);
  const fn = compileFilter(program);
  const cov = new Coverage(program);
  // Same answers before timing anything.
  for (const w of data) {
    const want = plainLoop(program, w) >>> 0;
    if (emu.run(w) !== want || fn(w) !== want || cov.record(w) !== want) throw new Error(`${name}: engines disagree`);
  }
  let sink = 0;
  const bench = new Bench({ time: TIME_MS, warmup: true });
  bench
    .add('plain', () => { for (let i = 0; i < BATCH; i++) sink ^= plainLoop(program, data[i]); })
    .add('interpreter', () => { for (let i = 0; i < BATCH; i++) sink ^= emu.run(data[i]); })
    .add('compiled', () => { for (let i = 0; i < BATCH; i++) sink ^= fn(data[i]); })
    .add('coverage', () => { for (let i = 0; i < BATCH; i++) sink ^= cov.record(data[i]); });
  await bench.run();
  const rate = (task: string): number => {
    const r = bench.getTask(task)?.result;
    if (!r || !('throughput' in r)) throw new Error(`${name}/${task}: no result`);
    return r.throughput.mean * BATCH;
  };
  if (sink === 0.5) console.log(''); // keep the work observable
  return { filter: name, insns: program.length, plain: rate('plain'), interpreter: rate('interpreter'), compiled: rate('compiled'), coverage: rate('coverage') };
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const size of [100, 500, 1500]) {
    const { program, syscalls } = allowlistFilter(size);
    rows.push(await measure(`allowlist-${size}`, program, inputs(syscalls, size)));
  }
  const big = largestCorpusFilter();
  if (big) rows.push(await measure(`corpus:${big.name}`, big.program, inputs(Array.from({ length: 450 }, (_, i) => i), 7)));
  else console.log(`(corpus not found at ${CORPUS}; skipped the largest corpus filter)`);

  console.log(`\nEvaluations per second (batch of ${BATCH} inputs, ~${TIME_MS} ms per task, node ${process.version})`);
  console.log('filter                                   insns   plain loop   interpreter (x plain)   compiled (x plain)     coverage recording (x plain)');
  for (const r of rows) {
    console.log(
      `${r.filter.padEnd(40)} ${String(r.insns).padStart(5)}   ${fmt(r.plain).padStart(10)}   ${fmt(r.interpreter).padStart(9)} (${(r.interpreter / r.plain).toFixed(2)}x)      ${fmt(r.compiled).padStart(9)} (${(r.compiled / r.plain).toFixed(2)}x)   ${fmt(r.coverage).padStart(9)} (${(r.coverage / r.plain).toFixed(2)}x)`,
    );
  }
  const small = rows[0];
  console.log(`\nTargets on allowlist-100: compiled >= 5x plain loop: ${(small.compiled / small.plain).toFixed(2)}x ${small.compiled / small.plain >= 5 ? 'MET' : 'NOT MET'}; >= 10M evals/s: ${fmt(small.compiled)} ${small.compiled >= 10e6 ? 'MET' : 'NOT MET'}`);
  fuzzBench(small.compiled);
  kernelProbeBench();
  enginesBench();
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
