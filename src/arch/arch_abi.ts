// Each ABI libseccomp names, as seccheck knows it: the emulator's ArchInfo
// (name, AUDIT_ARCH_* value, byte order, word size, x32's nr bit) plus how the
// ABIs relate on one kernel and which tables seccheck has for it.
//
// How they relate (the kernel's arch/*/include/asm/seccomp.h and Kconfig):
// - A 64-bit kernel also runs compat ABIs, each reporting its own AUDIT_ARCH
//   value: x86_64 runs x86 (i386), aarch64 runs arm, s390x s390, ppc64 ppc,
//   parisc64 parisc (SECCOMP_ARCH_COMPAT), and mips64 runs both o32 (mips)
//   and n32 (mips64n32) (CONFIG_MIPS32_O32, CONFIG_MIPS32_N32). ppc64le's
//   compat ABI (AUDIT_ARCH_PPCLE) and riscv64's (AUDIT_ARCH_RISCV32) have no
//   libseccomp name, so they are not listed.
// - x32 is not a compat ABI in that sense: it reports AUDIT_ARCH_X86_64, like
//   x86_64, and its numbers carry __X32_SYSCALL_BIT (0x40000000).
import { ARCHES, archByName, type ArchInfo } from 'unicorn-bpf-emulator';
import { errnoFamily } from './errno.js';
import { syscallTableArches } from './syscalls.js';

export interface ArchAbi extends ArchInfo {
  /**
   * The ABIs, each with its own AUDIT_ARCH value, that a kernel of this ABI
   * also runs (CONFIG_COMPAT); the kernel's SECCOMP_ARCH_COMPAT first.
   */
  readonly compat: readonly string[];
  /**
   * The ABI whose kernel runs this one besides a kernel of its own kind:
   * x86 -> x86_64, arm -> aarch64, mips64n32 -> mips64, and x32 -> x86_64.
   */
  readonly native: string | undefined;
  /** Other ABIs reporting the same AUDIT_ARCH value (x86_64 <-> x32); nrBits tells them apart. */
  readonly sharesAuditArch: readonly string[];
  /** Whether seccheck has this ABI's syscall table (see syscallTableArches). */
  readonly hasSyscallTable: boolean;
  /** Its errno.h family: "generic" (asm-generic), "mips", "parisc" or "powerpc". */
  readonly errnoFamily: string;
}

const COMPAT: Readonly<Record<string, readonly string[]>> = {
  x86_64: ['x86'],
  aarch64: ['arm'],
  mips64: ['mips', 'mips64n32'],
  mipsel64: ['mipsel', 'mipsel64n32'],
  parisc64: ['parisc'],
  ppc64: ['ppc'],
  s390x: ['s390'],
};

function describe(a: ArchInfo): ArchAbi {
  const compat = Object.hasOwn(COMPAT, a.name) ? COMPAT[a.name] : [];
  const sharesAuditArch = ARCHES.filter((b) => b.auditArch === a.auditArch && b !== a).map((b) => b.name);
  const native =
    Object.keys(COMPAT).find((n) => COMPAT[n].includes(a.name)) ??
    (a.nrBits !== 0 ? ARCHES.find((b) => b.auditArch === a.auditArch && b.nrBits === 0)?.name : undefined);
  const errno = errnoFamily(a.name);
  if (errno === undefined) throw new Error(`no errno family for ${a.name}`);
  return { ...a, compat, native, sharesAuditArch, hasSyscallTable: syscallTableArches().includes(a.name), errnoFamily: errno };
}

/** Every ABI libseccomp names, in its order. */
export const ARCH_ABIS: readonly ArchAbi[] = ARCHES.map(describe);

/** An ABI by libseccomp name or alias (i386, amd64, arm64). */
export function archAbi(name: string): ArchAbi | undefined {
  const arch = archByName(name);
  return arch && ARCH_ABIS.find((a) => a.name === arch.name);
}

/** The compat ABI a kernel of this ABI runs (x86_64 -> x86, aarch64 -> arm, mips64 -> mips); the first of `compat`. */
export function compatArch(name: string): ArchAbi | undefined {
  const c = archAbi(name)?.compat[0];
  return c === undefined ? undefined : archAbi(c);
}

/** The ABI whose kernel runs this one (arm -> aarch64, x86 -> x86_64, x32 -> x86_64). */
export function nativeOf(name: string): ArchAbi | undefined {
  const n = archAbi(name)?.native;
  return n === undefined ? undefined : archAbi(n);
}

/** The other ABI reporting the same AUDIT_ARCH value (x32 -> x86_64, x86_64 -> x32). */
export function sharesAuditArchWith(name: string): ArchAbi | undefined {
  const s = archAbi(name)?.sharesAuditArch[0];
  return s === undefined ? undefined : archAbi(s);
}
