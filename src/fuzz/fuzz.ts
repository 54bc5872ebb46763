// The fuzz loop behind `seccheck fuzz`: properties of a filter checked on the
// compiled engine. fast-check generates the inputs (the filter-guided
// seccomp_data words of seccheck/properties) in batches with fc.sample; each
// sample is followed by a few cheap recombinations of the batch's own
// samples (mutate()), since generation costs far more than an evaluation;
// the hot loop only runs the compiled filter on them. A failing case is then
// shrunk by fast-check (fc.check with the case as its example, over sixteen
// u32 words, out-of-domain shrinks counted as passing). Deterministic: batch
// b of a run with seed S is fc.sample(arb, {seed: batchSeed(S, b)}) and its
// mutants come from a stream seeded the same way; the properties take turns
// by batch, so --seed S --runs N replays any run. Optionally some batches
// are also run on a second engine (the kernel, ./differential.ts), chosen by
// batch index only.
import fc from 'fast-check';
import {
  ARCHES, Coverage, OP, __X32_SYSCALL_BIT, decodeAction, formatAction, knownArch,
  seccompDataFromWords, seccompDataWords, type ArchInfo, type Program, type SeccompData,
} from 'unicorn-bpf-emulator';
import { syscallTable } from '../explain/explain.js';
import { judgeStack } from '../../properties/_internals/engine.js';
import { runEstablishing } from '../../properties/_internals/trace.js';
import { abiByName, seccompDataWordsArb } from '../../properties/seccompData.js';

export const PROPERTY_NAMES = ['x32', 'arch', 'i386'] as const;
export type PropertyName = (typeof PROPERTY_NAMES)[number];

/** Why a case breaks a property: what was expected (one line) and what happened. */
export interface Violation {
  /** The property or expectation that failed, e.g. "x32: ..." or "spec.yaml:12 ioctl args[1] == 0x5401: ERRNO(EPERM)". */
  readonly headline: string;
  readonly message: string;
}

/** One property as the fuzz loop runs it: inputs as data words, and a check on them. */
export interface FuzzProperty {
  /** Short name ("x32", "spec.yaml:12@x86_64"). */
  readonly name: string;
  /** What it checks, one line. */
  readonly description: string;
  readonly words: fc.Arbitrary<Uint32Array>;
  /** Byte order the words are laid out in (for printing a counterexample). */
  readonly endian: 'little' | 'big';
  /** The stack the cases run on (oldest first): for coverage and a second engine. */
  readonly stack: readonly Program[];
  /** null: holds (or the words are outside the property's domain); else why not. */
  check(words: Uint32Array): Violation | null;
}


const isDeny = (raw: number): boolean => { const k = decodeAction(raw).kind; return k !== 'ALLOW' && k !== 'LOG'; };
const hex = (v: number): string => '0x' + (v >>> 0).toString(16);

/** ABIs whose AUDIT_ARCH value the program compares against anywhere (what it "names"). */
export function namedArches(programs: readonly Program[]): ArchInfo[] {
  const ks = new Set<number>();
  for (const p of programs) for (const i of p) if ((i.code & 0x07) === 0x05 && (i.code & 0x08) === 0) ks.add(i.k >>> 0);
  return ARCHES.filter((a) => a.nrBits === 0 && ks.has(a.auditArch >>> 0));
}

/**
 * The x32 syscall numbers (carrying 0x40000000; not -1) that some JEQ K
 * compares the plain syscall-number word with: the numbers a filter
 * dispatches on when it handles the x32 ABI on purpose (as libseccomp does
 * for a filter with the x32 arch added). A forward pass over "A may hold
 * LD [0]" (classic BPF jumps only forward).
 */
export function dispatchedX32Numbers(programs: readonly Program[]): Set<number> {
  const out = new Set<number>();
  for (const p of programs) {
    const reach = new Uint8Array(p.length + 1);
    const aNr = new Uint8Array(p.length + 1);
    reach[0] = 1;
    const flow = (to: number, nr: number): void => {
      if (to >= p.length) return;
      reach[to] = 1;
      aNr[to] |= nr;
    };
    for (let pc = 0; pc < p.length; pc++) {
      if (!reach[pc]) continue;
      const { code, jt, jf, k } = p[pc];
      let nr = aNr[pc];
      const cls = code & 0x07;
      if (cls === 0x05) {
        if (code === OP.JMP_JA) { flow(pc + 1 + (k >>> 0), nr); continue; }
        const kk = k >>> 0;
        if (code === OP.JMP_JEQ_K && nr && (kk & __X32_SYSCALL_BIT) !== 0 && kk !== 0xffffffff) out.add(kk);
        flow(pc + 1 + jt, nr);
        flow(pc + 1 + jf, nr);
        continue;
      }
      if (cls === 0x06) continue; // RET
      if (code === OP.LD_W_ABS) nr = k === 0 ? 1 : 0;
      else if (cls === 0x00 || cls === 0x04 || code === OP.MISC_TXA) nr = 0; // LD, ALU, TXA write A
      flow(pc + 1, nr);
    }
  }
  return out;
}

