import { ARCHES } from 'unicorn-bpf-emulator';
import { describe, expect, it } from 'vitest';
import { syscallName, syscallNumber, syscallResolver, syscallTableArches, syscallTableSource } from './syscalls.js';

const AUDIT_ARCH_X86_64 = 0xc000003e;
const AUDIT_ARCH_I386 = 0x40000003;
const AUDIT_ARCH_AARCH64 = 0xc00000b7;
const AUDIT_ARCH_ARM = 0x40000028;
const AUDIT_ARCH_MIPSEL64 = 0xc0000008;
const AUDIT_ARCH_LOONGARCH64 = 0xc0000102;
const X32 = 0x40000000;

/** Every libseccomp arch Debian 12 has cross headers for; loongarch64 has none. */
const WITH_TABLES = [
  'x86', 'x86_64', 'x32', 'arm', 'aarch64', 'm68k', 'mips', 'mipsel', 'mips64', 'mipsel64', 'mips64n32', 'mipsel64n32',
  'parisc', 'parisc64', 'ppc', 'ppc64', 'ppc64le', 's390', 's390x', 'riscv64', 'sh', 'sheb',
];

// Spot checks, numbers as seccomp_data.nr holds them (kernel syscall.tbl, libseccomp's syscalls.csv).
// undefined: the ABI has no such syscall (in the 6.1 headers the tables come from).
const u = undefined;
const EXPECTED: Record<string, Record<string, number | undefined>> = {
  x86: { getpid: 20, open: 5, openat: 295, clone3: 435, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: u },
  x86_64: { getpid: 39, open: 2, openat: 257, clone3: 435, mount: 165, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: 320 },
  x32: { getpid: X32 + 39, open: X32 + 2, openat: X32 + 257, clone3: X32 + 435, mount: X32 + 165, fsopen: X32 + 430, fsmount: X32 + 432, move_mount: X32 + 429, kexec_file_load: X32 + 320 },
  arm: { getpid: 20, open: 5, openat: 322, clone3: 435, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: 401 },
  aarch64: { getpid: 172, open: u, openat: 56, clone3: 435, mount: 40, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: 294 },
  riscv64: { getpid: 172, open: u, openat: 56, clone3: 435, mount: 40, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: 294 },
  m68k: { getpid: 20, open: 5, openat: 288, clone3: 435, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: u },
  mips: { getpid: 4020, open: 4005, openat: 4288, clone3: 4435, mount: 4021, fsopen: 4430, fsmount: 4432, move_mount: 4429, kexec_file_load: u },
  mipsel: { getpid: 4020, open: 4005, openat: 4288, clone3: 4435, mount: 4021, fsopen: 4430, fsmount: 4432, move_mount: 4429, kexec_file_load: u },
  mips64: { getpid: 5038, open: 5002, openat: 5247, clone3: 5435, mount: 5160, fsopen: 5430, fsmount: 5432, move_mount: 5429, kexec_file_load: u },
  mipsel64: { getpid: 5038, open: 5002, openat: 5247, clone3: 5435, mount: 5160, fsopen: 5430, fsmount: 5432, move_mount: 5429, kexec_file_load: u },
  mips64n32: { getpid: 6038, open: 6002, openat: 6251, clone3: 6435, mount: 6160, fsopen: 6430, fsmount: 6432, move_mount: 6429, kexec_file_load: u },
  mipsel64n32: { getpid: 6038, open: 6002, openat: 6251, clone3: 6435, mount: 6160, fsopen: 6430, fsmount: 6432, move_mount: 6429, kexec_file_load: u },
  parisc: { getpid: 20, open: 5, openat: 275, clone3: 435, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: 355 },
  parisc64: { getpid: 20, open: 5, openat: 275, clone3: 435, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: 355 },
  ppc: { getpid: 20, open: 5, openat: 286, clone3: 435, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: 382 },
  ppc64: { getpid: 20, open: 5, openat: 286, clone3: 435, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: 382 },
  ppc64le: { getpid: 20, open: 5, openat: 286, clone3: 435, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: 382 },
  s390: { getpid: 20, open: 5, openat: 288, clone3: 435, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: 381 },
  s390x: { getpid: 20, open: 5, openat: 288, clone3: 435, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: 381 },
  sh: { getpid: 20, open: 5, openat: 295, clone3: u, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: u },
  sheb: { getpid: 20, open: 5, openat: 295, clone3: u, mount: 21, fsopen: 430, fsmount: 432, move_mount: 429, kexec_file_load: u },
};

