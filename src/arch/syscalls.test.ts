import { describe, expect, it } from 'vitest';
import { errnoName, errnoNumber } from './errno.js';
import { syscallName, syscallNumber, syscallResolver, syscallTableArches, syscallTableSource } from './syscalls.js';

const AUDIT_ARCH_X86_64 = 0xc000003e;
const AUDIT_ARCH_I386 = 0x40000003;
const AUDIT_ARCH_AARCH64 = 0xc00000b7;

describe('syscall tables', () => {
  it('have x86_64, x86 and x32, from a recorded Debian header package', () => {
    expect(syscallTableArches()).toEqual(['x86_64', 'x86', 'x32']);
    expect(syscallTableSource('x86_64')).toMatchObject({ package: expect.stringMatching(/^linux-libc-dev/), version: expect.stringMatching(/^\d/) });
    expect(syscallTableSource('x32')?.headers.at(-1)).toMatch(/unistd_x32\.h$/);
  });

  it('number names per ABI; x32 numbers carry 0x40000000; i386 is x86', () => {
    expect(syscallNumber('x86_64', 'getpid')).toBe(39);
    expect(syscallNumber('x86', 'getpid')).toBe(20);
    expect(syscallNumber('i386', 'getpid')).toBe(20);
    expect(syscallNumber('x32', 'getpid')).toBe(0x40000027);
    expect(syscallNumber('x32', 'rt_sigaction')).toBe(0x40000200);
    expect(syscallNumber('x86_64', 'rt_sigaction')).toBe(13);
    expect(syscallNumber('x86', 'mkdir')).toBe(39);
    expect(syscallNumber('x86_64', 'nosuch')).toBeUndefined();
    expect(syscallNumber('x86_64', 'constructor')).toBeUndefined();
    expect(syscallNumber('aarch64', 'getpid')).toBeUndefined();
    expect(syscallNumber('vax', 'getpid')).toBeUndefined();
  });

  it('name numbers per ABI, signed or unsigned', () => {
    expect(syscallName('x86_64', 39)).toBe('getpid');
    expect(syscallName('x86', 39)).toBe('mkdir');
    expect(syscallName('x32', 0x40000027)).toBe('getpid');
    expect(syscallName('x32', 39)).toBeUndefined();
    expect(syscallName('x86_64', -1)).toBeUndefined();
  });

  it('the resolver goes by AUDIT_ARCH: x86_64 numbers with the x32 bit use the x32 table', () => {
    expect(syscallResolver.name(AUDIT_ARCH_X86_64, 39)).toBe('getpid');
    expect(syscallResolver.name(AUDIT_ARCH_X86_64, 0x40000027)).toBe('getpid');
    expect(syscallResolver.name(AUDIT_ARCH_X86_64, 0x40000200)).toBe('rt_sigaction');
    expect(syscallResolver.name(AUDIT_ARCH_X86_64, 512)).toBeUndefined();
    expect(syscallResolver.name(AUDIT_ARCH_I386, 39)).toBe('mkdir');
    expect(syscallResolver.name(AUDIT_ARCH_AARCH64, 172)).toBeUndefined();
    expect(syscallResolver.number(AUDIT_ARCH_X86_64, 'getpid')).toBe(39);
    expect(syscallResolver.number(AUDIT_ARCH_I386, 'getpid')).toBe(20);
    expect(syscallResolver.number(AUDIT_ARCH_AARCH64, 'getpid')).toBeUndefined();
  });
});

describe('errno table', () => {
  it('names and numbers, aliases resolving to their canonical name', () => {
    expect(errnoNumber('EPERM')).toBe(1);
    expect(errnoNumber('ENOSYS')).toBe(38);
    expect(errnoNumber('EWOULDBLOCK')).toBe(11);
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(35)).toBe('EDEADLK');
    expect(errnoName(4095)).toBeUndefined();
    expect(errnoNumber('EHWPOISON')).toBe(133);
  });
});
