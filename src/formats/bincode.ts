// The Firecracker/boxlite thread map: `HashMap<String, Vec<u64>>` in bincode 2's
// standard config with fixed-int encoding, little-endian, as boxlite 0.9.3's
// `jailer::seccomp::deserialize_binary` reads it (seed lines 43-56, 111-119):
//
//   u64 entry count, then per entry: u64 key length, the key's UTF-8 bytes,
//   u64 instruction count, that many u64s (one struct sock_filter each,
//   reinterpreted as a little-endian u64: insnFromU64).
//
// boxlite's limit, DESERIALIZATION_BYTES_LIMIT = 100_000, is bincode 2's
// `Limit<N>`: not the input's length but a running count of "claimed" bytes
// (bincode's DecoderImpl::claim_bytes_read), checked before each read:
//   - every u64 read claims 8;
//   - a string claims its length (u8 container);
//   - a Vec<u64> claims 8 x count up front and releases 8 before each element,
//     whose own read claims 8 again;
//   - the map claims size_of::<(String, Vec<u64>)>() = 48 bytes x count up
//     front and releases 48 before each entry.
// So the count is "bytes consumed + 48 per entry not started yet", an absurd
// count fails with LimitExceeded before anything is allocated, and a
// one-entry map loads exactly when it is at most 100,000 bytes long.
import { insnFromU64, insnToU64, type Insn } from 'unicorn-bpf-emulator';
import { SeccheckError } from '../errors.js';
import type { LoadedFilter, LoadedProgram, LoadOptions } from './filter.js';

/** boxlite's DESERIALIZATION_BYTES_LIMIT (seed line 50). */
export const BOXLITE_BYTES_LIMIT = 100_000;
/** size_of::<(String, Vec<u64>)>() on a 64-bit target: what bincode claims per map entry. */
export const BINCODE_ENTRY_CLAIM = 48;
/** boxlite's BPF_MAX_LEN (seed line 133): longer programs fail with FilterTooLarge. */
export const BOXLITE_BPF_MAX_LEN = 4096;

/** One entry of a decoded thread map, in file order. */
export interface ThreadMapEntry {
  /** The key as stored. */
  readonly key: string;
  /** The key boxlite looks threads up by: `k.to_lowercase()` (seed line 117). */
  readonly thread: string;
  readonly program: Insn[];
  /** Byte offset of the entry in the input. */
  readonly offset: number;
}

export interface DecodedThreadMap {
  readonly entries: ThreadMapEntry[];
  /** Bytes the map occupies (any more are trailing bytes). */
  readonly length: number;
}

/** Why decoding stopped, with bincode's name for it. */
type Failure =
  | { readonly kind: 'limit'; readonly at: number; readonly what: string; readonly claimed: bigint }
  | { readonly kind: 'truncated'; readonly at: number; readonly what: string; readonly need: bigint; readonly have: number }
  | { readonly kind: 'utf8'; readonly at: number; readonly what: string };

class DecodeFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * bincode 2's decoder over a byte array: a read position and, when `limit` is
 * set, the claimed-bytes counter of DecoderImpl. Without a limit (format
 * detection) a length is instead checked against the bytes left.
 */
class Decoder {
  pos = 0;
  private claimed = 0n;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limit: number | undefined,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** claim_bytes_read: LimitExceeded once the running count passes the limit. */
  claim(n: bigint, what: string): void {
    if (this.limit === undefined) return;
    this.claimed += n;
    if (this.claimed > BigInt(this.limit)) throw new DecodeFailure({ kind: 'limit', at: this.pos, what, claimed: this.claimed });
  }

  unclaim(n: bigint): void {
    if (this.limit !== undefined) this.claimed -= n;
  }

  /** Fail unless `n` more bytes are there (std's read_exact: UnexpectedEof). */
  need(n: bigint, what: string): void {
    const have = this.bytes.length - this.pos;
    if (n > BigInt(have)) throw new DecodeFailure({ kind: 'truncated', at: this.pos, what, need: n, have });
  }

