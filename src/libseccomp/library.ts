// The system's libseccomp (libseccomp.so.2) through koffi: found, loaded
// once per process, and bound to the few functions that build and export a
// filter. Nothing here installs a filter: seccomp_load is deliberately not
// bound. (libseccomp itself probes the kernel with invalid seccomp(2) calls
// that fail with EINVAL/EFAULT to learn which actions and flags it supports;
// runc and crun go through the same probes.)
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeccheckError } from '../errors.js';

type Koffi = typeof import('koffi');
type KoffiFunction = ReturnType<ReturnType<Koffi['load']>['func']>;

/** The advice every "libseccomp is missing" error carries. */
export const INSTALL_ADVICE = 'install it: apt-get install libseccomp2 (Debian/Ubuntu), dnf install libseccomp (Fedora), apk add libseccomp (Alpine)';

/** Where libseccomp.so.2 is looked for after the dynamic loader's own search. */
const LIBRARY_DIRS = [
  '/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu', '/lib/aarch64-linux-gnu',
  '/usr/lib64', '/lib64', '/usr/lib', '/lib', '/usr/local/lib',
];

const SONAME = 'libseccomp.so.2';

/** struct scmp_arg_cmp as koffi passes it. */
export interface ScmpArgCmp {
  readonly arg: number;
  readonly op: number;
  readonly datum_a: bigint;
  readonly datum_b: bigint;
}

/** An opaque scmp_filter_ctx. */
export type ScmpFilterCtx = object;

/** The bound functions; each returns what the C function returns (0 or -errno for int results). */
export interface Libseccomp {
  /** The file that was loaded (or the soname the dynamic loader resolved). */
  readonly path: string;
  /** seccomp_version(), "2.5.4". */
  readonly version: string;
  seccomp_init(defAction: number): ScmpFilterCtx | null;
  seccomp_release(ctx: ScmpFilterCtx): void;
  seccomp_arch_native(): number;
  /** 0 when libseccomp does not know the name. */
  seccomp_arch_resolve_name(name: string): number;
  seccomp_arch_add(ctx: ScmpFilterCtx, archToken: number): number;
  seccomp_arch_remove(ctx: ScmpFilterCtx, archToken: number): number;
  seccomp_attr_set(ctx: ScmpFilterCtx, attr: number, value: number): number;
  /** The native arch's number, a negative pseudo-syscall number, or __NR_SCMP_ERROR (-1). */
  seccomp_syscall_resolve_name(name: string): number;
  seccomp_rule_add_array(ctx: ScmpFilterCtx, action: number, syscall: number, args: readonly ScmpArgCmp[]): number;
  /** Writes the program to an open file descriptor. */
  seccomp_export_bpf(ctx: ScmpFilterCtx, fd: number): number;
  /**
   * The filter as raw struct sock_filter bytes in the filter's byte order,
   * through seccomp_export_bpf into a memfd (a temporary file where
   * memfd_create is missing). seccomp_export_bpf_mem would save the fd but
   * only exists from libseccomp 2.6.0; this path works on every version.
   * Returns -errno on failure.
   */
  exportBpf(ctx: ScmpFilterCtx): Uint8Array | number;
}

let cached: Libseccomp | SeccheckError | undefined;

/**
 * The system's libseccomp, loaded on first use. $SECCHECK_LIBSECCOMP names
 * the file to load instead of searching. A missing library is a
 * SeccheckError that says which package to install.
 */
export function libseccomp(): Libseccomp {
  if (cached === undefined) {
    const explicit = process.env.SECCHECK_LIBSECCOMP;
    const candidates = explicit ? [explicit] : [SONAME, ...LIBRARY_DIRS.map((d) => join(d, SONAME))];
    const where = explicit ? `$SECCHECK_LIBSECCOMP is ${explicit}` : "looked in the dynamic loader's path, /usr/lib*, /lib* and /usr/local/lib";
    try {
      cached = loadLibseccomp(candidates, where);
    } catch (e) {
      if (!(e instanceof SeccheckError)) throw e;
      cached = e;
    }
  }
  if (cached instanceof SeccheckError) throw cached;
  return cached;
}

/** libseccomp's version, "2.5.4"; a SeccheckError with install advice when it is missing. */
export function libseccompVersion(): string {
  return libseccomp().version;
}

