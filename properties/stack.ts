// stack(): a stack of 1..maxFilters programs as seccomp(2) installs them,
// oldest first; each one a checked-valid program().
import fc from 'fast-check';
import type { Insn } from 'unicorn-bpf-emulator';
import { program, type ProgramOptions } from './program.js';

export function stack(opts: Omit<ProgramOptions, 'valid'> & { readonly maxFilters?: number } = {}): fc.Arbitrary<Insn[][]> {
  return fc.array(program({ ...opts, valid: true }), { minLength: 1, maxLength: opts.maxFilters ?? 4 });
}
