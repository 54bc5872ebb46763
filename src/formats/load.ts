// Every input format behind one call: loadFilter(file, opts) reads a file
// (or, for cellos, the environment), detects its format unless opts.format
// says, and returns a LoadedFilter. Every failure is a SeccheckError naming
// the file.
import { SeccheckError } from '../errors.js';
import { loadAsm } from './asm.js';
import { loadBincode } from './bincode.js';
import { loadCellos } from './cellos.js';
import { detectFormat } from './detect.js';
import type { FormatName, LoadedFilter, LoadedProgram, LoadOptions } from './filter.js';
import { loadOci } from './oci.js';
import { loadRaw } from './raw.js';
import { readInput } from './read_input.js';
import { loadSeccompiler } from './seccompiler.js';

export { detectFormat } from './detect.js';
export { installsNothing, nothingInstalledReason } from './no_filter.js';

type FileLoader = (bytes: Uint8Array, file: string, opts: LoadOptions) => LoadedFilter;

/** The formats read from a file; cellos reads the environment instead. */
const FILE_LOADERS: Readonly<Record<Exclude<FormatName, 'cellos'>, FileLoader>> = {
  raw: loadRaw,
  asm: loadAsm,
  bincode: loadBincode,
  seccompiler: (bytes, file, opts) => loadSeccompiler(bytes, file, opts),
  oci: (bytes, file, opts) => loadOci(bytes, file, opts),
};

const CELLOS_NO_FILE =
  '--format cellos takes no input file: it reads CELLOS_SUBPROCESS_SECCOMP and CELLOS_SECCOMP_BPF_PATH from the environment (or --env K=V)';

/**
 * Load a filter. `file` is null only for --format cellos, whose program
 * comes from opts.env (default process.env).
 */
export function loadFilter(file: string | null, opts: LoadOptions = {}): LoadedFilter {
  if (opts.format === 'cellos') {
    if (file !== null) throw new SeccheckError(file, undefined, CELLOS_NO_FILE);
    return loadCellos(opts);
  }
  if (file === null) throw new SeccheckError(undefined, undefined, 'no input file (only --format cellos reads its program from the environment)');
  return loadFilterBytes(readInput(file), file, opts);
}

/** Load a filter from bytes already read from `file` (any format but cellos). */
export function loadFilterBytes(bytes: Uint8Array, file: string, opts: LoadOptions = {}): LoadedFilter {
  const format = opts.format ?? detectFormat(bytes, file);
  if (format === 'cellos') throw new SeccheckError(file, undefined, CELLOS_NO_FILE);
  const loader = FILE_LOADERS[format];
  if (loader === undefined) throw new SeccheckError(undefined, '--format', `unknown format ${JSON.stringify(format)}`);
  return loader(bytes, file, opts);
}

/**
 * The programs a command works on: the one named by --thread, or all of
 * them. Naming a thread of something that is not a thread map, or one the
 * map lacks, is a SeccheckError.
 */
export function selectPrograms(loaded: LoadedFilter, thread: string | undefined): LoadedProgram[] {
  if (thread === undefined) return loaded.programs;
  const threads = loaded.programs.map((p) => p.thread).filter((t): t is string => t !== null);
  if (threads.length === 0) throw new SeccheckError(loaded.source, undefined, `--thread ${thread}: not a thread map (format ${loaded.format})`);
  const found = loaded.programs.filter((p) => p.thread === thread);
  if (found.length === 0) throw new SeccheckError(loaded.source, undefined, `--thread: no thread ${JSON.stringify(thread)} (threads: ${threads.join(', ')})`);
  return found;
}
