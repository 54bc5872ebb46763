// The kernel probe's shared library (native/build/libseccheck_probe.so),
// loaded once per process through koffi. native/build.mjs writes
// native/build/status.json next to it: {"ok": true} after a good build, or
// {"ok": false, "reason": "..."} when the probe could not be built. Every
// binding module (install.ts, features.ts, probe.ts) binds its own
// functions from `lib`; nothing here calls into the library.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errnoName as archErrnoName } from '../src/arch/errno.js';
import { SeccheckError } from '../src/errors.js';
import { hostArch } from '../src/formats/host_arch.js';

export type Koffi = typeof import('koffi');
export type KoffiLibrary = ReturnType<Koffi['load']>;
export type KoffiFunction = ReturnType<KoffiLibrary['func']>;

export interface ProbeLibrary {
  readonly lib: KoffiLibrary;
  readonly koffi: Koffi;
  /** The file that was loaded. */
  readonly path: string;
}

export type ProbeLibraryResult = ProbeLibrary | { readonly unavailable: string };

const LIBRARY = 'libseccheck_probe.so';
const BUILD_ADVICE = 'build it with `node native/build.mjs` (in a project that installed seccheck: `node node_modules/seccheck/native/build.mjs`; it needs a C compiler: apt-get install build-essential)';

/**
 * native/build, found from this module whether it runs from source
 * (native/library.ts) or from the build (dist/native/library.js).
 * $SECCHECK_PROBE_DIR names another directory.
 */
export function probeBuildDir(): string {
  if (process.env.SECCHECK_PROBE_DIR) return process.env.SECCHECK_PROBE_DIR;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'build'), join(here, '..', '..', 'native', 'build')];
  return candidates.find((d) => existsSync(join(d, 'status.json')) || existsSync(join(d, LIBRARY))) ?? candidates[0];
}

/** The static executable (native/build/seccheck-probe), or null when it was not built. */
export function probeExecutablePath(): string | null {
  const p = join(probeBuildDir(), 'seccheck-probe');
  return existsSync(p) ? p : null;
}

const cache = new Map<string, ProbeLibraryResult>();

/**
 * The probe library, or `{ unavailable }` with one line that says why and
 * what to do about it. Loaded on first use and cached (per build
 * directory, so that $SECCHECK_PROBE_DIR can point elsewhere).
 */
export function loadProbeLibrary(): ProbeLibraryResult {
  const dir = probeBuildDir();
  let r = cache.get(dir);
  if (r === undefined) {
    r = load(dir);
    cache.set(dir, r);
  }
  return r;
}

/** The reason the probe library is unavailable, or null when it loads. */
export function probeUnavailable(): string | null {
  const r = loadProbeLibrary();
  return 'unavailable' in r ? r.unavailable : null;
}

/** The kernel probe cannot be used here; the message says why and what to install (the CLI prints it and exits 2). */
export class KernelProbeUnavailableError extends SeccheckError {
  constructor(readonly reason: string) {
    super(undefined, undefined, reason);
    this.name = 'KernelProbeUnavailableError';
  }
}

/** The probe library, or a KernelProbeUnavailableError. */
export function requireProbeLibrary(): ProbeLibrary {
  const r = loadProbeLibrary();
  if ('unavailable' in r) throw new KernelProbeUnavailableError(r.unavailable);
  return r;
}

// Linux has several names for some numbers; the kernel's seccomp code uses these.
const PREFERRED_ERRNO_NAMES: Readonly<Record<number, string>> = { 11: 'EAGAIN', 35: 'EDEADLK', 95: 'EOPNOTSUPP' };
let errnoNames: Map<number, string> | undefined;

/**
 * The Linux name of an errno value ('EINVAL' for 22), named as the emulator
 * names it — from the host arch's errno table first (os.constants lacks some,
 * such as EUCLEAN) — so the two engines' names compare; 'errno <n>' for a
 * number without one, again as the emulator writes it.
 */
export function errnoName(n: number): string {
  const fromTable = archErrnoName(n, hostArch()?.name);
  if (fromTable !== undefined) return fromTable;
  if (errnoNames === undefined) {
    errnoNames = new Map();
    for (const [name, value] of Object.entries(osConstants.errno)) if (!errnoNames.has(value)) errnoNames.set(value, name);
    for (const [value, name] of Object.entries(PREFERRED_ERRNO_NAMES)) errnoNames.set(Number(value), name);
  }
  return errnoNames.get(n) ?? `errno ${n}`;
}

function load(dir: string): ProbeLibraryResult {
  if (process.platform !== 'linux') return { unavailable: `the kernel probe needs Linux (this is ${process.platform})` };
  const statusFile = join(dir, 'status.json');
  let status: { ok?: boolean; reason?: string };
  try {
    status = JSON.parse(readFileSync(statusFile, 'utf8')) as { ok?: boolean; reason?: string };
  } catch {
    return { unavailable: `the kernel probe is not built (no ${statusFile}): ${BUILD_ADVICE}` };
  }
  if (status.ok !== true) {
    return { unavailable: `the kernel probe was not built: ${status.reason ?? 'unknown reason'}; ${BUILD_ADVICE}` };
  }
  const path = join(dir, LIBRARY);
  if (!existsSync(path)) return { unavailable: `${path} is missing although the build reported success: ${BUILD_ADVICE}` };
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (e) {
    return { unavailable: `cannot load koffi, the FFI library the kernel probe is called through: ${firstLine(e)}; reinstall seccheck's dependencies (npm install)` };
  }
  try {
    return { lib: koffi.load(path), koffi, path };
  } catch (e) {
    return { unavailable: `cannot load ${path}: ${firstLine(e)}; rebuild it: ${BUILD_ADVICE}` };
  }
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0];
