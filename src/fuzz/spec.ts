// A spec's expectations as fuzz properties (`seccheck fuzz --spec`). One
// judge per arch the spec lists decides, as verify does, which expectation
// an input falls under: the first `syscalls` expectation naming its syscall
// whose argument conditions hold, else `default` (table syscalls only);
// x32 table numbers on x86_64 fall under `x32`; arch values no listed arch
// has fall under `foreign_arch`. The compiled filter's value must satisfy
// that expectation's action (actionMatches, errno names resolved on the
// listed arch). Each expectation gets, per arch, a generator biased toward
// it: its syscalls, the argument constants of every expectation naming them
// (with ±1, the other 64-bit half flipped or filled, masked variants), on
// top of the filter's dictionary (seccompDataWordsArb).
import fc from 'fast-check';
import {
  ARCHES, __X32_SYSCALL_BIT, formatAction, type ArchInfo, type Program,
} from 'unicorn-bpf-emulator';
import { checkFilter } from 'unicorn-bpf-emulator';
import { syscallNumber } from '../arch/syscalls.js';
import { formatRejection } from '../check_files.js';
import { judgeStack } from '../../properties/_internals/engine.js';
import { SeccheckError } from '../errors.js';
import type { LoadOptions } from '../formats/filter.js';
import { loadFilter, selectPrograms } from '../formats/load.js';
import { syscallTable } from '../explain/explain.js';
import { actionMatches, argsHold, describeExpectation, type ArgCond, type Expectation, type Spec } from '../spec/spec.js';
import { abiByName, seccompDataWordsArb } from '../../properties/seccompData.js';
import { namedArches, type FuzzProperty, type Violation } from './fuzz.js';

/** One arch the spec lists, with the stack loaded for it. */
export interface SpecRun {
  readonly abi: ArchInfo;
  readonly stack: readonly Program[];
}

export interface SpecRunOptions extends Omit<LoadOptions, 'arch'> {
  /** The filter file (default: the spec's "filter"). */
  readonly filter?: string;
  /** For thread maps (default: the spec's "thread"). */
  readonly thread?: string;
  /** Called with each distinct load's warnings. */
  readonly onWarnings?: (source: string, warnings: readonly string[]) => void;
}

/**
 * Load the spec's filter once per listed arch (policy formats compile per
 * arch), each checked as the kernel would; identical programs are shared,
 * so coverage counts them once.
 */
export function loadSpecRuns(spec: Spec, opts: SpecRunOptions = {}): SpecRun[] {
  const filter = opts.filter ?? spec.filter;
  if (filter === undefined) throw new SeccheckError(spec.file, undefined, 'the spec names no filter; give FILTER or add "filter" to the spec');
  const format = opts.format ?? spec.format;
  const thread = opts.thread ?? spec.thread;
  const seen = new Map<string, Program>();
  return spec.arches.map((abi) => {
    const loaded = loadFilter(filter, { format, arch: abi, endian: opts.endian, env: opts.env });
    if (seen.size === 0) opts.onWarnings?.(loaded.source, loaded.warnings);
    const programs = selectPrograms(loaded, thread);
    if (programs.length > 1) {
      throw new SeccheckError(loaded.source, undefined, `${programs.length} programs (threads ${programs.map((p) => p.thread ?? '?').join(', ')}); pick one with --thread or "thread"`);
    }
    const p = programs[0].program;
    const check = checkFilter(p);
    if (!check.accepted) throw new SeccheckError(loaded.source, undefined, `rejected: ${formatRejection(check)}`);
    const key = p.map((i) => `${i.code}:${i.jt}:${i.jf}:${i.k >>> 0}`).join(',');
    const shared = seen.get(key) ?? p;
    seen.set(key, shared);
    return { abi, stack: [shared] };
  });
}

export interface SpecProperties {
  readonly properties: FuzzProperty[];
  /** Expectations no input can reach on these arches (e.g. x32 without x86_64), one line each. */
  readonly notes: string[];
  /** Cases each expectation decided so far (index: spec.expect), counted by the checks. */
  readonly decided: Uint32Array;
}

const U64 = (1n << 64n) - 1n;
const hex = (v: number): string => '0x' + (v >>> 0).toString(16);

