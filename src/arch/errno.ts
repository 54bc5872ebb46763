// errno names and numbers from the generated table (asm-generic values).
import { ERRNO_NUMBERS } from './errno.generated.js';

const BY_NAME = new Map<string, number>(Object.entries(ERRNO_NUMBERS));
const BY_NUMBER = new Map<number, string>();
for (const [name, n] of BY_NAME) if (!BY_NUMBER.has(n)) BY_NUMBER.set(n, name);

/** The number of an errno name ("EPERM" -> 1, "EWOULDBLOCK" -> 11); undefined if unknown. */
export function errnoNumber(name: string): number | undefined {
  return BY_NAME.get(name);
}

/** The canonical name of an errno number (11 -> "EAGAIN"); undefined if unknown. */
export function errnoName(n: number): string | undefined {
  return BY_NUMBER.get(n);
}