/**
 * How the x32 property applies to a filter (x86_64):
 * - 'unguarded': the filter does not dispatch x32 numbers: every x32 number
 *   must be denied (the x32Guard property);
 * - 'allowlist': it dispatches x32 numbers on purpose and denies the x86_64
 *   numbers it does not dispatch: the x32 numbers it does not dispatch must
 *   be denied too;
 * - 'denylist': it dispatches x32 numbers on purpose and allows the x86_64
 *   numbers it does not dispatch: nothing to check by default (a spec's
 *   `x32:` expectation says what x32 callers must get).
 */
export type X32Stance = { readonly kind: 'unguarded' } | { readonly kind: 'allowlist' | 'denylist'; readonly dispatched: ReadonlySet<number> };

export function x32Stance(programs: readonly Program[]): X32Stance {
  const dispatched = dispatchedX32Numbers(programs);
  if (dispatched.size === 0) return { kind: 'unguarded' };
  // The native default: what most x86_64 table numbers the filter never compares with exactly get (zero args).
  const stack = judgeStack(programs);
  const exact = new Set<number>();
  for (const p of programs) for (const i of p) if (i.code === OP.JMP_JEQ_K) exact.add(i.k >>> 0);
  const x86_64 = abiByName('x86_64');
  let deny = 0, allow = 0;
  const w = new Uint32Array(16);
  w[1] = x86_64.auditArch;
  for (const { nr } of syscallTable(x86_64) ?? []) {
    if (exact.has(nr >>> 0)) continue;
    w[0] = nr >>> 0;
    if (isDeny(stack.run(w).raw)) deny++; else allow++;
  }
  return { kind: allow > deny ? 'denylist' : 'allowlist', dispatched };
}

/** The default built-in properties for a filter judged as `arch`, and notes on what was left out and why. */
export function defaultPropertyPlan(arch: ArchInfo, programs: readonly Program[]): { names: PropertyName[]; notes: string[] } {
  if (arch.name !== 'x86_64') return { names: ['arch'], notes: [] };
  const stance = x32Stance(programs);
  if (stance.kind === 'denylist') {
    return {
      names: ['arch', 'i386'],
      notes: [`x32 left out: the filter dispatches ${stance.dispatched.size} x32 syscall numbers on purpose and allows the x86_64 numbers it does not dispatch (a denylist); say what x32 callers must get with an "x32:" expectation in a --spec, or name x32 in --properties to require that the x32 numbers it does not dispatch are denied`],
    };
  }
  return { names: ['x32', 'arch', 'i386'], notes: [] };
}

/** The default properties for a filter judged as `arch`: x32 and i386 on x86_64, arch always (see defaultPropertyPlan). */
export function defaultProperties(arch: ArchInfo, programs?: readonly Program[]): PropertyName[] {
  return programs ? defaultPropertyPlan(arch, programs).names : arch.name === 'x86_64' ? ['x32', 'arch', 'i386'] : ['arch'];
}

