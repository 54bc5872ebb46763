// Branch-edge coverage of a filter by a set of inputs, counted against the
// edges that some input can actually take.
//
// Reachability is exact where the path analysis can make it so: the
// symbolic executor (src/explain/symbolic.ts) enumerates every feasible path
// with all sixteen words symbolic; each path's atoms are solved to one
// concrete witness, the witness is checked to take that path (pathHolds) and
// run through Coverage, and the union of the edges the witnesses hit is the
// reachable set. Paths with conditions the solver does not decide (opaque
// arithmetic, a solver budget) count once a deterministic search finds data
// that takes them. If the exploration runs out of budget, or some path gets
// no verified witness, the filter falls back to forward control-flow
// reachability from instruction 0 (an over-approximation), and `method`
// says so (`reason` says why).
import fc from 'fast-check';
import { Coverage, OP, archByName, isCondJump, seccompDataWords, type ArchInfo, type BranchEdge, type Endian, type Program, type SeccompData } from 'unicorn-bpf-emulator';
import { chooseArch } from '../../src/explain/explain.js';
import { prng } from '../../src/explain/prng.js';
import { explorePaths, pathHolds, type Expr, type SymPath } from '../../src/explain/symbolic.js';
import { solve } from '../../src/explain/solver.js';
import { seccompData } from '../seccompData.js';

export type ReachabilityMethod = 'paths' | 'cfg';

export interface ReachableEdges {
  /** Indexes into `new Coverage(program).edges()`. */
  readonly edges: ReadonlySet<number>;
  readonly method: ReachabilityMethod;
  /** For 'cfg': why the path analysis could not make the set exact. */
  readonly reason?: string;
}

const cache = new WeakMap<Program, ReachableEdges>();

/** The reachable branch edges of a checked program (see the file comment). */
export function reachableEdges(program: Program, budget = 5_000_000): ReachableEdges {
  const hit = cache.get(program);
  if (hit) return hit;
  const exact = exactEdges(program, budget);
  const r: ReachableEdges = typeof exact === 'string' ? { edges: cfgEdges(program), method: 'cfg', reason: exact } : exact;
  cache.set(program, r);
  return r;
}

/** The exact set, or why there is none. */
function exactEdges(program: Program, budget: number): ReachableEdges | string {
  const ex = explorePaths(program, { concrete: [], budget });
  if (!ex.complete) return `path exploration ran over its budget of ${budget} steps`;
  const cov = new Coverage(program);
  for (const p of ex.paths) {
    const words = witness(p);
    if (words === null) {
      const why = p.opaque.length ? 'opaque arithmetic conditions' : p.undecided ? 'a solver budget ran out' : 'no witness';
      return `no verified witness for the path ending at instruction ${p.pc} (${why})`;
    }
    cov.record(words);
  }
  const hits = cov.edgeHits();
  const edges = new Set<number>();
  hits.forEach((h, i) => { if (h) edges.add(i); });
  return { edges, method: 'paths' };
}

/**
 * Data that takes path p, checked with pathHolds, or null. The atoms alone
 * decide a path without opaque conditions; otherwise a deterministic search
 * varies every word within its atoms, preferring the constants the opaque
 * expressions use and their neighbours. A path for which no data is found
 * may still be feasible: the caller must then not claim exactness.
 */