/** Load libseccomp from the first candidate that opens; `where` describes the search in the error (exported for tests). */
export function loadLibseccomp(candidates: readonly string[], where = `looked for ${candidates.join(', ')}`): Libseccomp {
  const koffi = requireKoffi();
  let lib: ReturnType<Koffi['load']> | undefined;
  let path = '';
  for (const c of candidates) {
    try {
      lib = koffi.load(c);
      path = c;
      break;
    } catch {
      // try the next one
    }
  }
  if (lib === undefined) {
    throw new SeccheckError(undefined, undefined, `${SONAME} not found (${where}); the oci format compiles through the system's libseccomp, ${INSTALL_ADVICE}`);
  }
  const l = lib;
  const bind = (name: string, make: () => KoffiFunction): KoffiFunction => {
    try {
      return make();
    } catch {
      throw new SeccheckError(undefined, undefined, `${path} lacks ${name}: seccheck needs libseccomp 2.3 or newer, ${INSTALL_ADVICE}`);
    }
  };
  const fn = (proto: string): KoffiFunction => bind(/(\w+)\(/.exec(proto)?.[1] ?? proto, () => l.func(proto));

  const versionType = koffi.struct({ major: 'uint', minor: 'uint', micro: 'uint' });
  const seccomp_version = bind('seccomp_version', () => l.func('seccomp_version', koffi.pointer(versionType), []));
  const argCmp = koffi.struct({ arg: 'uint', op: 'int', datum_a: 'uint64_t', datum_b: 'uint64_t' });
  const seccomp_init = fn('void *seccomp_init(uint32_t def_action)');
  const seccomp_release = fn('void seccomp_release(void *ctx)');
  const seccomp_arch_native = fn('uint32_t seccomp_arch_native(void)');
  const seccomp_arch_resolve_name = fn('uint32_t seccomp_arch_resolve_name(const char *arch_name)');
  const seccomp_arch_add = fn('int seccomp_arch_add(void *ctx, uint32_t arch_token)');
  const seccomp_arch_remove = fn('int seccomp_arch_remove(void *ctx, uint32_t arch_token)');
  const seccomp_attr_set = fn('int seccomp_attr_set(void *ctx, int attr, uint32_t value)');
  const seccomp_syscall_resolve_name = fn('int seccomp_syscall_resolve_name(const char *name)');
  const seccomp_rule_add_array = bind('seccomp_rule_add_array', () => l.func('seccomp_rule_add_array', 'int', ['void *', 'uint32_t', 'int', 'uint', koffi.pointer(argCmp)]));
  const seccomp_export_bpf = fn('int seccomp_export_bpf(void *ctx, int fd)');

  const v = koffi.decode(seccomp_version(), versionType) as { major: number; minor: number; micro: number };
  const version = `${v.major}.${v.minor}.${v.micro}`;

  const exportBpf = (ctx: ScmpFilterCtx): Uint8Array | number => exportThroughFd(koffi, (fd) => seccomp_export_bpf(ctx, fd) as number);

  return {
    path,
    version,
    seccomp_init: (a) => (seccomp_init(a >>> 0) as ScmpFilterCtx | null) ?? null,
    seccomp_release: (ctx) => void seccomp_release(ctx),
    seccomp_arch_native: () => (seccomp_arch_native() as number) >>> 0,
    seccomp_arch_resolve_name: (name) => (seccomp_arch_resolve_name(name) as number) >>> 0,
    seccomp_arch_add: (ctx, token) => seccomp_arch_add(ctx, token >>> 0) as number,
    seccomp_arch_remove: (ctx, token) => seccomp_arch_remove(ctx, token >>> 0) as number,
    seccomp_attr_set: (ctx, attr, value) => seccomp_attr_set(ctx, attr, value >>> 0) as number,
    seccomp_syscall_resolve_name: (name) => seccomp_syscall_resolve_name(name) as number,
    seccomp_rule_add_array: (ctx, action, syscall, args) =>
      seccomp_rule_add_array(ctx, action >>> 0, syscall, args.length, args.length === 0 ? null : args.map((a) => ({ ...a }))) as number,
    seccomp_export_bpf: (ctx, fd) => seccomp_export_bpf(ctx, fd) as number,
    exportBpf,
  };
}

function requireKoffi(): Koffi {
  try {
    return createRequire(import.meta.url)('koffi') as Koffi;
  } catch (e) {
    throw new SeccheckError(undefined, undefined, `cannot load koffi, the FFI library the oci format calls libseccomp through: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

let libc: { memfd_create?: KoffiFunction } | undefined;

/** Run `write(fd)` on a memfd (or a temporary file) and return what it wrote, or its negative result. */
function exportThroughFd(koffi: Koffi, write: (fd: number) => number): Uint8Array | number {
  if (libc === undefined) {
    libc = {};
    try {
      libc.memfd_create = koffi.load(null).func('int memfd_create(const char *name, unsigned int flags)');
    } catch {
      // glibc < 2.27 or another libc: fall back to a temporary file
    }
  }
  const MFD_CLOEXEC = 1;
  const memfd = libc.memfd_create ? (libc.memfd_create('seccheck-bpf', MFD_CLOEXEC) as number) : -1;
  if (memfd >= 0) return writeAndRead(memfd, write);
  return throughTempFile(write);
}

/** Run `write(fd)` on a fresh temporary file and return what it wrote (the fallback without memfd_create; exported for tests). */
export function throughTempFile(write: (fd: number) => number): Uint8Array | number {
  const dir = mkdtempSync(join(tmpdir(), 'seccheck-bpf-'));
  try {
    return writeAndRead(openSync(join(dir, 'filter.bpf'), 'w+', 0o600), write);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeAndRead(fd: number, write: (fd: number) => number): Uint8Array | number {
  try {
    const rc = write(fd);
    if (rc < 0) return rc;
    const size = fstatSync(fd).size;
    const out = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, out, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return out.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}