  /** u64::decode: claim 8, then read 8 little-endian bytes. */
  u64(what: string): bigint {
    this.claim(8n, what);
    this.need(8n, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** String::decode: Vec<u8> (length, claim, read), then from_utf8. */
  string(what: string): string {
    const len = this.u64(`${what}'s length`);
    this.claim(len, what);
    this.need(len, what);
    const at = this.pos;
    const n = Number(len);
    this.pos += n;
    try {
      return UTF8.decode(this.bytes.subarray(at, at + n));
    } catch {
      throw new DecodeFailure({ kind: 'utf8', at, what });
    }
  }

  /** Vec<u64>::decode: length, claim 8 x len, then per element unclaim 8 and u64::decode. */
  program(what: string): Insn[] {
    const len = this.u64(`${what}'s instruction count`);
    this.claim(len * 8n, what); // checked_mul overflowing usize is LimitExceeded too: same outcome
    this.need(len * 8n, what); // without a limit, never believe a count the bytes cannot hold
    const out: Insn[] = new Array(Number(len));
    for (let i = 0; i < out.length; i++) {
      this.unclaim(8n);
      out[i] = insnFromU64(this.u64(what));
    }
    return out;
  }
}

/**
 * Decode a thread map as boxlite's deserialize_binary does, with its limit
 * unless `limit` is undefined. Throws DecodeFailure.
 */
function decode(bytes: Uint8Array, limit: number | undefined): DecodedThreadMap {
  const d = new Decoder(bytes, limit);
  const count = d.u64('the thread count');
  const claim = count * BigInt(BINCODE_ENTRY_CLAIM);
  d.claim(claim, `the thread map (${count} entries x ${BINCODE_ENTRY_CLAIM} bytes)`);
  // Each entry takes at least 16 bytes (two lengths).
  if (limit === undefined) d.need(count * 16n, 'the thread map');
  const entries: ThreadMapEntry[] = [];
  for (let i = 0n; i < count; i++) {
    d.unclaim(BigInt(BINCODE_ENTRY_CLAIM));
    const offset = d.pos;
    const key = d.string(`thread name ${i}`);
    const program = d.program(`thread ${JSON.stringify(key)}`);
    entries.push({ key, thread: key.toLowerCase(), program, offset });
  }
  return { entries, length: d.pos };
}

const fmt = (n: number | bigint): string => n.toLocaleString('en-US');

function failureProblem(f: Failure): string {
  switch (f.kind) {
    case 'limit':
      return `exceeds boxlite's ${fmt(BOXLITE_BYTES_LIMIT)}-byte deserialization limit (DESERIALIZATION_BYTES_LIMIT): ` +
        `reading ${f.what} at byte ${f.at} bincode counts ${fmt(f.claimed)} bytes, so boxlite fails with LimitExceeded`;
    case 'truncated':
      return `truncated: ${f.what} at byte ${f.at} needs ${fmt(f.need)} bytes, ${fmt(f.have)} left (boxlite fails with UnexpectedEof)`;
    case 'utf8':
      return `${f.what} at byte ${f.at} is not valid UTF-8 (boxlite fails with Utf8)`;
  }
}

/**
 * Decode a boxlite/Firecracker thread map; every problem is a one-line
 * SeccheckError naming `file`: what boxlite would refuse (limit, truncation,
 * invalid UTF-8), and what it would silently accept but is surely a mistake
 * (trailing bytes, a thread given twice).
 */
export function decodeThreadMap(bytes: Uint8Array, file: string): DecodedThreadMap {
  let map: DecodedThreadMap;
  try {
    map = decode(bytes, BOXLITE_BYTES_LIMIT);
  } catch (e) {
    if (e instanceof DecodeFailure) throw new SeccheckError(file, undefined, `bincode thread map ${failureProblem(e.failure)}`);
    throw e;
  }
  if (map.length !== bytes.length) {
    const n = bytes.length - map.length;
    throw new SeccheckError(file, undefined,
      `${fmt(n)} trailing byte${n === 1 ? '' : 's'} after the bincode thread map, which ends at byte ${map.length} (boxlite's decoder stops there and ignores them)`);
  }
  const byKey = new Map<string, ThreadMapEntry>();
  const byThread = new Map<string, ThreadMapEntry>();
  for (const e of map.entries) {
    if (byKey.has(e.key)) {
      throw new SeccheckError(file, undefined, `thread ${JSON.stringify(e.key)} appears twice in the bincode thread map (boxlite silently keeps the last one)`);
    }
    byKey.set(e.key, e);
    const other = byThread.get(e.thread);
    if (other) {
      throw new SeccheckError(file, undefined,
        `threads ${JSON.stringify(other.key)} and ${JSON.stringify(e.key)} are both ${JSON.stringify(e.thread)} once boxlite lowercases them (which one it keeps depends on HashMap order)`);
    }
    byThread.set(e.thread, e);
  }
  return map;
}

/**
 * Does this look like a thread map? The structure alone, without boxlite's
 * limit (an oversized map is still a map, and its loader says so): at least
 * one entry, every length within the bytes left, UTF-8 names, nothing after.
 */
export function looksLikeBincode(bytes: Uint8Array): boolean {
  try {
    const map = decode(bytes, undefined);
    return map.entries.length > 0 && map.length === bytes.length;
  } catch (e) {
    if (e instanceof DecodeFailure) return false;
    throw e;
  }
}

/**
 * Load a thread map: one program per thread, sorted by thread name, with
 * boxlite's rules as warnings: an empty program installs no filter (seed
 * install_filter, lines 187-190), more than 4096 instructions is
 * FilterTooLarge (lines 192-196), only "vmm" is ever applied, with TSYNC
 * (apply_vmm_filter, lines 246-290), and names are lowercased (line 117).
 */
export function loadBincode(bytes: Uint8Array, file: string, opts: LoadOptions = {}): LoadedFilter {
  const map = decodeThreadMap(bytes, file);
  const entries = [...map.entries].sort((a, b) => (a.thread < b.thread ? -1 : a.thread > b.thread ? 1 : 0));
  const warnings: string[] = [];
  const programs: LoadedProgram[] = entries.map((e) => {
    const label = `thread ${JSON.stringify(e.thread)}`;
    if (e.key !== e.thread) warnings.push(`${label}: stored as ${JSON.stringify(e.key)}; boxlite lowercases thread names`);
    if (e.program.length === 0) warnings.push(`${label}: empty program: boxlite applies no seccomp filter`);
    if (e.program.length > BOXLITE_BPF_MAX_LEN) {
      warnings.push(`${label}: ${e.program.length} instructions: boxlite refuses it with FilterTooLarge (more than ${BOXLITE_BPF_MAX_LEN})`);
    }
    return { thread: e.thread, arch: opts.arch ?? null, program: e.program };
  });
  if (!entries.some((e) => e.thread === 'vmm')) {
    warnings.push('no "vmm" thread: boxlite\'s apply_vmm_filter fails with "Missing vmm filter"');
  }
  return {
    source: file,
    format: 'bincode',
    programs,
    warnings,
    info: {
      threads: entries.map((e) => e.thread).join(', '),
      bytes: String(bytes.length),
      applied: 'boxlite 0.9.3 installs only "vmm", with TSYNC on every thread; "vcpu" and "api" are never installed',
    },
  };
}

const UTF8_ENCODER = new TextEncoder();

/**
 * Encode programs as a thread map (bincode 2, fixed-int, little-endian),
 * keys sorted so the same map always gives the same bytes. A name given
 * twice is a SeccheckError naming `file` (the output).
 */
export function encodeThreadMap(threads: readonly { readonly thread: string; readonly program: readonly Insn[] }[], file = 'thread map'): Uint8Array {
  const sorted = [...threads].sort((a, b) => (a.thread < b.thread ? -1 : a.thread > b.thread ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].thread === sorted[i - 1].thread) throw new SeccheckError(file, undefined, `thread ${JSON.stringify(sorted[i].thread)} given twice`);
  }
  const keys = sorted.map((t) => UTF8_ENCODER.encode(t.thread));
  const size = 8 + sorted.reduce((s, t, i) => s + 16 + keys[i].length + 8 * t.program.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  const u64 = (v: bigint): void => {
    view.setBigUint64(o, v, true);
    o += 8;
  };
  u64(BigInt(sorted.length));
  sorted.forEach((t, i) => {
    u64(BigInt(keys[i].length));
    out.set(keys[i], o);
    o += keys[i].length;
    u64(BigInt(t.program.length));
    for (const ins of t.program) u64(insnToU64(ins));
  });
  return out;
}
