// seccompData(): seccomp_data for one ABI, with the inputs that matter to a
// filter over-represented: the ABI's syscall numbers and the edges of the
// table (-1, max+1, out-of-table, the x32 bit on x86_64), foreign arches, and
// — when a filter is given — the filter's own dictionary: per load offset,
// the constants it compares against there (./_internals/dictionary.ts).
//
// With a filter, most draws aim at one branch target (dictionary.ts): one
// side of one conditional jump, with every word the paths to it constrain
// set to a value satisfying those constraints together (nr == 80 and
// args[0] == 98 and args[2].hi == 0x7fffffff ...), the other words drawn as
// usual. Targets are drawn uniformly, so the deep sides of a large filter
// (a thousand targets for Docker's profile) each get their share of 10,000
// cases instead of waiting for independent words to line up. The share of
// aimed draws grows with the number of targets (1/2 to 16/17); the rest are
// the dictionary draws above.
//
// The value is a SeccompData (nr, arch, instruction_pointer, args as u64
// bigints), so a counterexample prints as a concrete seccomp_data. It is
// generated as sixteen 32-bit words in the ABI's byte order (64-bit args and
// ip as two independent halves) and read back with seccompDataFromWords, so
// `seccompDataWords(value, abi.endian)` gives the words back exactly.
import fc from 'fast-check';
import { ARCHES, __X32_SYSCALL_BIT, archByName, seccompDataFromWords, type ArchInfo, type SeccompData } from 'unicorn-bpf-emulator';
import { syscallNumber } from '../src/arch/syscalls.js';
import { syscallTable } from '../src/explain/explain.js';
import { analyseFilter, branchTargets, mergeDictionaries, type Dictionary, type DictionaryContext, type TargetVariant } from './_internals/dictionary.js';
import { programsOf, type FilterInput } from './_internals/engine.js';

export interface SeccompDataOptions {
  /** ABI name (libseccomp's: x86_64, x86/i386, x32, aarch64, ...). */
  readonly arch: string;
  /** Restrict syscall numbers from the table to these names or numbers (edge numbers are still drawn unless `edges: false`). */
  readonly syscalls?: readonly (string | number)[];
  /** A filter (or stack) whose dictionary biases every word. */
  readonly filter?: FilterInput;
  /** Also draw -1, max+1, out-of-table numbers, the x32 bit and foreign arches (default true). */
  readonly edges?: boolean;
}

/** Resolve an ABI name; throws a clear error for an unknown one. */
export function abiByName(name: string): ArchInfo {
  const abi = archByName(name);
  if (!abi) throw new Error(`unknown arch "${name}" (expected one of ${ARCHES.map((a) => a.name).join(', ')})`);
  return abi;
}