describe('syscall tables', () => {
  it('exist for every arch Debian has cross headers for, in libseccomp order, each from a recorded package', () => {
    expect(syscallTableArches()).toEqual(WITH_TABLES);
    const order = ARCHES.map((a) => a.name);
    expect(WITH_TABLES.map((a) => order.indexOf(a))).toEqual([...WITH_TABLES.map((a) => order.indexOf(a))].sort((x, y) => x - y));
    for (const arch of WITH_TABLES) {
      expect(syscallTableSource(arch), arch).toMatchObject({
        package: expect.stringMatching(/^linux-libc-dev/),
        version: expect.stringMatching(/^\d/),
        kernel: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      });
    }
    expect(syscallTableSource('x32')?.headers.at(-1)).toMatch(/unistd_x32\.h$/);
    expect(syscallTableSource('s390')?.headers.at(-1)).toMatch(/unistd_32\.h$/);
    expect(syscallTableSource('s390x')?.headers.at(-1)).toMatch(/unistd_64\.h$/);
    expect(syscallTableSource('mips64n32')?.headers.at(-1)).toMatch(/unistd_n32\.h$/);
    expect(syscallTableSource('loongarch64')).toBeUndefined();
  });

  it.each(Object.keys(EXPECTED))('%s: getpid, open, openat, clone3, the mount API and kexec_file_load', (arch) => {
    const actual = Object.fromEntries(Object.keys(EXPECTED[arch]).map((name) => [name, syscallNumber(arch, name)]));
    expect(actual).toEqual(EXPECTED[arch]);
  });

  it('covers every arch with a table in the spot checks', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...WITH_TABLES].sort());
  });

  it('loongarch64 has no table (no Debian 12 headers); its getpid would be 172', () => {
    expect(syscallNumber('loongarch64', 'getpid')).toBeUndefined();
    expect(syscallName('loongarch64', 172)).toBeUndefined();
  });

  it('x86 quirks: i386 is x86; x32 numbers carry 0x40000000; one number names different calls per ABI', () => {
    expect(syscallNumber('i386', 'getpid')).toBe(20);
    expect(syscallNumber('x32', 'rt_sigaction')).toBe(0x40000200);
    expect(syscallNumber('x86_64', 'rt_sigaction')).toBe(13);
    expect(syscallNumber('x86', 'mkdir')).toBe(39);
    expect(syscallNumber('x86_64', 'nosuch')).toBeUndefined();
    expect(syscallNumber('x86_64', 'constructor')).toBeUndefined();
    expect(syscallNumber('vax', 'getpid')).toBeUndefined();
  });

  it('arm: the private __ARM_NR_* syscalls under libseccomp names; sync_file_range2 is an alias', () => {
    expect(syscallNumber('arm', 'breakpoint')).toBe(0xf0001);
    expect(syscallNumber('arm', 'cacheflush')).toBe(0xf0002);
    expect(syscallNumber('arm', 'usr26')).toBe(0xf0003);
    expect(syscallNumber('arm', 'usr32')).toBe(0xf0004);
    expect(syscallNumber('arm', 'set_tls')).toBe(0xf0005);
    expect(syscallNumber('arm', 'get_tls')).toBe(0xf0006);
    expect(syscallName('arm', 0xf0002)).toBe('cacheflush');
    expect(syscallNumber('arm', 'sync_file_range2')).toBe(341);
    expect(syscallName('arm', 341)).toBe('arm_sync_file_range');
    expect(syscallNumber('arm', 'BASE')).toBeUndefined();
    expect(syscallNumber('arm', 'SYSCALL_BASE')).toBeUndefined();
  });

  it('no bases or counts pass for syscalls', () => {
    for (const arch of WITH_TABLES) {
      for (const name of ['Linux', 'syscalls', 'Linux_syscalls', 'arch_specific_syscall', 'SYSCALL_MASK']) {
        expect(syscallNumber(arch, name), `${arch} ${name}`).toBeUndefined();
      }
    }
  });

  it('arch-specific syscalls sit in their own tables only', () => {
    expect(syscallNumber('riscv64', 'riscv_flush_icache')).toBe(259);
    expect(syscallNumber('aarch64', 'riscv_flush_icache')).toBeUndefined();
    expect(syscallNumber('s390x', 's390_guarded_storage')).toBe(378);
    expect(syscallNumber('ppc64le', 'switch_endian')).toBe(363);
    expect(syscallNumber('mips', 'sysmips')).toBe(4149);
    expect(syscallNumber('mips', 'cacheflush')).toBe(4147);
    expect(syscallNumber('m68k', 'cacheflush')).toBe(123);
    expect(syscallNumber('x86', 'vm86')).toBe(166);
    expect(syscallNumber('x86_64', 'arch_prctl')).toBe(158);
  });

  it('name numbers per ABI, signed or unsigned', () => {
    expect(syscallName('x86_64', 39)).toBe('getpid');
    expect(syscallName('x86', 39)).toBe('mkdir');
    expect(syscallName('x32', 0x40000027)).toBe('getpid');
    expect(syscallName('x32', 39)).toBeUndefined();
    expect(syscallName('x86_64', -1)).toBeUndefined();
    expect(syscallName('mips', 4020)).toBe('getpid');
    expect(syscallName('mips', 20)).toBeUndefined();
    expect(syscallName('aarch64', 172)).toBe('getpid');
    expect(syscallName('arm', 0xf0005 | 0)).toBe('set_tls');
  });

  it('big- and little-endian variants of one ABI share numbers', () => {
    for (const [a, b] of [['mips', 'mipsel'], ['mips64', 'mipsel64'], ['mips64n32', 'mipsel64n32'], ['ppc64', 'ppc64le'], ['sh', 'sheb']]) {
      for (const name of ['read', 'getpid', 'openat', 'seccomp', 'bpf']) expect(syscallNumber(b, name), `${b} ${name}`).toBe(syscallNumber(a, name));
    }
    expect(syscallNumber('ppc', 'getpid')).toBe(20);
    expect(syscallNumber('ppc', 'openat')).toBe(syscallNumber('ppc64', 'openat'));
    expect(syscallNumber('ppc', 'fadvise64_64')).toBe(254);
    expect(syscallNumber('ppc64', 'fadvise64_64')).toBeUndefined();
  });

  it('32- and 64-bit variants differ where the headers say so', () => {
    expect(syscallNumber('s390', 'mmap2')).toBe(192);
    expect(syscallNumber('s390x', 'mmap2')).toBeUndefined();
    expect(syscallNumber('parisc', 'clock_gettime64')).toBe(403);
    expect(syscallNumber('parisc64', 'clock_gettime64')).toBeUndefined();
    expect(syscallNumber('x86', 'socketcall')).toBe(102);
    expect(syscallNumber('x86_64', 'socketcall')).toBeUndefined();
  });
});

