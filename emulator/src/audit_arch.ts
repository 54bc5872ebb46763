// AUDIT_ARCH_* values (include/uapi/linux/audit.h) for every ABI libseccomp
// names, with the byte order seccomp_data is laid out in. The names are
// libseccomp's; `i386` is accepted as an alias of `x86`.
import type { Endian } from './codec.js';

export interface ArchInfo {
  /** libseccomp's name for the ABI. */
  readonly name: string;
  /** The AUDIT_ARCH_* constant name. */
  readonly constant: string;
  /** The value seccomp_data.arch holds. */
  readonly auditArch: number;
  readonly endian: Endian;
  readonly bits: 32 | 64;
  /** Bits OR-ed into every syscall number of this ABI (x32: __X32_SYSCALL_BIT). */
  readonly nrBits: number;
}

const EM = (name: string, constant: string, auditArch: number, endian: Endian, bits: 32 | 64, nrBits = 0): ArchInfo => ({ name, constant, auditArch: auditArch >>> 0, endian, bits, nrBits });

export const __X32_SYSCALL_BIT = 0x40000000;

/** The 23 ABIs libseccomp knows, in its order. */
export const ARCHES: readonly ArchInfo[] = [
  EM('x86', 'AUDIT_ARCH_I386', 0x40000003, 'little', 32),
  EM('x86_64', 'AUDIT_ARCH_X86_64', 0xc000003e, 'little', 64),
  EM('x32', 'AUDIT_ARCH_X86_64', 0xc000003e, 'little', 32, __X32_SYSCALL_BIT),
  EM('arm', 'AUDIT_ARCH_ARM', 0x40000028, 'little', 32),
  EM('aarch64', 'AUDIT_ARCH_AARCH64', 0xc00000b7, 'little', 64),
  EM('loongarch64', 'AUDIT_ARCH_LOONGARCH64', 0xc0000102, 'little', 64),
  EM('m68k', 'AUDIT_ARCH_M68K', 0x00000004, 'big', 32),
  EM('mips', 'AUDIT_ARCH_MIPS', 0x00000008, 'big', 32),
  EM('mipsel', 'AUDIT_ARCH_MIPSEL', 0x40000008, 'little', 32),
  EM('mips64', 'AUDIT_ARCH_MIPS64', 0x80000008, 'big', 64),
  EM('mipsel64', 'AUDIT_ARCH_MIPSEL64', 0xc0000008, 'little', 64),
  EM('mips64n32', 'AUDIT_ARCH_MIPS64N32', 0xa0000008, 'big', 32),
  EM('mipsel64n32', 'AUDIT_ARCH_MIPSEL64N32', 0xe0000008, 'little', 32),
  EM('parisc', 'AUDIT_ARCH_PARISC', 0x0000000f, 'big', 32),
  EM('parisc64', 'AUDIT_ARCH_PARISC64', 0x8000000f, 'big', 64),
  EM('ppc', 'AUDIT_ARCH_PPC', 0x00000014, 'big', 32),
  EM('ppc64', 'AUDIT_ARCH_PPC64', 0x80000015, 'big', 64),
  EM('ppc64le', 'AUDIT_ARCH_PPC64LE', 0xc0000015, 'little', 64),
  EM('s390', 'AUDIT_ARCH_S390', 0x00000016, 'big', 32),
  EM('s390x', 'AUDIT_ARCH_S390X', 0x80000016, 'big', 64),
  EM('riscv64', 'AUDIT_ARCH_RISCV64', 0xc00000f3, 'little', 64),
  EM('sh', 'AUDIT_ARCH_SH', 0x4000002a, 'little', 32),
  EM('sheb', 'AUDIT_ARCH_SHEB', 0x0000002a, 'big', 32),
];

const ALIASES: Readonly<Record<string, string>> = { i386: 'x86', i686: 'x86', amd64: 'x86_64', arm64: 'aarch64' };

/** Look an ABI up by libseccomp name or alias (i386, amd64, arm64). */
export function archByName(name: string): ArchInfo | undefined {
  const n = ALIASES[name] ?? name;
  return ARCHES.find((a) => a.name === n);
}

/**
 * The ABIs a seccomp_data.arch value can stand for (x86_64 and x32 share
 * AUDIT_ARCH_X86_64); the native one first.
 */
export function archesByAuditArch(auditArch: number): ArchInfo[] {
  return ARCHES.filter((a) => a.auditArch === auditArch >>> 0);
}

/** The AUDIT_ARCH_* name of a value, if it is one. */
export function auditArchName(auditArch: number): string | undefined {
  return archesByAuditArch(auditArch)[0]?.constant;
}

/** The value of an AUDIT_ARCH_* name, if it is one. */
export function auditArchValue(constant: string): number | undefined {
  return ARCHES.find((a) => a.constant === constant)?.auditArch;
}