function witness(p: SymPath): Uint32Array | null {
  const words = new Uint32Array(16);
  for (let w = 0; w < 16; w++) {
    const v = p.words[w]?.length ? solve(p.words[w]) : 0;
    if (typeof v !== 'number') return null;
    words[w] = v;
  }
  if (pathHolds(p, words)) return words;
  if (p.opaque.length === 0 && !p.undecided) return null;
  const consts: number[] = [0, 1, 0xffffffff];
  const collect = (e: Expr): void => {
    if (e.op === 'const') consts.push(e.v >>> 0, (e.v + 1) >>> 0, (e.v - 1) >>> 0);
    else if (e.op !== 'word') { collect(e.a); if (e.op !== 'neg') collect(e.b); }
  };
  for (const c of p.opaque) { collect(c.a); collect(c.b); }
  const rand = prng(p.pc + 1);
  for (let attempt = 0; attempt < 512; attempt++) {
    const ws = words.slice();
    for (let w = 0; w < 16; w++) {
      const prefer = attempt < consts.length * 2 || rand() & 1 ? consts[rand() % consts.length] : rand();
      const v = solve(p.words[w] ?? [], { prefer });
      if (typeof v !== 'number') return null;
      ws[w] = v;
    }
    if (pathHolds(p, ws)) return ws;
  }
  return null;
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
  /** For 'cfg': why reachability is not exact (some "uncovered" edges may be unreachable). */
  readonly reason?: string;
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
  return { hit, reachable: reach.edges.size, uncovered, method: reach.method, reason: reach.reason };
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

export interface CoverageRow {
  readonly name: string;
  /** The ABI the filter is judged as (the one its arch check names, x86_64 first). */
  readonly arch: string;
  readonly method: ReachabilityMethod;
  readonly reachable: number;
  readonly uniform: CoverageResult;
  readonly guided: CoverageResult;
  readonly ms: number;
}

/** The ABI a filter is judged as: the one its arch check names (x86_64 if it names it), else x86_64. */
export function filterAbi(program: Program): ArchInfo {
  const x86_64 = archByName('x86_64')!;
  return chooseArch(program, null, x86_64) ?? x86_64;
}

/** Uniform against guided (seccompData({arch, filter})) coverage on each filter, `runs` cases each. */
export function coverageRows(filters: readonly { readonly name: string; readonly program: Program }[], runs: number, seed = 42): CoverageRow[] {
  return filters.map((f) => {
    const abi = filterAbi(f.program);
    const t0 = performance.now();
    const c = compareCoverage(f.program, abi.auditArch, abi.endian, seccompData({ arch: abi.name, filter: f.program }), runs, seed);
    return { name: f.name, arch: abi.name, method: c.guided.method, reachable: c.guided.reachable, uniform: c.uniform, guided: c.guided, ms: performance.now() - t0 };
  });
}

const complete = (r: CoverageResult): boolean => r.hit === r.reachable;

/** The table: filter, arch, reachability method, reachable edges, uniform %, guided %; then the summary line. */
export function formatCoverageTable(rows: readonly CoverageRow[], runs: number): string {
  const pct = (r: CoverageResult): string => (r.reachable ? (100 * r.hit) / r.reachable : 100).toFixed(1).padStart(6) + '%';
  const w = Math.max(6, ...rows.map((r) => r.name.length));
  const lines = [
    `${'filter'.padEnd(w)}  ${'arch'.padEnd(8)} ${'reach'.padEnd(5)} ${'edges'.padStart(5)}  ${'uniform'.padStart(7)}  ${'guided'.padStart(7)}   (${runs} cases each)`,
    ...rows.map((r) => `${r.name.padEnd(w)}  ${r.arch.padEnd(8)} ${r.method.padEnd(5)} ${String(r.reachable).padStart(5)}  ${pct(r.uniform)}  ${pct(r.guided)}`),
  ];
  // A 'cfg' row counts edges that may be unreachable: say why the path analysis gave up.
  for (const r of rows) if (r.method === 'cfg') lines.push(`  ${r.name}: cfg (over-approximated): ${r.guided.reason}`);
  return `${lines.join('\n')}\n${coverageSummary(rows)}`;
}

/** "guided reaches 100% of reachable edges on N/M corpus filters (uniform: K/M)". */
export function coverageSummary(rows: readonly CoverageRow[]): string {
  const m = rows.length;
  return `guided reaches 100% of reachable edges on ${rows.filter((r) => complete(r.guided)).length}/${m} corpus filters (uniform: ${rows.filter((r) => complete(r.uniform)).length}/${m})`;
}
