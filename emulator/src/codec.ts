// struct sock_filter arrays to and from bytes (8 bytes per instruction:
// u16 code, u8 jt, u8 jf, u32 k) in either byte order.
import { insn, type Insn, type Program } from './bpf.js';

export type Endian = 'little' | 'big';

/** Size of one struct sock_filter in bytes. */
export const SOCK_FILTER_SIZE = 8;

/** A problem with the bytes or text handed to the emulator. */
export class EmulatorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorInputError';
  }
}

/** Decode a raw sock_filter array. The length must be a multiple of 8. */
export function decodeProgram(bytes: Uint8Array, endian: Endian = 'little'): Insn[] {
  if (bytes.length % SOCK_FILTER_SIZE !== 0) {
    throw new EmulatorInputError(
      `length ${bytes.length} is not a multiple of ${SOCK_FILTER_SIZE} (struct sock_filter is 8 bytes; ${bytes.length % SOCK_FILTER_SIZE} trailing bytes)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = endian === 'little';
  const out: Insn[] = new Array(bytes.length / SOCK_FILTER_SIZE);
  for (let i = 0; i < out.length; i++) {
    const o = i * SOCK_FILTER_SIZE;
    out[i] = insn(view.getUint16(o, le), view.getUint8(o + 2), view.getUint8(o + 3), view.getUint32(o + 4, le));
  }
  return out;
}

/** Encode a program as a raw sock_filter array. */
export function encodeProgram(program: Program, endian: Endian = 'little'): Uint8Array {
  const bytes = new Uint8Array(program.length * SOCK_FILTER_SIZE);
  const view = new DataView(bytes.buffer);
  const le = endian === 'little';
  program.forEach((ins, i) => {
    const o = i * SOCK_FILTER_SIZE;
    view.setUint16(o, ins.code & 0xffff, le);
    view.setUint8(o + 2, ins.jt & 0xff);
    view.setUint8(o + 3, ins.jf & 0xff);
    view.setUint32(o + 4, ins.k >>> 0, le);
  });
  return bytes;
}

/**
 * Pack one instruction into the u64 that Firecracker's and boxlite's thread
 * maps store (`sock_filter` reinterpreted as a little-endian u64).
 */
export function insnToU64(ins: Insn): bigint {
  return (
    BigInt(ins.code & 0xffff) |
    (BigInt(ins.jt & 0xff) << 16n) |
    (BigInt(ins.jf & 0xff) << 24n) |
    (BigInt(ins.k >>> 0) << 32n)
  );
}

/** Inverse of insnToU64. */
export function insnFromU64(v: bigint): Insn {
  const n = BigInt.asUintN(64, v);
  return insn(Number(n & 0xffffn), Number((n >> 16n) & 0xffn), Number((n >> 24n) & 0xffn), Number(n >> 32n));
}