/** A syscall name or number on an ABI as the nr word holds it (x32 numbers carry the x32 bit). */
export function resolveSyscall(abi: ArchInfo, s: string | number): number {
  if (typeof s === 'number') return s | 0;
  const nr = syscallNumber(abi.name, s);
  if (nr === undefined) throw new Error(`unknown syscall "${s}" on ${abi.name}`);
  return nr | 0;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const SMALL = [0, 1, 2, 0xffffffff, 0x80000000, 0x7fffffff];

/** A word drawn from its dictionary most of the time (the exact constants most), else small or random values. */
function wordArb(dict: readonly number[], exact: readonly number[] = []): fc.Arbitrary<number> {
  const base = fc.oneof(fc.constantFrom(...SMALL), fc.integer({ min: 0, max: 64 }), u32);
  if (dict.length === 0) return base;
  const choices: fc.WeightedArbitrary<number>[] = [{ arbitrary: fc.constantFrom(...dict), weight: 3 }, { arbitrary: base, weight: 1 }];
  if (exact.length) choices.push({ arbitrary: fc.constantFrom(...exact), weight: 3 });
  return fc.oneof(...choices);
}

/** The words of seccomp_data for `opts`, unordered by field (index = offset / 4, in the ABI's byte order). */
export function seccompDataWordsArb(opts: SeccompDataOptions): fc.Arbitrary<Uint32Array> {
  const abi = abiByName(opts.arch);
  const programs = opts.filter ? programsOf(opts.filter) : [];
  const analyses = programs.map((p) => analyseFilter(p));
  const none: Dictionary = Array.from({ length: 16 }, () => []);
  const dict: Dictionary = analyses.length ? mergeDictionaries(...analyses.map((a) => a.words)) : none;
  const exact: Dictionary = analyses.length ? mergeDictionaries(...analyses.map((a) => a.exact)) : none;
  const edges = opts.edges ?? true;
  // Without edges, every value has the ABI's own arch: contexts under another arch are left out.
  const contexts: DictionaryContext[] = analyses.flatMap((a) => a.contexts).filter((c) => edges || c.arch === undefined || c.arch === abi.auditArch);
  const table = opts.syscalls
    ? opts.syscalls.map((s) => resolveSyscall(abi, s))
    : (syscallTable(abi) ?? []).map((e) => e.nr);
  const maxNr = table.reduce((m, nr) => Math.max(m, nr & ~abi.nrBits), 0);
  const nrChoices: fc.WeightedArbitrary<number>[] = [];
  if (table.length) nrChoices.push({ arbitrary: fc.constantFrom(...table), weight: 4 });
  if (dict[0].length) nrChoices.push({ arbitrary: fc.constantFrom(...dict[0]), weight: 4 });
  // The syscalls the filter dispatches on, each exactly (the JEQ's true edge).
  const nrEquals = [...new Set(analyses.flatMap((a) => a.nrEquals))];
  if (nrEquals.length) nrChoices.push({ arbitrary: fc.constantFrom(...nrEquals), weight: 6 });
  if (edges || nrChoices.length === 0) {
    nrChoices.push({ arbitrary: fc.constantFrom(-1 >>> 0, (maxNr + 1) | abi.nrBits, maxNr + 1000), weight: 1 });
    nrChoices.push({ arbitrary: u32, weight: 1 });
    if (abi.name === 'x86_64' || abi.name === 'x32') {
      nrChoices.push({ arbitrary: fc.integer({ min: 0, max: maxNr + 1 }).map((n) => (n | __X32_SYSCALL_BIT) >>> 0), weight: 1 });
    }
  }
  const archChoices: fc.WeightedArbitrary<number>[] = [{ arbitrary: fc.constant(abi.auditArch), weight: 8 }];
  if (edges) {
    archChoices.push({ arbitrary: fc.constantFrom(...new Set(ARCHES.map((a) => a.auditArch))), weight: 1 });
    if (dict[1].length) archChoices.push({ arbitrary: fc.constantFrom(...dict[1]), weight: 1 });
    archChoices.push({ arbitrary: u32, weight: 1 });
  }
  const nrArb = fc.oneof(...nrChoices);
  const archArb = fc.oneof(...archChoices);
  const rest = Array.from({ length: 14 }, (_, i) => wordArb(dict[i + 2], exact[i + 2]));
  const untargeted = fc.tuple(nrArb, archArb, ...rest);
  const explore = contexts.length === 0 ? untargeted : contextArb(contexts, nrArb, archArb, rest);
  // Without edges, only the ways in that the ABI's own arch can take.
  const ownArch = fc.constant(abi.auditArch);
  const variantArb = (v: TargetVariant): fc.Arbitrary<number[]> =>
    fc.tuple(...v.words.map((vs, w) => {
      if (w === 1 && !edges) return ownArch;
      if (vs.length) return vs.length === 1 ? fc.constant(vs[0]) : fc.constantFrom(...vs);
      return w === 0 ? nrArb : w === 1 ? archArb : rest[w - 2];
    }));
  const targets = programs.flatMap((p) => branchTargets(p)).flatMap((t) => {
    const vs = t.variants.filter((v) => edges || v.words[1].length === 0 || v.accepts(1, abi.auditArch)).map(variantArb);
    return vs.length === 0 ? [] : [vs.length === 1 ? vs[0] : fc.constantFrom(...vs).chain((a) => a)];
  });
  if (targets.length === 0) return explore.map((ws) => Uint32Array.from(ws, (w) => w >>> 0));
  const aimed = fc.constantFrom(...targets).chain((a) => a);
  // Most draws aim at one branch target (flat over targets, so each of a thousand still gets its share of 10,000 cases); the rest explore.
  const weight = Math.min(16, Math.max(1, Math.round(targets.length / 64)));
  return fc
    .oneof({ arbitrary: explore, weight: 1 }, { arbitrary: aimed, weight })
    .map((ws) => Uint32Array.from(ws, (w) => w >>> 0));
}

/** The dictionary-guided draws: untargeted words, or one (arch, nr) context the filter establishes and the constants it compares under it. */
function contextArb(contexts: readonly DictionaryContext[], nrArb: fc.Arbitrary<number>, archArb: fc.Arbitrary<number>, rest: readonly fc.Arbitrary<number>[]): fc.Arbitrary<number[]> {
  const untargeted = fc.tuple(nrArb, archArb, ...rest);
  // Targeted: one (arch, nr) the filter establishes, and the constants it compares under it.
  // Contexts that fix only the arch (where a per-arch dispatch starts) are drawn as often as all the per-syscall ones together.
  const groups = [contexts.filter((c) => c.nr === undefined), contexts.filter((c) => c.nr !== undefined)].filter((g) => g.length > 0);
  const ctxNr = (c: DictionaryContext): fc.Arbitrary<number> => {
    const choices: fc.WeightedArbitrary<number>[] = [{ arbitrary: nrArb, weight: 1 }];
    if (c.words[0].length) choices.push({ arbitrary: fc.constantFrom(...c.words[0]), weight: 3 });
    if (c.nrEquals.length) choices.push({ arbitrary: fc.constantFrom(...c.nrEquals), weight: 8 });
    return fc.oneof(...choices);
  };
  const targeted = fc.oneof(...groups.map((g) => fc.constantFrom(...g))).chain((c) =>
    fc.tuple(
      c.nr !== undefined ? fc.constant(c.nr) : ctxNr(c),
      c.arch !== undefined ? fc.constant(c.arch) : archArb,
      ...Array.from({ length: 14 }, (_, i) => (c.words[i + 2].length ? fc.oneof({ arbitrary: wordArb(c.words[i + 2], c.exact[i + 2]), weight: 3 }, { arbitrary: rest[i], weight: 1 }) : rest[i])),
    ),
  );
  return fc.oneof({ arbitrary: untargeted, weight: 1 }, { arbitrary: targeted, weight: 3 });
}

/** Arbitrary seccomp_data for one ABI; see the file comment. */
export function seccompData(opts: SeccompDataOptions): fc.Arbitrary<SeccompData> {
  const abi = abiByName(opts.arch);
  return seccompDataWordsArb(opts).map((w) => seccompDataFromWords(w, abi.endian));
}