export function makeProperty(name: PropertyName, programs: readonly Program[], arch: ArchInfo): FuzzProperty {
  const stack = judgeStack(programs);
  const filter = programs as Program[];
  switch (name) {
    case 'x32': {
      const x86_64 = abiByName('x86_64');
      const stance = x32Stance(programs);
      const dispatched = stance.kind === 'unguarded' ? new Set<number>() : stance.dispatched;
      const nrs = fc.oneof(
        seccompDataWordsArb({ arch: 'x32', filter, edges: false }).map((w) => w[0] | __X32_SYSCALL_BIT),
        seccompDataWordsArb({ arch: 'x86_64', filter, edges: false }).map((w) => (w[0] & 0x3fffffff) | __X32_SYSCALL_BIT),
        fc.integer({ min: __X32_SYSCALL_BIT, max: 0x7fffffff }),
      );
      const words = fc.tuple(seccompDataWordsArb({ arch: 'x86_64', filter, edges: false }), nrs).map(([w, nr]) => {
        w[0] = nr >>> 0;
        w[1] = x86_64.auditArch;
        return w;
      });
      const description = dispatched.size === 0
        ? 'x32Guard: every x86_64 syscall number with the x32 bit (0x40000000) is denied'
        : `x32Guard: the filter dispatches ${dispatched.size} x32 syscall numbers on purpose; every other number with the x32 bit (0x40000000) is denied`;
      const headline = `x32: ${description}`;
      return {
        name, endian: 'little', words, stack: programs, description,
        check(w) {
          if (w[1] !== x86_64.auditArch >>> 0 || (w[0] & __X32_SYSCALL_BIT) === 0 || w[0] === 0xffffffff || dispatched.has(w[0])) return null;
          const raw = stack.run(w).raw;
          return isDeny(raw) ? null : { headline, message: `x32 nr ${hex(w[0])} got ${formatAction(raw)}, expected deny` };
        },
      };
    }
    case 'arch': {
      const allowed = [arch, ...namedArches(programs).filter((a) => a.name !== arch.name)];
      // x86_64 and x32 share an AUDIT_ARCH value; nothing else to add for it.
      const allowedValues = new Set(allowed.map((a) => a.auditArch >>> 0));
      const foreign = [...new Set(ARCHES.map((a) => a.auditArch >>> 0))].filter((v) => !allowedValues.has(v));
      const archWord = fc.oneof(
        { arbitrary: fc.constantFrom(...foreign), weight: 4 },
        { arbitrary: fc.integer({ min: 0, max: 0xffffffff }).filter((v) => !allowedValues.has(v)), weight: 1 },
      );
      const base = fc.oneof(...allowed.map((a) => seccompDataWordsArb({ arch: a.name, filter })));
      const words = fc.tuple(base, archWord).map(([w, a]) => {
        w[1] = a;
        return w;
      });
      const tmp = new Uint32Array(16);
      const description = `archGuard: every arch but ${allowed.map((a) => a.name).join(', ')} is denied`;
      const headline = `arch: ${description}`;
      return {
        name, endian: 'little', words, stack: programs, description,
        check(w) {
          if (allowedValues.has(w[1])) return null;
          const abi = ARCHES.find((a) => a.auditArch >>> 0 === w[1]);
          // A big-endian arch sees the same fields laid out in its own byte order.
          const laid = abi?.endian === 'big' ? seccompDataWords({ ...seccompDataFromWords(w, 'little'), arch: w[1] }, 'big', tmp) : w;
          const raw = stack.run(laid).raw;
          return isDeny(raw) ? null : { headline, message: `arch ${hex(w[1])} (${abi?.name ?? 'unknown'}) got ${formatAction(raw)}, expected deny` };
        },
      };
    }
    case 'i386': {
      const x86 = abiByName('x86');
      const known = programs.map((p) => knownArch(p));
      const words = seccompDataWordsArb({ arch: 'x86', filter, edges: false }).map((w) => {
        w[1] = x86.auditArch;
        return w;
      });
      const description = 'i386Handled: i386 syscalls are denied or judged by rules written for i386';
      const headline = `i386: ${description}`;
      return {
        name, endian: 'little', words, stack: programs, description,
        check(w) {
          if (w[1] !== x86.auditArch >>> 0) return null;
          for (let i = 0; i < programs.length; i++) {
            const r = runEstablishing(programs[i], w, x86.auditArch);
            const kind = decodeAction(r.raw).kind;
            if (kind !== 'ALLOW' && kind !== 'LOG') continue;
            if (!r.established) return { headline, message: `i386 nr ${w[0] | 0} got ${formatAction(r.raw)} from filter ${i} on a path that never checked arch == AUDIT_ARCH_I386` };
            const shared = r.nrCompares.find((pc) => known[i][pc].auditArch !== x86.auditArch);
            if (shared !== undefined) return { headline, message: `i386 nr ${w[0] | 0} got ${formatAction(r.raw)} from filter ${i}, judged at instruction ${shared}, a syscall-number test not specific to AUDIT_ARCH_I386` };
          }
          return null;
        },
      };
    }
  }
}

export interface FuzzProgress {
  readonly cases: number;
  readonly elapsedMs: number;
  readonly edges: { readonly hit: number; readonly total: number };
}

/** A second engine that some batches also run on (./differential.ts). */
export interface SecondEngine {
  /** Whether batch `b` of a run over `properties` properties goes to it (must depend on these alone, for replay). */
  selects(b: number, properties: number): boolean;
  /** Run `cases` (the property's batch); the index of the first case the engines disagree on and why, or null. */
  run(prop: FuzzProperty, cases: readonly Uint32Array[]): { readonly index: number; readonly message: string } | null;
  /** A smaller disagreeing case, if it can find one within its budget. */
  shrink(prop: FuzzProperty, words: Uint32Array, seed: number): { readonly words: Uint32Array; readonly message: string; readonly steps: number };
}

