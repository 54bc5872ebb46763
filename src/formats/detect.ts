// Which format a file is in, from its bytes. Structured formats win over
// raw: a thread map (bincode) first, then JSON (a seccompiler policy, an
// OCI/Docker profile), then assembly text; anything else is a raw
// sock_filter array. `--format` skips all of this.
import { SeccheckError } from '../errors.js';
import { looksLikeBincode } from './bincode.js';
import type { FormatName } from './filter.js';
import { looksLikeOci } from './oci.js';
import { looksLikeSeccompiler } from './seccompiler.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The bytes as text if they can only be text: valid UTF-8 without NUL or
 * other control characters but tab, newlines and form feeds. A raw program
 * never qualifies: every valid opcode is below 0x100, so each instruction
 * holds a zero byte.
 */
function asText(bytes: Uint8Array): string | undefined {
  for (const b of bytes) if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d) || b === 0x7f) return undefined;
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Detect the format of `bytes` (read from `file`). JSON that is neither
 * policy format is a SeccheckError naming the file, since no other format
 * could read it either.
 */
export function detectFormat(bytes: Uint8Array, file: string): FormatName {
  if (bytes.length === 0) return 'raw';
  if (looksLikeBincode(bytes)) return 'bincode';
  const text = asText(bytes);
  if (text === undefined || text.trim() === '') return 'raw';
  if (/^\uFEFF?\s*[[{]/.test(text)) {
    if (looksLikeSeccompiler(bytes)) return 'seccompiler';
    if (looksLikeOci(bytes)) return 'oci';
    try {
      JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new SeccheckError(file, undefined, `starts like JSON but is not valid JSON (${e instanceof Error ? e.message : String(e)}); give --format if it is something else`);
    }
    throw new SeccheckError(file, undefined,
      'JSON, but neither a seccompiler policy (threads of default_action, filter_action, filter) nor an OCI/Docker profile (defaultAction, syscalls); give --format');
  }
  return 'asm';
}
