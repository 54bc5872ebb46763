// Syscall names and numbers per ABI, from the generated tables
// (scripts/gen-syscalls.mjs), and a resolver keyed by seccomp_data.arch for
// the assembler and disassembler.
import { __X32_SYSCALL_BIT, archByName, archesByAuditArch, type SyscallResolver } from 'unicorn-bpf-emulator';
import { SYSCALL_TABLES, type SyscallTableSource } from './syscalls.generated.js';

export type { SyscallTableSource };

/** Names <-> numbers by seccomp_data.arch (the emulator's interface, used by asm/disasm). */
export type { SyscallResolver };

interface Lookup {
  readonly byName: ReadonlyMap<string, number>;
  readonly byNumber: ReadonlyMap<number, string>;
}

const LOOKUPS = new Map<string, Lookup>();
for (const [arch, table] of Object.entries(SYSCALL_TABLES)) {
  const byName = new Map<string, number>(Object.entries(table.numbers));
  const byNumber = new Map<number, string>();
  for (const [name, nr] of byName) if (!byNumber.has(nr)) byNumber.set(nr, name);
  LOOKUPS.set(arch, { byName, byNumber });
}

/** The table for an arch name or alias (i386 -> x86), if seccheck has one. */
function lookup(archName: string): Lookup | undefined {
  const arch = archByName(archName);
  return arch && LOOKUPS.get(arch.name);
}

/** libseccomp names of the ABIs that have a syscall table, in libseccomp's order. */
export function syscallTableArches(): string[] {
  return [...LOOKUPS.keys()];
}

/** Where an ABI's table came from (Debian package, version, kernel release, headers). */
export function syscallTableSource(archName: string): SyscallTableSource | undefined {
  const arch = archByName(archName);
  return arch && SYSCALL_TABLES[arch.name]?.source;
}

/** The number of a syscall on an ABI (x32 numbers include 0x40000000); undefined if unknown. */
export function syscallNumber(archName: string, name: string): number | undefined {
  return lookup(archName)?.byName.get(name);
}

/** The name of a syscall number on an ABI (signed or unsigned 32-bit nr); undefined if unknown. */
export function syscallName(archName: string, nr: number): string | undefined {
  return lookup(archName)?.byNumber.get(nr >>> 0);
}

/**
 * The ABI whose table serves an AUDIT_ARCH_* value and nr. Only x86_64 and
 * x32 share a value: a number with the x32 bit goes to x32, any other to
 * x86_64. Every other value names one ABI.
 */
function archForAudit(auditArch: number, nr?: number): string | undefined {
  const candidates = archesByAuditArch(auditArch).filter((a) => LOOKUPS.has(a.name));
  if (nr !== undefined && candidates.some((a) => a.nrBits !== 0)) {
    const x32 = (nr & __X32_SYSCALL_BIT) !== 0;
    return candidates.find((a) => (a.nrBits !== 0) === x32)?.name;
  }
  return candidates.find((a) => a.nrBits === 0)?.name ?? candidates[0]?.name;
}

/** The resolver over seccheck's tables. Names resolve to the native ABI (x86_64, not x32). */
export const syscallResolver: SyscallResolver = {
  name(auditArch, nr) {
    const arch = archForAudit(auditArch, nr);
    return arch === undefined ? undefined : syscallName(arch, nr);
  },
  number(auditArch, name) {
    const arch = archForAudit(auditArch);
    return arch === undefined ? undefined : syscallNumber(arch, name);
  },
};
