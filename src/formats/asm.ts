// The asm format: a program as text, in either syntax `seccheck disasm`
// prints (bpf_asm-like or C-like); syscall names resolve through seccheck's
// tables for the arch the program checks, or opts.arch.
import { AsmError, assemble, EmulatorInputError } from 'unicorn-bpf-emulator';
import { syscallResolver } from '../arch/syscalls.js';
import { SeccheckError } from '../errors.js';
import type { LoadedFilter, LoadOptions } from './filter.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a file, or a SeccheckError if it is not UTF-8. */
export function utf8Text(bytes: Uint8Array, file: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new SeccheckError(file, undefined, 'not UTF-8 text');
  }
}

/** Assemble a text file; errors name the file and line. */
export function loadAsm(bytes: Uint8Array, file: string, opts: LoadOptions = {}): LoadedFilter {
  const text = utf8Text(bytes, file);
  try {
    const program = assemble(text, { arch: opts.arch, syscalls: syscallResolver });
    return { source: file, format: 'asm', programs: [{ thread: null, arch: opts.arch ?? null, program }], warnings: [], info: {} };
  } catch (e) {
    if (e instanceof AsmError) throw new SeccheckError(file, e.line, e.message.replace(/^line \d+: /, ''));
    if (e instanceof EmulatorInputError) throw new SeccheckError(file, undefined, e.message);
    throw e;
  }
}
