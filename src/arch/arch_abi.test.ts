import { ARCHES } from 'unicorn-bpf-emulator';
import { describe, expect, it } from 'vitest';
import { ARCH_ABIS, archAbi, compatArch, nativeOf, sharesAuditArchWith } from './arch_abi.js';

describe('ARCH_ABIS', () => {
  it('describes the emulator\'s 23 ABIs, in order, with their AUDIT_ARCH, byte order and word size', () => {
    expect(ARCH_ABIS.map((a) => a.name)).toEqual(ARCHES.map((a) => a.name));
    expect(archAbi('x86_64')).toMatchObject({ constant: 'AUDIT_ARCH_X86_64', auditArch: 0xc000003e, endian: 'little', bits: 64, nrBits: 0 });
    expect(archAbi('i386')).toMatchObject({ name: 'x86', auditArch: 0x40000003, bits: 32 });
    expect(archAbi('x32')).toMatchObject({ auditArch: 0xc000003e, bits: 32, nrBits: 0x40000000 });
    expect(archAbi('s390x')).toMatchObject({ auditArch: 0x80000016, endian: 'big', bits: 64 });
    expect(archAbi('mipsel64n32')).toMatchObject({ auditArch: 0xe0000008, endian: 'little', bits: 32 });
    expect(archAbi('vax')).toBeUndefined();
  });

  it('compat ABIs and their native ABI', () => {
    expect(compatArch('x86_64')?.name).toBe('x86');
    expect(compatArch('amd64')?.name).toBe('x86');
    expect(compatArch('aarch64')?.name).toBe('arm');
    expect(compatArch('s390x')?.name).toBe('s390');
    expect(compatArch('ppc64')?.name).toBe('ppc');
    expect(compatArch('parisc64')?.name).toBe('parisc');
    expect(archAbi('mips64')?.compat).toEqual(['mips', 'mips64n32']);
    expect(archAbi('mipsel64')?.compat).toEqual(['mipsel', 'mipsel64n32']);
    for (const none of ['x86', 'x32', 'arm', 'riscv64', 'ppc64le', 'loongarch64', 'm68k', 'sh']) expect(compatArch(none), none).toBeUndefined();

    expect(nativeOf('x86')?.name).toBe('x86_64');
    expect(nativeOf('i386')?.name).toBe('x86_64');
    expect(nativeOf('arm')?.name).toBe('aarch64');
    expect(nativeOf('x32')?.name).toBe('x86_64');
    expect(nativeOf('mips64n32')?.name).toBe('mips64');
    expect(nativeOf('mipsel')?.name).toBe('mipsel64');
    expect(nativeOf('s390')?.name).toBe('s390x');
    for (const none of ['x86_64', 'aarch64', 'riscv64', 'mips64', 'sh']) expect(nativeOf(none), none).toBeUndefined();
  });

  it('compat and native agree; a compat ABI keeps the byte order and has its own AUDIT_ARCH', () => {
    for (const a of ARCH_ABIS) {
      for (const c of a.compat) {
        const abi = archAbi(c)!;
        expect(abi.native, c).toBe(a.name);
        expect(abi.endian, c).toBe(a.endian);
        expect(abi.auditArch, c).not.toBe(a.auditArch);
      }
    }
  });

  it('only x86_64 and x32 share an AUDIT_ARCH value', () => {
    expect(sharesAuditArchWith('x32')?.name).toBe('x86_64');
    expect(sharesAuditArchWith('x86_64')?.name).toBe('x32');
    expect(ARCH_ABIS.filter((a) => a.sharesAuditArch.length > 0).map((a) => a.name)).toEqual(['x86_64', 'x32']);
    expect(sharesAuditArchWith('x86')).toBeUndefined();
  });

  it('says which tables seccheck has', () => {
    expect(archAbi('aarch64')).toMatchObject({ hasSyscallTable: true, errnoFamily: 'generic' });
    expect(archAbi('mips')).toMatchObject({ hasSyscallTable: true, errnoFamily: 'mips' });
    expect(archAbi('parisc64')).toMatchObject({ errnoFamily: 'parisc' });
    expect(archAbi('ppc64le')).toMatchObject({ errnoFamily: 'powerpc' });
    expect(archAbi('loongarch64')).toMatchObject({ hasSyscallTable: false, errnoFamily: 'generic' });
  });
});