export interface FuzzOptions {
  readonly seed: number;
  /** Stop after this many cases (exact; the replay budget). */
  readonly runs?: number;
  /** Stop after this long (checked between batches). */
  readonly timeMs?: number;
  /** Cases per fc.sample batch (default 1024). Part of the replay: keep the default. */
  readonly batch?: number;
  readonly onProgress?: (p: FuzzProgress) => void;
  /** Milliseconds between progress calls (default 200). */
  readonly progressEveryMs?: number;
  /** Record edge coverage on one case in this many (default 8; 1 = every case). */
  readonly coverageEvery?: number;
  /** Cheap recombinations checked after each fast-check sample (default 3; 0 = fast-check's cases only). Part of the replay. */
  readonly mutants?: number;
  /** Also run the batches it selects on this engine; a disagreement is a failure. */
  readonly second?: SecondEngine;
}

export interface FuzzFailure {
  /** A property broken, or the two engines disagreeing. */
  readonly kind: 'property' | 'disagreement';
  /** The property whose batch held the case. */
  readonly property: string;
  /** What failed, one line (from the shrunk case). */
  readonly headline: string;
  readonly description: string;
  /** 1-based index of the failing case: --runs this many replays it. */
  readonly caseIndex: number;
  readonly endian: 'little' | 'big';
  readonly original: { readonly words: Uint32Array; readonly data: SeccompData; readonly message: string };
  readonly shrunk: { readonly words: Uint32Array; readonly data: SeccompData; readonly message: string; readonly steps: number };
}

export interface FuzzResult {
  readonly cases: number;
  readonly elapsedMs: number;
  readonly edges: { readonly hit: number; readonly total: number };
  readonly failure: FuzzFailure | null;
}

export const DEFAULT_BATCH = 1024;
/**
 * fast-check's generation costs far more than a compiled evaluation, so each
 * sample is followed by this many mutants: one or two of its words replaced
 * by the same word of an earlier sample of the batch (the property's own
 * biased distribution, so a dictionary constant lands in the other half of a
 * 64-bit argument) or moved by ±1.
 */
export const DEFAULT_MUTANTS = 3;

