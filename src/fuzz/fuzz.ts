// The fuzz loop behind `seccheck fuzz`: properties of a filter checked on the
// compiled engine. fast-check generates the inputs (the filter-guided
// seccomp_data words of seccheck/properties) in batches with fc.sample, and
// the hot loop only runs the compiled filter on them; a failing case is then
// shrunk by fast-check (fc.check with the case as its example, over sixteen
// u32 words, out-of-domain shrinks counted as passing). Deterministic: batch
// b of a run with seed S is fc.sample(arb, {seed: batchSeed(S, b)}), and the
// properties take turns by batch, so --seed S --runs N replays any run.
import fc from 'fast-check';
import {
  ARCHES, Coverage, FilterStack, __X32_SYSCALL_BIT, compileFilter, decodeAction, formatAction, knownArch,
  seccompDataFromWords, seccompDataWords, type ArchInfo, type Program, type SeccompData,
} from 'unicorn-bpf-emulator';
import { runEstablishing } from '../../properties/_internals/trace.js';
import { abiByName, seccompDataWordsArb } from '../../properties/seccompData.js';

export const PROPERTY_NAMES = ['x32', 'arch', 'i386'] as const;
export type PropertyName = (typeof PROPERTY_NAMES)[number];

/** One property as the fuzz loop runs it: inputs as data words, and a check on them. */
export interface FuzzProperty {
  readonly name: PropertyName;
  /** What it checks, one line. */
  readonly description: string;
  readonly words: fc.Arbitrary<Uint32Array>;
  /** Byte order the words are laid out in (for printing a counterexample). */
  readonly endian: 'little' | 'big';
  /** null: holds (or the words are outside the property's domain); else why not. */
  check(words: Uint32Array): string | null;
}

const isDeny = (raw: number): boolean => { const k = decodeAction(raw).kind; return k !== 'ALLOW' && k !== 'LOG'; };
const hex = (v: number): string => '0x' + (v >>> 0).toString(16);

/** ABIs whose AUDIT_ARCH value the program compares against anywhere (what it "names"). */
export function namedArches(programs: readonly Program[]): ArchInfo[] {
  const ks = new Set<number>();
  for (const p of programs) for (const i of p) if ((i.code & 0x07) === 0x05 && (i.code & 0x08) === 0) ks.add(i.k >>> 0);
  return ARCHES.filter((a) => a.nrBits === 0 && ks.has(a.auditArch >>> 0));
}

/** The default properties for a filter judged as `arch`: x32 and i386 on x86_64, arch always. */
export function defaultProperties(arch: ArchInfo): PropertyName[] {
  return arch.name === 'x86_64' ? ['x32', 'arch', 'i386'] : ['arch'];
}