describe('the resolver goes by AUDIT_ARCH', () => {
  it('x86_64 numbers with the x32 bit use the x32 table', () => {
    expect(syscallResolver.name(AUDIT_ARCH_X86_64, 39)).toBe('getpid');
    expect(syscallResolver.name(AUDIT_ARCH_X86_64, 0x40000027)).toBe('getpid');
    expect(syscallResolver.name(AUDIT_ARCH_X86_64, 0x40000200)).toBe('rt_sigaction');
    expect(syscallResolver.name(AUDIT_ARCH_X86_64, 512)).toBeUndefined();
    expect(syscallResolver.name(AUDIT_ARCH_I386, 39)).toBe('mkdir');
    expect(syscallResolver.number(AUDIT_ARCH_X86_64, 'getpid')).toBe(39);
    expect(syscallResolver.number(AUDIT_ARCH_I386, 'getpid')).toBe(20);
  });

  it('names syscalls for every arch with a table', () => {
    for (const a of ARCHES) {
      const table = syscallTableArches().includes(a.name);
      const getpid = syscallNumber(a.name, 'getpid');
      if (!table) {
        expect(syscallResolver.number(a.auditArch, 'getpid'), a.name).toBeUndefined();
        continue;
      }
      expect(getpid, a.name).toBeDefined();
      expect(syscallResolver.name(a.auditArch, getpid!), a.name).toBe('getpid');
      // x32 shares AUDIT_ARCH_X86_64: by name the resolver gives the native x86_64 number.
      expect(syscallResolver.number(a.auditArch, 'getpid'), a.name).toBe(a.name === 'x32' ? 39 : getpid);
    }
    expect(syscallResolver.name(AUDIT_ARCH_AARCH64, 172)).toBe('getpid');
    expect(syscallResolver.name(AUDIT_ARCH_ARM, 0xf0002)).toBe('cacheflush');
    expect(syscallResolver.name(AUDIT_ARCH_MIPSEL64, 5038)).toBe('getpid');
    expect(syscallResolver.number(AUDIT_ARCH_AARCH64, 'open')).toBeUndefined();
    expect(syscallResolver.name(AUDIT_ARCH_LOONGARCH64, 172)).toBeUndefined();
    expect(syscallResolver.name(0x12345678, 1)).toBeUndefined();
  });
});
