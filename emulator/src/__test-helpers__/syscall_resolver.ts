// A tiny SyscallResolver for the asm/disasm tests: a handful of x86_64
// (with x32) and aarch64 syscalls. The real tables live in the harness.
import type { SyscallResolver } from '../asm_syntax.js';

export const X86_64 = 0xc000003e;
export const I386 = 0x40000003;
export const AARCH64 = 0xc00000b7;

const TABLES: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  [X86_64]: { read: 0, write: 1, getpid: 39, kill: 62, exit_group: 231 },
  [I386]: { exit: 1, read: 3, write: 4, getpid: 20, kill: 37 },
  [AARCH64]: { read: 63, write: 64, kill: 129, getpid: 172, exit_group: 94 },
};

/** x32 numbers (nr | 0x40000000 under AUDIT_ARCH_X86_64) get names but map back to the x86_64 number. */
export const testResolver: SyscallResolver = {
  name(auditArch, nr) {
    const t = TABLES[auditArch >>> 0];
    if (!t) return undefined;
    const plain = auditArch >>> 0 === X86_64 ? nr & ~0x40000000 : nr;
    return Object.keys(t).find((k) => t[k] === plain);
  },
  number(auditArch, name) {
    return TABLES[auditArch >>> 0]?.[name];
  },
};

/** A resolver that names every number with something the syntaxes cannot take as a syscall name. */
export const hostileResolver: SyscallResolver = {
  name(_arch, nr) {
    const names = ['X', 'x', 'A', 'ALLOW', 'AUDIT_ARCH_I386', 'len', 'nr', 'goto', 'L3', '0x5', 'a b', 'M', 'ERRNO', '', 'getpid'];
    return names[(nr >>> 0) % names.length];
  },
  number(_arch, name) {
    return name === 'L3' ? 8 : name === 'getpid' ? 14 : 0;
  },
};
