// The koffi bindings to the system's libseccomp. Nothing here loads a
// filter: filters are only built and exported.
import { writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeProgram, OP } from 'unicorn-bpf-emulator';
import { SeccheckError } from '../errors.js';
import { SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_CMP_EQ } from './constants.js';
import { libseccomp, libseccompVersion, loadLibseccomp, throughTempFile } from './library.js';

describe('loading libseccomp', () => {
  it('reports its version', () => {
    expect(libseccompVersion()).toMatch(/^2\.\d+\.\d+$/);
    expect(libseccomp().version).toBe(libseccompVersion());
  });

  it('is a one-line SeccheckError naming the package when missing', () => {
    let err: unknown;
    try {
      loadLibseccomp(['/nonexistent/libseccomp.so.2']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SeccheckError);
    const m = (err as SeccheckError).message;
    expect(m).toMatch(/^libseccomp\.so\.2 not found \(looked for \/nonexistent\/libseccomp\.so\.2\).*apt-get install libseccomp2/);
    expect(m).not.toContain('\n');
  });

  it('takes the first candidate that opens', () => {
    expect(loadLibseccomp(['/nonexistent/libseccomp.so.2', 'libseccomp.so.2']).path).toBe('libseccomp.so.2');
  });
});

describe('bindings', () => {
  const lib = libseccomp();

  it('resolve arch and syscall names', () => {
    expect(lib.seccomp_arch_resolve_name('x86_64')).toBe(0xc000003e);
    expect(lib.seccomp_arch_resolve_name('aarch64')).toBe(0xc00000b7);
    expect(lib.seccomp_arch_resolve_name('x32')).toBe(0x4000003e); // libseccomp's token, not the AUDIT_ARCH
    expect(lib.seccomp_arch_resolve_name('vax')).toBe(0);
    expect(lib.seccomp_syscall_resolve_name('read')).toBeGreaterThanOrEqual(0);
    expect(lib.seccomp_syscall_resolve_name('no_such_syscall')).toBe(-1);
    if (lib.seccomp_arch_native() === 0xc000003e) {
      expect(lib.seccomp_syscall_resolve_name('openat')).toBe(257);
      expect(lib.seccomp_syscall_resolve_name('breakpoint')).toBeLessThan(-1); // ARM only: a pseudo-syscall number here
    }
  });

  it('build and export a filter as struct sock_filter bytes', () => {
    const ctx = lib.seccomp_init(SCMP_ACT_ALLOW);
    expect(ctx).not.toBeNull();
    try {
      const nr = lib.seccomp_syscall_resolve_name('read');
      expect(lib.seccomp_rule_add_array(ctx!, SCMP_ACT_ERRNO(13), nr, [{ arg: 0, op: SCMP_CMP_EQ, datum_a: 0x1_0000_0005n, datum_b: 0n }])).toBe(0);
      expect(lib.seccomp_rule_add_array(ctx!, SCMP_ACT_ERRNO(13), nr, [{ arg: 9, op: SCMP_CMP_EQ, datum_a: 0n, datum_b: 0n }])).toBe(-22);
      expect(lib.seccomp_rule_add_array(ctx!, SCMP_ACT_ALLOW, nr, [])).toBe(-13); // the default action: EACCES
      const bytes = lib.exportBpf(ctx!);
      if (typeof bytes === 'number') throw new Error(`export failed: ${bytes}`);
      const p = decodeProgram(bytes, 'little');
      expect(p[0]).toMatchObject({ code: OP.LD_W_ABS, k: 4 }); // the arch check comes first
      const ks = p.map((i) => i.k >>> 0);
      expect(ks).toContain(0x0005000d);
      expect(ks).toContain(5); // the low half of the 64-bit datum
      expect(ks).toContain(1); // and its high half
      expect(p.at(-1)?.code).toBe(OP.RET_K);
    } finally {
      lib.seccomp_release(ctx!);
    }
  });
});

describe('export without memfd_create', () => {
  it('reads back what was written to a temporary file, or passes the error on', () => {
    const lib = libseccomp();
    const ctx = lib.seccomp_init(SCMP_ACT_ALLOW)!;
    try {
      const viaMemfd = lib.exportBpf(ctx);
      expect(throughTempFile((fd) => lib.seccomp_export_bpf(ctx, fd))).toEqual(viaMemfd);
      expect(throughTempFile((fd) => writeSync(fd, new Uint8Array([1, 2, 3])) - 3)).toEqual(new Uint8Array([1, 2, 3]));
      expect(throughTempFile(() => -9)).toBe(-9);
    } finally {
      lib.seccomp_release(ctx);
    }
  });
});
