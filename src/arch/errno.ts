// errno names and numbers per arch, from the generated tables
// (scripts/gen-syscalls.mjs): asm-generic for most arches, their own errno.h
// for mips and parisc, asm-generic with EDEADLOCK = 58 for powerpc.
import { archByName } from 'unicorn-bpf-emulator';
import { ERRNO_FAMILY_OF_ARCH, ERRNO_TABLES, type ErrnoTable } from './errno.generated.js';
import type { SyscallTableSource } from './syscalls.generated.js';

interface Lookup {
  readonly byName: ReadonlyMap<string, number>;
  readonly byNumber: ReadonlyMap<number, string>;
  readonly table: ErrnoTable;
}

const LOOKUPS = new Map<string, Lookup>();
for (const [family, table] of Object.entries(ERRNO_TABLES)) {
  const byName = new Map<string, number>(Object.entries(table.numbers));
  const byNumber = new Map<number, string>();
  for (const [name, n] of byName) if (!byNumber.has(n)) byNumber.set(n, name);
  LOOKUPS.set(family, { byName, byNumber, table });
}

/**
 * The errno.h family of an arch (libseccomp name or alias): "generic"
 * (asm-generic/errno.h), "mips", "parisc" or "powerpc"; undefined for an
 * unknown arch.
 */
export function errnoFamily(archName: string): string | undefined {
  const arch = archByName(archName);
  return arch === undefined ? undefined : (ERRNO_FAMILY_OF_ARCH[arch.name] as string | undefined);
}

/** The table for an arch, or the generic one without an arch; undefined if unknown or not generated. */
function lookup(archName: string | undefined): Lookup | undefined {
  const family = archName === undefined ? 'generic' : errnoFamily(archName);
  return family === undefined ? undefined : LOOKUPS.get(family);
}

/**
 * The number of an errno name on an arch ("EPERM" -> 1, "EWOULDBLOCK" -> 11;
 * "ENOSYS" -> 38, or 89 on mips); without an arch the asm-generic value.
 * Undefined if unknown.
 */
export function errnoNumber(name: string, archName?: string): number | undefined {
  return lookup(archName)?.byName.get(name);
}

/**
 * The canonical name of an errno number on an arch (11 -> "EAGAIN"; 89 ->
 * "EDESTADDRREQ", or "ENOSYS" on mips); without an arch the asm-generic name.
 * Undefined if unknown.
 */
export function errnoName(n: number, archName?: string): string | undefined {
  return lookup(archName)?.byNumber.get(n);
}

/** Where an arch's errno table came from (Debian package, version, kernel, headers); without an arch the generic one's. */
export function errnoTableSource(archName?: string): SyscallTableSource | undefined {
  return lookup(archName)?.table.source;
}
