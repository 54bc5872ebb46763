// The compiled engine behind every property: a filter or a stack of filters
// becomes one FilterStack of compiled functions, run on data words.
import { compileFilter, FilterStack, seccompDataWords, type Program, type SeccompData, type Endian } from 'unicorn-bpf-emulator';

/** One program, or a stack of programs in installation order (oldest first). */
export type FilterInput = Program | readonly Program[];

export function programsOf(f: FilterInput): readonly Program[] {
  return f.length > 0 && Array.isArray(f[0]) ? (f as readonly Program[]) : [f as Program];
}

export interface Engine {
  readonly programs: readonly Program[];
  readonly stack: FilterStack;
  /** The stack's 32-bit value for this data laid out in `endian` order. */
  raw(data: SeccompData, endian: Endian): number;
}

/**
 * The compiled stack the properties judge: the filters' own value for every
 * input. The kernel's uretprobe/uprobe pass-through on x86_64 (no filter
 * consulted, 6.14+/6.18+) is left out: no filter can change it, and the
 * kernel engine covers it.
 */
export function judgeStack(programs: readonly Program[]): FilterStack {
  return new FilterStack(programs.map((p) => compileFilter(p)), { bypass: [] });
}

export function engineFor(f: FilterInput): Engine {
  const programs = programsOf(f);
  const stack = judgeStack(programs);
  const words = new Uint32Array(16);
  return {
    programs,
    stack,
    raw: (data, endian) => stack.run(seccompDataWords(data, endian, words)).raw,
  };
}