/** `label` names the spec in messages ("spec.yaml" as the user wrote it). */
export function specProperties(spec: Spec, runs: readonly SpecRun[], label: string): SpecProperties {
  const decided = new Uint32Array(spec.expect.length);
  const listed = new Set(spec.arches.map((a) => a.auditArch >>> 0));
  const x32Listed = spec.arches.some((a) => a.name === 'x32');
  const properties: FuzzProperty[] = [];
  const reached = new Set<number>();
  const headline = (i: number): string => {
    const e = spec.expect[i];
    return `${label}:${e.line} ${describeExpectation(e)}: ${e.actionText}`;
  };

  for (const run of runs) {
    const { abi } = run;
    const stack = judgeStack(run.stack);
    const filter = run.stack as Program[];
    const isX86_64 = abi.name === 'x86_64';
    const x32Domain = isX86_64 && !x32Listed;
    const archWord = abi.auditArch >>> 0;
    const [lo, hi] = abi.endian === 'big' ? [1, 0] : [0, 1];
    const first = (kind: Expectation['kind']): number => spec.expect.findIndex((e) => e.kind === kind);
    const firstDefault = first('default');
    const firstX32 = x32Domain ? first('x32') : -1;
    const firstForeign = first('foreign_arch');
    // Syscall expectations by the number they name on this arch, in spec order.
    const byNr = new Map<number, number[]>();
    spec.expect.forEach((e, i) => {
      if (e.kind !== 'syscalls') return;
      for (const name of e.syscalls) {
        const nr = syscallNumber(abi.name, name);
        if (nr === undefined) continue;
        const list = byNr.get(nr >>> 0) ?? [];
        if (!list.includes(i)) list.push(i);
        byNr.set(nr >>> 0, list);
      }
    });
    const table = new Set((syscallTable(abi) ?? []).map((s) => s.nr >>> 0));
    const x32Table = new Set(x32Domain ? (syscallTable(abi32()) ?? []).map((s) => s.nr >>> 0) : []);
    const args = (w: Uint32Array): bigint[] => {
      const out = new Array<bigint>(6);
      for (let i = 0; i < 6; i++) out[i] = (BigInt(w[4 + 2 * i + hi]) << 32n) | BigInt(w[4 + 2 * i + lo]);
      return out;
    };

    /** The expectation deciding `w` on this arch, or -1 (none: another arch's, or nothing says). */
    const decide = (w: Uint32Array): number => {
      const nr = w[0];
      if (w[1] !== archWord) return listed.has(w[1]) ? -1 : firstForeign;
      if (isX86_64 && (nr & __X32_SYSCALL_BIT) !== 0) return x32Domain && x32Table.has(nr) ? firstX32 : -1;
      if (abi.name === 'x32' && (nr & __X32_SYSCALL_BIT) === 0) return -1;
      const list = byNr.get(nr);
      if (list !== undefined) {
        let a: bigint[] | undefined;
        for (const i of list) {
          const e = spec.expect[i] as Extract<Expectation, { kind: 'syscalls' }>;
          if (e.args.length === 0) return i;
          if (argsHold(e.args, (a ??= args(w)))) return i;
        }
      }
      return table.has(nr) ? firstDefault : -1;
    };
    const where = (w: Uint32Array): string =>
      w[1] !== archWord ? `arch ${hex(w[1])}${archName(w[1])}, nr ${w[0] | 0}` : (isX86_64 && (w[0] & __X32_SYSCALL_BIT) !== 0) ? `x32 nr ${hex(w[0])}` : `${abi.name} nr ${w[0] | 0}`;
    const check = (w: Uint32Array): Violation | null => {
      const i = decide(w);
      if (i < 0) return null;
      decided[i]++;
      const raw = stack.run(w).raw >>> 0;
      const e = spec.expect[i];
      if (actionMatches(e.action, raw, abi.name)) return null;
      return { headline: `${headline(i)} (on ${abi.name})`, message: `${where(w)} got ${formatAction(raw)}, expected ${e.actionText}` };
    };

    const base = (edges: boolean): fc.Arbitrary<Uint32Array> => seccompDataWordsArb({ arch: abi.name, filter, edges });
    const multi = runs.length > 1 ? `@${abi.name}` : '';
    spec.expect.forEach((e, i) => {
      let words: fc.Arbitrary<Uint32Array> | undefined;
      switch (e.kind) {
        case 'syscalls': {
          const nrs = e.syscalls.map((s) => syscallNumber(abi.name, s)).filter((n): n is number => n !== undefined).map((n) => n >>> 0);
          if (nrs.length === 0) break;
          // Argument values of every expectation naming these syscalls (an earlier one may shadow this one).
          const conds = new Map<number, ArgCond[]>();
          for (const x of spec.expect) {
            if (x.kind !== 'syscalls' || !x.syscalls.some((s) => e.syscalls.includes(s))) continue;
            for (const a of x.args) conds.set(a.arg, [...(conds.get(a.arg) ?? []), ...a.conds]);
          }
          const argArbs = [...conds].map(([arg, cs]) => fc.oneof(
            { arbitrary: fc.constantFrom(...interestingValues(cs)).map((v) => ({ arg, v })), weight: 3 },
            { arbitrary: fc.constant(null), weight: 1 },
          ));
          words = fc.tuple(base(false), fc.constantFrom(...nrs), fc.tuple(...argArbs)).map(([w, nr, vals]) => {
            w[0] = nr;
            w[1] = archWord;
            for (const x of vals) {
              if (x === null) continue;
              w[4 + 2 * x.arg + lo] = Number(x.v & 0xffffffffn);
              w[4 + 2 * x.arg + hi] = Number(x.v >> 32n);
            }
            return w;
          });
          break;
        }
        case 'default':
          if (firstDefault === i) words = base(false);
          break;
        case 'x32': {
          if (!x32Domain || firstX32 !== i) break;
          const nrs = fc.oneof(
            { arbitrary: fc.constantFrom(...x32Table), weight: 3 },
            { arbitrary: seccompDataWordsArb({ arch: 'x32', filter, edges: false }).map((w) => (w[0] | __X32_SYSCALL_BIT) >>> 0), weight: 2 },
            { arbitrary: base(false).map((w) => ((w[0] & 0x3fffffff) | __X32_SYSCALL_BIT) >>> 0), weight: 1 },
          );
          words = fc.tuple(base(false), nrs).map(([w, nr]) => {
            w[0] = nr;
            w[1] = archWord;
            return w;
          });
          break;
        }
        case 'foreign_arch': {
          if (firstForeign !== i) break;
          // Every known arch value nobody lists (those the filter names first), and any other value.
          const named = namedArches(run.stack).map((a) => a.auditArch >>> 0).filter((v) => !listed.has(v));
          const others = [...new Set(ARCHES.map((a) => a.auditArch >>> 0))].filter((v) => !listed.has(v));
          const choices: fc.WeightedArbitrary<number>[] = [
            { arbitrary: fc.integer({ min: 0, max: 0xffffffff }).filter((v) => !listed.has(v)), weight: 1 },
          ];
          if (others.length) choices.push({ arbitrary: fc.constantFrom(...others), weight: 3 });
          if (named.length) choices.push({ arbitrary: fc.constantFrom(...named), weight: 3 });
          words = fc.tuple(base(true), fc.oneof(...choices)).map(([w, a]) => {
            w[1] = a;
            return w;
          });
          break;
        }
      }
      if (words === undefined) return;
      reached.add(i);
      properties.push({
        name: `${label}:${e.line}${multi}`,
        description: `${describeExpectation(e)}: ${e.actionText}${multi ? ` (on ${abi.name})` : ''}`,
        words, endian: abi.endian, stack: run.stack, check,
      });
    });
  }
  const notes: string[] = [];
  spec.expect.forEach((e, i) => {
    if (reached.has(i)) return;
    const first = spec.expect.findIndex((x) => x.kind === e.kind);
    const why = e.kind === 'x32' && first === i ? 'no x32 ABI on these arches' : e.kind !== 'syscalls' && first !== i ? `an earlier ${e.kind} expectation decides first` : 'no input reaches it';
    notes.push(`${headline(i)}: not fuzzed (${why})`);
  });
  return { properties, notes, decided };
}

