import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archByName, type Program } from 'unicorn-bpf-emulator';
import { loadCorpusFilters } from '../emulator/src/__test-helpers__/corpus.js';
import { chooseArch } from '../src/explain/explain.js';
import { compareCoverage } from './_internals/coverage_report.js';
import { fullCoverage, seccompData } from './index.js';

const RUNS = Number(process.env.SECCHECK_COVERAGE_RUNS ?? 2_000);
const corpus = loadCorpusFilters();
const abiOf = (p: Program) => chooseArch(p, null, archByName('x86_64')) ?? archByName('x86_64')!;

describe('coverage: guided vs uniform', () => {
  it(`guided generation covers at least as many reachable edges as uniform data (${RUNS} cases each, every corpus filter)`, () => {
    const rows: string[] = [];
    let full = 0;
    for (const f of corpus) {
      const abi = abiOf(f.program);
      const t0 = performance.now();
      const c = compareCoverage(f.program, abi.auditArch, abi.endian, seccompData({ arch: abi.name, filter: f.program }), RUNS);
      const pct = (r: { hit: number; reachable: number }) => (r.reachable ? (100 * r.hit) / r.reachable : 100).toFixed(1).padStart(5);
      rows.push(`${f.name.padEnd(52)} ${abi.name.padEnd(8)} ${c.guided.method.padEnd(5)} reachable ${String(c.guided.reachable).padStart(4)}  uniform ${pct(c.uniform)}%  guided ${pct(c.guided)}%  (${(performance.now() - t0).toFixed(0)} ms)`);
      if (c.guided.hit === c.guided.reachable) full++;
      expect(c.guided.hit, f.name).toBeGreaterThanOrEqual(c.uniform.hit);
    }
    console.log(`${rows.join('\n')}\nguided reaches 100% of reachable edges on ${full}/${corpus.length} corpus filters`);
  });
});

describe('fullCoverage', () => {
  it('holds for a small corpus filter with the guided generator, fails with uniform data', () => {
    const f = corpus.find((c) => c.name === 'libseccomp/02-sim-basic')!;
    const abi = abiOf(f.program);
    fc.assert(fullCoverage(f.program, seccompData({ arch: abi.name, filter: f.program }), { arch: abi.name, runs: 2_000 }), { numRuns: 3 });
    const uniform = seccompData({ arch: abi.name, edges: false, syscalls: [999] });
    const r = fc.check(fullCoverage(f.program, uniform, { arch: abi.name, runs: 200 }), { numRuns: 3 });
    expect(r.failed).toBe(true);
    console.log(`fullCoverage with nr fixed to 999: ${String(r.errorInstance)}`);
  });
});
