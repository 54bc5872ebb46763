// What `seccheck compile` writes: the programs seccheck loaded from any
// format, as one raw sock_filter array or as a boxlite/Firecracker thread
// map (bincode). The result always loads back to the same programs.
import { encodeProgram, type Endian } from 'unicorn-bpf-emulator';
import { SeccheckError } from '../errors.js';
import { decodeThreadMap, encodeThreadMap } from './bincode.js';
import type { LoadedFilter, LoadedProgram } from './filter.js';
import { selectPrograms } from './load.js';
import { installsNothing, nothingInstalledReason } from './no_filter.js';

export type CompileTarget = 'raw' | 'bincode';

export interface CompileOptions {
  /** Only this thread of a thread map. */
  readonly thread?: string;
  /** Default: bincode for a thread map without `thread`, else raw. */
  readonly to?: CompileTarget;
  /** Byte order of raw output (default little). */
  readonly endian?: Endian;
  /** The output's name, for error messages. */
  readonly output?: string;
}

export interface CompiledOutput {
  readonly to: CompileTarget;
  readonly bytes: Uint8Array;
  /** The programs written, in the output's order. */
  readonly programs: readonly LoadedProgram[];
  /** "12 instructions (little-endian)" or "thread map of 3 threads (api 10, vcpu 12, vmm 30 instructions), 500 bytes". */
  readonly summary: string;
}

/** Encode a loaded filter; what cannot be written (a map as raw, nothing at all) is a SeccheckError. */
export function compileFilterBytes(loaded: LoadedFilter, opts: CompileOptions = {}): CompiledOutput {
  const output = opts.output ?? 'output';
  const programs = selectPrograms(loaded, opts.thread);
  const isMap = programs.some((p) => p.thread !== null);
  const to = opts.to ?? (isMap && opts.thread === undefined ? 'bincode' : 'raw');
  if (to === 'raw') {
    if (isMap && opts.thread === undefined) {
      throw new SeccheckError(loaded.source, undefined,
        `a thread map (${programs.map((p) => p.thread).join(', ')}) does not fit one raw file: pick a thread with --thread, or --to bincode`);
    }
    const p = programs[0];
    if (installsNothing(loaded.format, p)) {
      throw new SeccheckError(loaded.source, undefined, `${p.thread === null ? '' : `thread ${JSON.stringify(p.thread)}: `}${nothingInstalledReason(loaded.format)}; nothing to write as raw`);
    }
    const endian = opts.endian ?? 'little';
    return { to, bytes: encodeProgram(p.program, endian), programs, summary: `${p.program.length} instructions (${endian}-endian)` };
  }
  if (!isMap) throw new SeccheckError(loaded.source, undefined, `a single program (format ${loaded.format}) has no thread name; a bincode thread map needs a thread map`);
  const named = programs.map((p) => ({ thread: p.thread as string, program: p.program }));
  const bytes = encodeThreadMap(named, output);
  // What seccheck (and boxlite) would load back: refuse to write a map over boxlite's limit.
  decodeThreadMap(bytes, output);
  const sorted = [...named].sort((a, b) => (a.thread < b.thread ? -1 : a.thread > b.thread ? 1 : 0));
  return {
    to,
    bytes,
    programs: sorted.map((t) => ({ thread: t.thread, arch: programs.find((p) => p.thread === t.thread)?.arch ?? null, program: t.program })),
    summary: `thread map of ${sorted.length} thread${sorted.length === 1 ? '' : 's'} (${sorted.map((t) => `${t.thread} ${t.program.length}`).join(', ')} instructions), ${bytes.length} bytes`,
  };
}
