// struct seccomp_data (include/uapi/linux/seccomp.h) and the sixteen 32-bit
// words a filter can load from it. Loads are native-endian (SEMANTICS §1.2):
// on a little-endian arch the low half of a u64 sits at the lower offset.
import type { Endian } from './codec.js';

export interface SeccompData {
  /** Signed 32-bit syscall number as the filter sees it (x32 numbers carry 0x40000000). */
  nr: number;
  /** AUDIT_ARCH_* value (u32). */
  arch: number;
  /** User PC after the syscall instruction (u64). */
  instruction_pointer: bigint;
  /** Six u64 argument registers. */
  args: readonly [bigint, bigint, bigint, bigint, bigint, bigint] | readonly bigint[];
}

/** sizeof(struct seccomp_data). */
export const SECCOMP_DATA_SIZE = 64;
/** Number of 32-bit words a filter can load (offsets 0, 4, ..., 60). */
export const SECCOMP_DATA_WORDS = 16;

/** Byte offset of args[i] in struct seccomp_data. */
export const argOffset = (i: number): number => 16 + 8 * i;

const MASK32 = 0xffffffffn;

/**
 * The 16 words `LD [k]` reads, indexed by k / 4, for data laid out in the
 * given byte order. The result is a Uint32Array the engines read directly.
 */
export function seccompDataWords(data: SeccompData, endian: Endian = 'little', out = new Uint32Array(SECCOMP_DATA_WORDS)): Uint32Array {
  if (data.args.length !== 6) throw new RangeError(`seccomp_data needs 6 args, got ${data.args.length}`);
  out[0] = data.nr >>> 0;
  out[1] = data.arch >>> 0;
  put64(out, 2, data.instruction_pointer, endian);
  for (let i = 0; i < 6; i++) put64(out, 4 + 2 * i, data.args[i], endian);
  return out;
}

function put64(out: Uint32Array, word: number, v: bigint, endian: Endian): void {
  const u = BigInt.asUintN(64, v);
  const lo = Number(u & MASK32);
  const hi = Number(u >> 32n);
  if (endian === 'little') {
    out[word] = lo;
    out[word + 1] = hi;
  } else {
    out[word] = hi;
    out[word + 1] = lo;
  }
}

/** Inverse of seccompDataWords. */
export function seccompDataFromWords(words: ArrayLike<number>, endian: Endian = 'little'): SeccompData {
  const get64 = (w: number): bigint => {
    const a = BigInt(words[w] >>> 0);
    const b = BigInt(words[w + 1] >>> 0);
    return endian === 'little' ? (b << 32n) | a : (a << 32n) | b;
  };
  return {
    nr: words[0] | 0,
    arch: words[1] >>> 0,
    instruction_pointer: get64(2),
    args: [get64(4), get64(6), get64(8), get64(10), get64(12), get64(14)],
  };
}

/** The 64 bytes of struct seccomp_data in the given byte order. */
export function seccompDataBytes(data: SeccompData, endian: Endian = 'little'): Uint8Array {
  const words = seccompDataWords(data, endian);
  const bytes = new Uint8Array(SECCOMP_DATA_SIZE);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < SECCOMP_DATA_WORDS; i++) view.setUint32(i * 4, words[i], endian === 'little');
  return bytes;
}

/** Convenience constructor: missing args and ip are zero. */
export function seccompData(nr: number, arch: number, args: readonly (bigint | number)[] = [], ip: bigint | number = 0n): SeccompData {
  const a = [0n, 0n, 0n, 0n, 0n, 0n];
  args.forEach((v, i) => {
    a[i] = BigInt.asUintN(64, BigInt(v));
  });
  return { nr: nr | 0, arch: arch >>> 0, instruction_pointer: BigInt.asUintN(64, BigInt(ip)), args: a };
}
