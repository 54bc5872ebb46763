// Raw struct sock_filter arrays on disk: what seccomp(2) gets in sock_fprog
// (8 bytes per instruction: u16 code, u8 jt, u8 jf, u32 k).
import { decodeProgram, EmulatorInputError, type Endian, type Insn } from 'unicorn-bpf-emulator';
import { SeccheckError } from '../errors.js';
import { readInput } from './read_input.js';

/** Read a raw sock_filter file in the given byte order. */
export function readSockFilter(file: string, endian: Endian = 'little'): Insn[] {
  return parseSockFilter(readInput(file), file, endian);
}

/** Decode bytes read from `file`; a length that is not a multiple of 8 is a SeccheckError. */
export function parseSockFilter(bytes: Uint8Array, file: string, endian: Endian = 'little'): Insn[] {
  try {
    return decodeProgram(bytes, endian);
  } catch (e) {
    if (e instanceof EmulatorInputError) throw new SeccheckError(file, undefined, e.message);
    throw e;
  }
}
