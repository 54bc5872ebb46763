import { ARCHES } from 'unicorn-bpf-emulator';
import { describe, expect, it } from 'vitest';
import { errnoFamily, errnoName, errnoNumber, errnoTableSource } from './errno.js';

describe('errno tables', () => {
  it('without an arch: asm-generic names and numbers, aliases resolving to their canonical name', () => {
    expect(errnoNumber('EPERM')).toBe(1);
    expect(errnoNumber('EAGAIN')).toBe(11);
    expect(errnoNumber('ENOSYS')).toBe(38);
    expect(errnoNumber('EWOULDBLOCK')).toBe(11);
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(35)).toBe('EDEADLK');
    expect(errnoName(4095)).toBeUndefined();
    expect(errnoNumber('EHWPOISON')).toBe(133);
    expect(errnoNumber('constructor')).toBeUndefined();
  });

  it('every arch has a family; mips, parisc and powerpc have their own', () => {
    const families = Object.fromEntries(ARCHES.map((a) => [a.name, errnoFamily(a.name)]));
    expect(families).toEqual({
      x86: 'generic', x86_64: 'generic', x32: 'generic', arm: 'generic', aarch64: 'generic', loongarch64: 'generic',
      m68k: 'generic', mips: 'mips', mipsel: 'mips', mips64: 'mips', mipsel64: 'mips', mips64n32: 'mips',
      mipsel64n32: 'mips', parisc: 'parisc', parisc64: 'parisc', ppc: 'powerpc', ppc64: 'powerpc', ppc64le: 'powerpc',
      s390: 'generic', s390x: 'generic', riscv64: 'generic', sh: 'generic', sheb: 'generic',
    });
    expect(errnoFamily('i386')).toBe('generic');
    expect(errnoFamily('vax')).toBeUndefined();
  });

  it('generic arches', () => {
    for (const arch of ['x86_64', 'aarch64', 'arm', 'riscv64', 's390x', 'loongarch64', 'sh']) {
      expect(errnoNumber('EAGAIN', arch), arch).toBe(11);
      expect(errnoNumber('ENOSYS', arch), arch).toBe(38);
      expect(errnoName(38, arch), arch).toBe('ENOSYS');
    }
  });

  it('mips: EAGAIN 11, ENOSYS 89, EDQUOT 1133', () => {
    for (const arch of ['mips', 'mipsel', 'mips64', 'mipsel64n32']) {
      expect(errnoNumber('EAGAIN', arch), arch).toBe(11);
      expect(errnoNumber('ENOSYS', arch), arch).toBe(89);
      expect(errnoName(89, arch), arch).toBe('ENOSYS');
    }
    expect(errnoName(89)).toBe('EDESTADDRREQ');
    expect(errnoNumber('EDQUOT', 'mips')).toBe(1133);
    expect(errnoNumber('EDEADLK', 'mips')).toBe(45);
    expect(errnoNumber('EWOULDBLOCK', 'mips')).toBe(11);
  });

  it('parisc: ENOSYS 251, EAGAIN 11', () => {
    expect(errnoNumber('ENOSYS', 'parisc')).toBe(251);
    expect(errnoNumber('ENOSYS', 'parisc64')).toBe(251);
    expect(errnoNumber('EAGAIN', 'parisc')).toBe(11);
    expect(errnoName(251, 'parisc')).toBe('ENOSYS');
  });

  it('powerpc: asm-generic but EDEADLOCK is 58, not an alias of EDEADLK', () => {
    expect(errnoNumber('EDEADLOCK', 'ppc64le')).toBe(58);
    expect(errnoNumber('EDEADLK', 'ppc64le')).toBe(35);
    expect(errnoName(58, 'ppc')).toBe('EDEADLOCK');
    expect(errnoName(58)).toBeUndefined();
    expect(errnoNumber('EDEADLOCK')).toBe(35);
    expect(errnoNumber('ENOSYS', 'ppc64')).toBe(38);
  });

  it('an unknown arch knows no errno; sources are recorded', () => {
    expect(errnoNumber('EPERM', 'vax')).toBeUndefined();
    expect(errnoName(1, 'vax')).toBeUndefined();
    expect(errnoTableSource()).toMatchObject({ package: expect.stringMatching(/^linux-libc-dev/), kernel: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(errnoTableSource('mips')?.headers[0]).toMatch(/asm\/errno\.h$/);
    expect(errnoTableSource('vax')).toBeUndefined();
  });
});
