// The `oci` input format: an OCI runtime-spec seccomp object (bare, or a
// whole config.json) or a Docker/moby profile, compiled through the system's
// libseccomp as runc and crun compile it, into one program for the target
// ABI that covers it and the arches the profile lists beside it (x86_64
// with x86 and x32 for Docker's default profile).
//
//   oci_json.ts     JSON with exact 64-bit integers
//   oci_profile.ts  the profile read, checked and resolved (archMap,
//                   includes/excludes) into the runtime-spec shape
//   oci_compile.ts  the libseccomp calls runc/crun make, and the export
import { release } from 'node:os';
import { LATEST_KNOWN_KERNEL, parseKernelRelease, type KernelVersion } from 'unicorn-bpf-emulator';
import { SeccheckError } from '../errors.js';
import { libseccompVersion } from '../libseccomp/library.js';
import type { LoadedFilter, LoadOptions } from './filter.js';
import { hostArch } from './host_arch.js';
import { compileSeccomp, type OciRuntime } from './oci_compile.js';
import { JsonSyntaxError, parseJson, type JsonValue } from './oci_json.js';
import { DOCKER_DEFAULT_CAPS, resolveProfile, type OciAction } from './oci_profile.js';

export { libseccompVersion };
export { DOCKER_DEFAULT_CAPS } from './oci_profile.js';
export type { OciRuntime } from './oci_compile.js';

/** Settings the runtime and the Docker daemon would take from the host and the container. */
export interface OciOptions {
  /**
   * The container's bounding capabilities, which a Docker profile's
   * includes/excludes.caps test ("CAP_SYS_ADMIN" or "sys_admin").
   * Default: Docker's default set (DOCKER_DEFAULT_CAPS).
   */
  readonly caps?: readonly string[];
  /** The kernel includes/excludes.minKernel compare with (major.minor count). Default: the running kernel. */
  readonly kernel?: KernelVersion | string;
  /**
   * Whose use of libseccomp to reproduce. "crun" (default): libseccomp's
   * defaults, as the corpus filters were built. "runc": also the binary-tree
   * optimization for more than 32 syscalls, TSYNC on and NNP off, an empty
   * syscall name refused, errnoRet on a non-errno action ignored.
   */
  readonly runtime?: OciRuntime;
  /** SCMP_FLTATR_ACT_BADARCH; default: libseccomp's (SCMP_ACT_KILL_THREAD), which neither runtime changes. */
  readonly badArchAction?: OciAction;
}

/** Compile an OCI/Docker seccomp profile read from `file` for opts.arch (default: the host's ABI). */
export function loadOci(bytes: Uint8Array, file: string, opts: LoadOptions, oci: OciOptions = {}): LoadedFilter {
  const json = readJson(bytes, file);
  const target = opts.arch ?? hostArch();
  if (!target) throw new SeccheckError(file, undefined, `cannot tell the host's seccomp ABI (Node's arch is ${process.arch}); give a target arch`);
  const caps = (oci.caps ?? DOCKER_DEFAULT_CAPS).map(normalizeCap);
  const kernel = resolveKernelOption(oci.kernel);
  const runtime = oci.runtime ?? 'crun';
  if (runtime !== 'crun' && runtime !== 'runc') throw new SeccheckError(undefined, 'runtime', `unknown runtime ${JSON.stringify(runtime)} (crun or runc)`);

  const profile = resolveProfile(json, file, { target, caps, kernel });
  let compiled;
  try {
    compiled = compileSeccomp(profile.seccomp, target, file, profile.root, { runtime, badArchAction: oci.badArchAction });
  } catch (e) {
    // "libseccomp is missing" carries no file; say which input needed it.
    if (e instanceof SeccheckError && e.file === undefined && e.place === undefined) throw new SeccheckError(file, undefined, e.problem);
    throw e;
  }

  const info: Record<string, string> = {
    libseccomp: compiled.libseccompVersion,
    runtime,
    profile: profile.kind,
    architectures: compiled.architectures.join(','),
  };
  if (profile.kind === 'docker') {
    info.kernel = `${kernel.major}.${kernel.minor}`;
    info.caps = caps.join(',');
    info.rulesLeftOut = String(profile.dropped.length);
  }
  const flags = profile.seccomp.flags ?? (runtime === 'runc' ? ['SECCOMP_FILTER_FLAG_SPEC_ALLOW'] : []);
  if (flags.length > 0) info.flags = flags.join(',');
  if (compiled.optimize === 2) info.optimize = 'binary tree';

  return {
    source: file,
    format: 'oci',
    programs: [{ thread: null, arch: target, program: compiled.program }],
    warnings: [...profile.warnings, ...compiled.warnings],
    info,
  };
}

/** True for a JSON object with defaultAction at the top level or under linux.seccomp. Never throws. */
export function looksLikeOci(bytes: Uint8Array): boolean {
  try {
    const text = new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
    if (!/^\s*\{/.test(text)) return false;
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    if (Object.prototype.hasOwnProperty.call(v, 'defaultAction')) return true;
    const linux = (v as { linux?: unknown }).linux;
    if (typeof linux !== 'object' || linux === null) return false;
    const s = (linux as { seccomp?: unknown }).seccomp;
    return typeof s === 'object' && s !== null && Object.prototype.hasOwnProperty.call(s, 'defaultAction');
  } catch {
    return false;
  }
}

function readJson(bytes: Uint8Array, file: string): JsonValue {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SeccheckError(file, undefined, 'not UTF-8 text, so not a JSON seccomp profile');
  }
  if (text.startsWith('\uFEFF')) throw new SeccheckError(file, 1, 'bad JSON: starts with a byte-order mark, which the runtimes\' JSON readers reject');
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new SeccheckError(file, e.line, `bad JSON at column ${e.column}: ${e.problem}`);
    throw e;
  }
}

function normalizeCap(c: string): string {
  const u = c.trim().toUpperCase();
  return u.startsWith('CAP_') ? u : `CAP_${u}`;
}

function resolveKernelOption(k: KernelVersion | string | undefined): KernelVersion {
  if (k === undefined) return parseKernelRelease(release()) ?? LATEST_KNOWN_KERNEL;
  if (typeof k !== 'string') return k;
  const v = parseKernelRelease(k);
  if (!v) throw new SeccheckError(undefined, 'kernel', `${JSON.stringify(k)} is not a kernel version (e.g. 6.1 or 6.8.0-45-generic)`);
  return v;
}