/** A 32-bit xorshift stream (never 0). */
function xorshift32(seed: number): () => number {
  let x = seed | 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** A mutant of sample[i] in `out`; it reads only samples 0..i, so a shorter batch replays a prefix. */
function mutate(sample: readonly Uint32Array[], i: number, rng: () => number, out: Uint32Array): Uint32Array {
  out.set(sample[i]);
  const k = 1 + (rng() & 1);
  for (let t = 0; t < k; t++) {
    const r = rng();
    const j = r & 15;
    switch ((r >>> 4) & 3) {
      case 0: case 1: out[j] = sample[(r >>> 6) % (i + 1)][j]; break;
      case 2: out[j] = (out[j] + 1) >>> 0; break;
      default: out[j] = (out[j] - 1) >>> 0;
    }
  }
  return out;
}

/** Seed of batch `b` of a run seeded `seed` (a 32-bit mix, so batches are independent streams). */
export function batchSeed(seed: number, b: number): number {
  let h = (seed ^ Math.imul(b + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) | 0;
}

/**
 * Run `properties` in turns, a batch each, until `runs` cases or `timeMs`.
 * Edge coverage is kept per distinct program of the properties' stacks.
 */
export function fuzz(properties: readonly FuzzProperty[], opts: FuzzOptions): FuzzResult {
  if (properties.length === 0) throw new Error('no property to fuzz');
  const batch = opts.batch ?? DEFAULT_BATCH;
  const covEvery = Math.max(1, opts.coverageEvery ?? 8);
  const byProgram = new Map<Program, Coverage>();
  const covOf = properties.map((p) => p.stack.map((prog) => {
    let c = byProgram.get(prog);
    if (!c) byProgram.set(prog, (c = new Coverage(prog)));
    return c;
  }));
  const edges = (): { hit: number; total: number } => {
    let hit = 0, total = 0;
    for (const c of byProgram.values()) { const s = c.summary().edges; hit += s.hit; total += s.total; }
    return { hit, total };
  };
  const start = performance.now();
  const limit = opts.runs ?? Number.POSITIVE_INFINITY;
  const every = opts.progressEveryMs ?? 200;
  let lastProgress = start;
  let cases = 0;
  const mutants = opts.mutants ?? DEFAULT_MUTANTS;
  const scratch = new Uint32Array(16);
  const failed = (prop: FuzzProperty, w: Uint32Array, index: number, kind: FuzzFailure['kind'], message: string, headline: string, elapsedMs: number, shrunk: { words: Uint32Array; message: string; headline?: string; steps: number }): FuzzResult => ({
    cases: index, elapsedMs, edges: edges(),
    failure: {
      kind, property: prop.name, headline: shrunk.headline ?? headline, description: prop.description, caseIndex: index, endian: prop.endian,
      original: { words: w, data: seccompDataFromWords(w, prop.endian), message },
      shrunk: { words: shrunk.words, message: shrunk.message, steps: shrunk.steps, data: seccompDataFromWords(shrunk.words, prop.endian) },
    },
  });
  for (let b = 0; cases < limit; b++) {
    if (opts.timeMs !== undefined && performance.now() - start >= opts.timeMs) break;
    const pi = b % properties.length;
    const prop = properties[pi];
    const covs = covOf[pi];
    const n = Math.min(batch, limit - cases);
    // Each fast-check sample is followed by `mutants` cheap recombinations (mutate()); a prefix of a batch is a prefix of its cases.
    const sample = fc.sample(prop.words, { seed: batchSeed(opts.seed, b), numRuns: Math.ceil(n / (1 + mutants)) });
    const rng = xorshift32(batchSeed(opts.seed ^ 0x5bd1e995, b));
    const toSecond = opts.second?.selects(b, properties.length) === true;
    const batchCases: Uint32Array[] = [];
    const first = cases;
    for (let i = 0, inBatch = 0; i < sample.length && inBatch < n; i++) {
      for (let m = 0; m <= mutants && inBatch < n; m++, inBatch++) {
        const w = m === 0 ? sample[i] : mutate(sample, i, rng, scratch);
        if (toSecond) batchCases.push(m === 0 ? w : w.slice());
        cases++;
        if (cases % covEvery === 0) for (const c of covs) c.record(w);
        const v = prop.check(w);
        if (v !== null) {
          const elapsedMs = performance.now() - start; // the search, not the shrinking
          const kept = w.slice();
          for (const c of covs) c.record(kept);
          return failed(prop, kept, cases, 'property', v.message, v.headline, elapsedMs, shrink(prop, kept, opts.seed));
        }
      }
    }
    if (toSecond) {
      const d = opts.second!.run(prop, batchCases);
      if (d !== null) {
        const w = batchCases[d.index];
        const elapsedMs = performance.now() - start;
        return failed(prop, w, first + d.index + 1, 'disagreement', d.message, 'emulator and kernel disagree', elapsedMs, opts.second!.shrink(prop, w, opts.seed));
      }
    }
    const now = performance.now();
    if (opts.onProgress && now - lastProgress >= every) {
      lastProgress = now;
      opts.onProgress({ cases, elapsedMs: now - start, edges: edges() });
    }
  }
  return { cases, elapsedMs: performance.now() - start, edges: edges(), failure: null };
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });

/**
 * fast-check's shrinking of a failing case over sixteen u32 words: `fails`
 * says whether a candidate still fails (true) or not. Returns the smallest
 * failing words found and the number of shrink steps.
 */
export function shrinkWords(words: Uint32Array, seed: number, fails: (w: Uint32Array) => boolean): { words: Uint32Array; steps: number } {
  const arb = fc.tuple(...Array.from({ length: 16 }, () => u32));
  const start = Array.from(words);
  const r = fc.check(fc.property(arb, (ws) => !fails(Uint32Array.from(ws))), { seed, numRuns: 1, examples: [[start]] });
  const best = r.failed && r.counterexample ? Uint32Array.from(r.counterexample[0]) : Uint32Array.from(start);
  return { words: best, steps: r.numShrinks };
}

function shrink(prop: FuzzProperty, words: Uint32Array, seed: number): { words: Uint32Array; message: string; headline: string; steps: number } {
  const s = shrinkWords(words, seed, (w) => prop.check(w) !== null);
  const v = prop.check(s.words) ?? prop.check(words) ?? { headline: prop.name, message: '' };
  return { ...s, message: v.message, headline: v.headline };
}

/** A seccomp_data as one line: nr, arch, ip, args (hex). */
export function formatData(d: SeccompData): string {
  const abi = ARCHES.find((a) => a.auditArch >>> 0 === d.arch >>> 0);
  const h64 = (v: bigint): string => '0x' + v.toString(16);
  return `nr=${hex(d.nr)} (${d.nr | 0}) arch=${hex(d.arch)}${abi ? ` (${abi.name})` : ''} ip=${h64(d.instruction_pointer)} args=[${d.args.map(h64).join(', ')}]`;
}