export function makeProperty(name: PropertyName, programs: readonly Program[], arch: ArchInfo): FuzzProperty {
  const stack = new FilterStack(programs.map((p) => compileFilter(p)));
  const filter = programs as Program[];
  switch (name) {
    case 'x32': {
      const x86_64 = abiByName('x86_64');
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
      return {
        name, endian: 'little', words,
        description: 'x32Guard: every x86_64 syscall number with the x32 bit (0x40000000) is denied',
        check(w) {
          if (w[1] !== x86_64.auditArch >>> 0 || (w[0] & __X32_SYSCALL_BIT) === 0 || w[0] === 0xffffffff) return null;
          const raw = stack.run(w).raw;
          return isDeny(raw) ? null : `x32 nr ${hex(w[0])} got ${formatAction(raw)}, expected deny`;
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
      return {
        name, endian: 'little', words,
        description: `archGuard: every arch but ${allowed.map((a) => a.name).join(', ')} is denied`,
        check(w) {
          if (allowedValues.has(w[1])) return null;
          const abi = ARCHES.find((a) => a.auditArch >>> 0 === w[1]);
          // A big-endian arch sees the same fields laid out in its own byte order.
          const laid = abi?.endian === 'big' ? seccompDataWords({ ...seccompDataFromWords(w, 'little'), arch: w[1] }, 'big', tmp) : w;
          const raw = stack.run(laid).raw;
          return isDeny(raw) ? null : `arch ${hex(w[1])} (${abi?.name ?? 'unknown'}) got ${formatAction(raw)}, expected deny`;
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
      return {
        name, endian: 'little', words,
        description: 'i386Handled: i386 syscalls are denied or judged by rules written for i386',
        check(w) {
          if (w[1] !== x86.auditArch >>> 0) return null;
          for (let i = 0; i < programs.length; i++) {
            const r = runEstablishing(programs[i], w, x86.auditArch);
            const kind = decodeAction(r.raw).kind;
            if (kind !== 'ALLOW' && kind !== 'LOG') continue;
            if (!r.established) return `i386 nr ${w[0] | 0} got ${formatAction(r.raw)} from filter ${i} on a path that never checked arch == AUDIT_ARCH_I386`;
            const shared = r.nrCompares.find((pc) => known[i][pc].auditArch !== x86.auditArch);
            if (shared !== undefined) return `i386 nr ${w[0] | 0} got ${formatAction(r.raw)} from filter ${i}, judged at instruction ${shared}, a syscall-number test not specific to AUDIT_ARCH_I386`;
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
}

export interface FuzzFailure {
  readonly property: PropertyName;
  readonly description: string;
  /** 1-based index of the failing case: --runs this many replays it. */
  readonly caseIndex: number;
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

/** Seed of batch `b` of a run seeded `seed` (a 32-bit mix, so batches are independent streams). */
export function batchSeed(seed: number, b: number): number {
  let h = (seed ^ Math.imul(b + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) | 0;
}

export function fuzz(programs: readonly Program[], properties: readonly FuzzProperty[], opts: FuzzOptions): FuzzResult {
  if (properties.length === 0) throw new Error('no property to fuzz');
  const batch = opts.batch ?? DEFAULT_BATCH;
  const covEvery = Math.max(1, opts.coverageEvery ?? 8);
  const coverages = programs.map((p) => new Coverage(p));
  const edges = (): { hit: number; total: number } => {
    let hit = 0, total = 0;
    for (const c of coverages) { const s = c.summary().edges; hit += s.hit; total += s.total; }
    return { hit, total };
  };
  const start = performance.now();
  const limit = opts.runs ?? Number.POSITIVE_INFINITY;
  const every = opts.progressEveryMs ?? 200;
  let lastProgress = start;
  let cases = 0;
  for (let b = 0; cases < limit; b++) {
    if (opts.timeMs !== undefined && performance.now() - start >= opts.timeMs) break;
    const prop = properties[b % properties.length];
    const n = Math.min(batch, limit - cases);
    const sample = fc.sample(prop.words, { seed: batchSeed(opts.seed, b), numRuns: n });
    for (let i = 0; i < sample.length; i++) {
      const w = sample[i];
      cases++;
      if (cases % covEvery === 0) for (const c of coverages) c.record(w);
      const message = prop.check(w);
      if (message !== null) {
        const elapsedMs = performance.now() - start; // the search, not the shrinking
        for (const c of coverages) c.record(w);
        const shrunk = shrink(prop, w, opts.seed);
        return {
          cases, elapsedMs, edges: edges(),
          failure: {
            property: prop.name, description: prop.description, caseIndex: cases,
            original: { words: w, data: seccompDataFromWords(w, prop.endian), message },
            shrunk: { ...shrunk, data: seccompDataFromWords(shrunk.words, prop.endian) },
          },
        };
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

/** fast-check's shrinking of a failing case, as sixteen u32 words. */
function shrink(prop: FuzzProperty, words: Uint32Array, seed: number): { words: Uint32Array; message: string; steps: number } {
  const arb = fc.tuple(...Array.from({ length: 16 }, () => u32));
  const start = Array.from(words);
  const r = fc.check(fc.property(arb, (ws) => prop.check(Uint32Array.from(ws)) === null), {
    seed, numRuns: 1, examples: [[start]],
  });
  const best = r.failed && r.counterexample ? Uint32Array.from(r.counterexample[0]) : Uint32Array.from(start);
  const message = prop.check(best) ?? prop.check(words) ?? '';
  return { words: best, message, steps: r.numShrinks };
}

/** A seccomp_data as one line: nr, arch, ip, args (hex). */
export function formatData(d: SeccompData): string {
  const abi = ARCHES.find((a) => a.auditArch >>> 0 === d.arch >>> 0);
  const h64 = (v: bigint): string => '0x' + v.toString(16);
  return `nr=${hex(d.nr)} (${d.nr | 0}) arch=${hex(d.arch)}${abi ? ` (${abi.name})` : ''} ip=${h64(d.instruction_pointer)} args=[${d.args.map(h64).join(', ')}]`;
}

