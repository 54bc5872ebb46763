// fullCoverage(): a generator of seccomp_data, run `runs` times on a
// filter, hits every reachable branch edge of it. Unlike the other
// properties it is not universally quantified over inputs: it is a fast-check
// property over the generator's seed, so a failure names the seed whose
// `runs` inputs left edges uncovered, and the message lists them.
import fc from 'fast-check';
import { type Program, type SeccompData } from 'unicorn-bpf-emulator';
import { measureCoverage } from './_internals/coverage_report.js';
import { abiByName } from './seccompData.js';

export interface FullCoverageOptions {
  /** ABI whose byte order the generated data is laid out in (default x86_64). */
  readonly arch?: string;
  /** Inputs drawn from `generator` per check (default 2,000). */
  readonly runs?: number;
}

export function fullCoverage(filter: Program, generator: fc.Arbitrary<SeccompData>, opts: FullCoverageOptions = {}): fc.IPropertyWithHooks<[number]> {
  const abi = abiByName(opts.arch ?? 'x86_64');
  const runs = opts.runs ?? 2_000;
  return fc.property(fc.integer(), (seed) => {
    const inputs = fc.sample(generator, { numRuns: runs, seed });
    const r = measureCoverage(filter, inputs, abi.endian);
    if (r.uncovered.length) {
      const list = r.uncovered.slice(0, 10).map((e) => `${e.from}->${e.to} (${e.branch})`).join(', ');
      const approx = r.method === 'cfg' ? ` (reachability over-approximated: ${r.reason})` : '';
      throw new Error(`${r.uncovered.length} of ${r.reachable} reachable edges uncovered after ${runs} inputs${approx}: ${list}${r.uncovered.length > 10 ? ', ...' : ''}`);
    }
  });
}
