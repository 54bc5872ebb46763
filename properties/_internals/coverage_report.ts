// Branch-edge coverage of a filter by a set of inputs, counted against the
// edges that some input can actually take.
//
// Reachability is exact where the path analysis can make it so: the
// symbolic executor (src/explain/symbolic.ts) enumerates every feasible path
// with all sixteen words symbolic; each path's atoms are solved to one
// concrete witness, the witness is checked to take that path (pathHolds) and
// run through Coverage, and the union of the edges the witnesses hit is the
// reachable set. If the exploration runs out of budget, or a path has
// conditions the solver does not decide (opaque arithmetic) or no verified
// witness, the filter falls back to forward control-flow reachability from
// instruction 0 (an over-approximation), and `method` says so.
import fc from 'fast-check';
import { Coverage, OP, isCondJump, seccompDataWords, type BranchEdge, type Endian, type Program, type SeccompData } from 'unicorn-bpf-emulator';
import { explorePaths, pathHolds } from '../../src/explain/symbolic.js';
import { solve } from '../../src/explain/solver.js';

export type ReachabilityMethod = 'paths' | 'cfg';

export interface ReachableEdges {
  /** Indexes into `new Coverage(program).edges()`. */
  readonly edges: ReadonlySet<number>;
  readonly method: ReachabilityMethod;
}

const cache = new WeakMap<Program, ReachableEdges>();

/** The reachable branch edges of a checked program (see the file comment). */
export function reachableEdges(program: Program, budget = 5_000_000): ReachableEdges {
  const hit = cache.get(program);
  if (hit) return hit;
  const r = exactEdges(program, budget) ?? { edges: cfgEdges(program), method: 'cfg' as const };
  cache.set(program, r);
  return r;
}

function exactEdges(program: Program, budget: number): ReachableEdges | null {
  const ex = explorePaths(program, { concrete: [], budget });
  if (!ex.complete) return null;
  const cov = new Coverage(program);
  const words = new Uint32Array(16);
  for (const p of ex.paths) {
    if (p.undecided || p.opaque.length) return null;
    for (let w = 0; w < 16; w++) {
      const v = p.words[w]?.length ? solve(p.words[w]) : 0;
      if (typeof v !== 'number') return null;
      words[w] = v >>> 0;
    }
    if (!pathHolds(p, words)) return null;
    cov.record(words);
  }
  const hits = cov.edgeHits();
  const edges = new Set<number>();
  hits.forEach((h, i) => { if (h) edges.add(i); });
  return { edges, method: 'paths' };
}

function cfgEdges(program: Program): Set<number> {
  const n = program.length;
  const seen = new Uint8Array(n);
  seen[0] = 1;
  const edges = new Set<number>();
  let e = 0;
  for (let pc = 0; pc < n; pc++) {
    const { code, jt, jf, k } = program[pc];
    if (code === OP.JMP_JA) {
      if (seen[pc]) { edges.add(e); seen[pc + 1 + k] = 1; }
      e++;
    } else if (isCondJump(code)) {
      if (seen[pc]) { edges.add(e); edges.add(e + 1); seen[pc + 1 + jt] = 1; seen[pc + 1 + jf] = 1; }
      e += 2;
    } else if (seen[pc] && code !== OP.RET_K && code !== OP.RET_A && pc + 1 < n) seen[pc + 1] = 1;
  }
  return edges;
}

export interface CoverageResult {
  /** Reachable edges hit. */
  readonly hit: number;
  readonly reachable: number;
  readonly uncovered: readonly BranchEdge[];
  readonly method: ReachabilityMethod;
}

/** Run every input through a Coverage of `program` and count reachable edges hit. */
export function measureCoverage(program: Program, inputs: readonly (SeccompData | Uint32Array)[], endian: Endian): CoverageResult {
  const reach = reachableEdges(program);
  const cov = new Coverage(program);
  const words = new Uint32Array(16);
  for (const d of inputs) cov.record(d instanceof Uint32Array ? d : seccompDataWords(d, endian, words));
  const hits = cov.edgeHits();
  const all = cov.edges();
  let hit = 0;
  const uncovered: BranchEdge[] = [];
  for (const i of reach.edges) {
    if (hits[i]) hit++;
    else uncovered.push(all[i]);
  }
  return { hit, reachable: reach.edges.size, uncovered, method: reach.method };
}

export interface CoverageComparison {
  readonly uniform: CoverageResult;
  readonly guided: CoverageResult;
}

/**
 * Coverage after `runs` inputs (a) uniform: the arch word fixed to the ABI's
 * AUDIT_ARCH value (else almost nothing past the arch check is reached) and
 * the other fifteen words uniform u32; (b) guided: the given arbitrary
 * (normally seccompData({arch, filter})). Same seed for both.
 */
export function compareCoverage(program: Program, auditArch: number, endian: Endian, guided: fc.Arbitrary<SeccompData>, runs: number, seed = 42): CoverageComparison {
  const uniformArb = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 16, maxLength: 16 }).map((w) => {
    const words = Uint32Array.from(w);
    words[1] = auditArch;
    return words;
  });
  return {
    uniform: measureCoverage(program, fc.sample(uniformArb, { numRuns: runs, seed }), endian),
    guided: measureCoverage(program, fc.sample(guided, { numRuns: runs, seed }), endian),
  };
}
