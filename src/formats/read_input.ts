// Reading an input file, with fs errors turned into one-line SeccheckErrors.
import { readFileSync } from 'node:fs';
import { SeccheckError } from '../errors.js';

/** Read a whole file; a missing or unreadable file is a SeccheckError naming it. */
export function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new SeccheckError(file, undefined, fsProblem(e));
  }
}

/** A Node fs error as a short phrase: "no such file", "is a directory", ... */
function fsProblem(e: unknown): string {
  switch ((e as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    default: return `cannot read: ${e instanceof Error ? e.message : String(e)}`;
  }
}
