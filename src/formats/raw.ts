// The raw format: one struct sock_filter array, exactly what seccomp(2) gets.
import type { LoadedFilter, LoadOptions } from './filter.js';
import { parseSockFilter } from './sock_filter.js';

/** Load raw sock_filter bytes (byte order opts.endian, default little). */
export function loadRaw(bytes: Uint8Array, file: string, opts: LoadOptions = {}): LoadedFilter {
  const program = parseSockFilter(bytes, file, opts.endian ?? 'little');
  return { source: file, format: 'raw', programs: [{ thread: null, arch: opts.arch ?? null, program }], warnings: [], info: {} };
}