let x32Abi: ArchInfo | undefined;
const abi32 = (): ArchInfo => (x32Abi ??= abiByName('x32'));

function archName(v: number): string {
  const a = ARCHES.find((x) => x.auditArch >>> 0 === v && x.nrBits === 0);
  return a ? ` (${a.name})` : '';
}

/**
 * 64-bit values worth trying against these conditions: each constant, ±1,
 * with the high half cleared, filled, flipped by one bit, or equal to the
 * low half, the low half alone in the high half; for masks, the value with
 * bits outside the mask set and with the lowest mask bit flipped.
 */
export function interestingValues(conds: readonly ArgCond[]): bigint[] {
  const out = new Set<bigint>([0n]);
  const add = (v: bigint): void => void out.add(v & U64);
  const around = (v: bigint): void => {
    const lo32 = v & 0xffffffffn;
    for (const x of [v, v + 1n, v - 1n, lo32, lo32 | (0xffffffffn << 32n), v ^ (1n << 32n), lo32 | (lo32 << 32n), lo32 << 32n]) add(x);
  };
  for (const c of conds) {
    if (c.kind === 'cmp') around(c.value);
    else {
      around(c.value);
      add(c.value | (~c.mask & U64));
      add(c.mask);
      const low = c.mask & -c.mask;
      if (low !== 0n) add(c.value ^ low);
    }
  }
  return [...out];
}
