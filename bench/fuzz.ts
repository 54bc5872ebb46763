// Fuzz throughput: `seccheck fuzz`'s loop (fast-check generation in batches,
// three cheap mutants per generated case, compiled-engine checks, 1-in-8
// coverage sampling) in cases per second, beside raw compiled-engine
// evaluations per second on the same inputs and the same filter
// (allowlistFilter(100)); also `fuzz --spec` with a spec of that filter's
// rules. Part of `npm run bench`.
import fc from 'fast-check';
import { archByName, compileFilter, type ArchInfo, type Program } from 'unicorn-bpf-emulator';
import { syscallName } from '../src/arch/syscalls.js';
import { DEFAULT_BATCH, batchSeed, defaultProperties, fuzz, makeProperty, type FuzzProperty, type PropertyName } from '../src/fuzz/fuzz.js';
import { specProperties } from '../src/fuzz/spec.js';
import { parseSpec } from '../src/spec/spec.js';
import { allowlistFilter } from './allowlist.js';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1500);
const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);

/** Cases per second of fuzz() over about TIME_MS (after a short warm-up). */
function fuzzRate(names: readonly PropertyName[], program: Program, arch: ArchInfo): number {
  return rateOf(names.map((n) => makeProperty(n, [program], arch)));
}

function rateOf(props: readonly FuzzProperty[], mutants?: number): number {
  fuzz(props, { seed: 1, timeMs: Math.min(300, TIME_MS), mutants });
  const r = fuzz(props, { seed: 2, timeMs: TIME_MS, mutants });
  if (r.failure) throw new Error(`fuzz bench: ${r.failure.headline} failed on allowlist-100: ${r.failure.shrunk.message}`);
  return (r.cases * 1000) / r.elapsedMs;
}

/** What allowlistFilter(100) does, as a spec: its syscalls (the argument-checked ones with their rule), the guards, EPERM otherwise. */
function allowlistSpec(syscalls: readonly number[]): string {
  const name = (nr: number): string => syscallName('x86_64', nr)!;
  const lines = ['arches: [x86_64]', 'expect:'];
  for (const nr of syscalls.filter((n) => n % 4 === 3)) {
    lines.push(`  - syscalls: [${name(nr)}]`, `    args: {0: ${nr + 1}}`, '    action: ALLOW', `  - syscalls: [${name(nr)}]`, '    action: ERRNO(1)');
  }
  lines.push(`  - syscalls: [${syscalls.filter((n) => n % 4 !== 3).map(name).join(', ')}]`, '    action: ALLOW');
  lines.push('  - foreign_arch: KILL_PROCESS', '  - x32: KILL_PROCESS', '  - default: ERRNO(1)');
  return lines.join('\n') + '\n';
}

/** `deepCompiled`: run.ts's compiled evaluations/s on allowlist-100 with its deep-path inputs, printed beside. */
export function fuzzBench(deepCompiled?: number): void {
  const arch = archByName('x86_64') as ArchInfo;
  const { program, syscalls } = allowlistFilter(100);
  const fn = compileFilter(program);
  const names = defaultProperties(arch);
  // Raw: the compiled function alone on inputs the fuzzer generates (a batch per property, reused).
  const inputs = names.flatMap((n, i) => fc.sample(makeProperty(n, [program], arch).words, { seed: batchSeed(3, i), numRuns: DEFAULT_BATCH }));
  let sink = 0, evals = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < TIME_MS) {
    for (let i = 0; i < inputs.length; i++) sink ^= fn(inputs[i]);
    evals += inputs.length;
  }
  const raw = (evals * 1000) / (performance.now() - t0);
  if (sink === 0.5) console.log('');
  // Generation alone (fast-check's share of a case).
  const words = makeProperty('x32', [program], arch).words;
  let generated = 0;
  const g0 = performance.now();
  for (let b = 0; performance.now() - g0 < TIME_MS / 2; b++) generated += fc.sample(words, { seed: batchSeed(4, b), numRuns: DEFAULT_BATCH }).length;
  const gen = (generated * 1000) / (performance.now() - g0);

  console.log(`\nFuzz throughput on allowlist-100 (${program.length} insns, x86_64; ~${TIME_MS} ms per figure)`);
  console.log(`  raw compiled evaluations/s on fuzz inputs:  ${fmt(raw)} (most stop at the arch check or x32 guard)`);
  if (deepCompiled !== undefined) console.log(`  raw compiled evaluations/s, deep inputs:    ${fmt(deepCompiled)} (the table above)`);
  console.log(`  fast-check generation alone (x32 inputs):  ${fmt(gen)} cases/s`);
  const all = fuzzRate(names, program, arch);
  const ratio = (x: number): string => `${((100 * x) / raw).toFixed(2)}% of raw${deepCompiled ? `, ${((100 * x) / deepCompiled).toFixed(2)}% of deep raw` : ''}`;
  for (const n of names) console.log(`  fuzz --properties ${n.padEnd(5)}                 ${fmt(fuzzRate([n], program, arch))} cases/s`);
  console.log(`  fuzz (default: ${names.join(',')})          ${fmt(all)} cases/s (${ratio(all)})`);
  const plain = rateOf(names.map((n) => makeProperty(n, [program], arch)), 0);
  console.log(`  the same, fast-check cases only (mutants 0) ${fmt(plain)} cases/s (${ratio(plain)})`);
  const spec = specProperties(parseSpec(allowlistSpec(syscalls), 'allowlist-100.yaml'), [{ abi: arch, stack: [program] }], 'allowlist-100.yaml');
  const bySpec = rateOf(spec.properties);
  console.log(`  fuzz --spec (${spec.properties.length} expectations)         ${fmt(bySpec)} cases/s (${ratio(bySpec)})`);
  console.log(`Target: fuzz >= 100k cases/s: ${fmt(all)} ${all >= 100e3 ? 'MET' : 'NOT MET'}`);
}
