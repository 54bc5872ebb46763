// What this kernel's seccomp offers, as the probe library sees it
// (native/src/features.c): release, SECCOMP_GET_ACTION_AVAIL per action,
// the filter flags it knows, the /proc/sys/kernel/seccomp files, the
// notification struct sizes, and whether x32 and i386 (int $0x80) system
// calls work. Nothing is installed anywhere.
import { endianness } from 'node:os';
import { errnoName, requireProbeLibrary, type KoffiFunction } from './library.js';

const LITTLE = endianness() === 'LE';

/** The values probed with SECCOMP_GET_ACTION_AVAIL, in the library's order (SC_FEATURE_ACTION_VALUES). */
export const FEATURE_ACTIONS: readonly { readonly name: string; readonly value: number }[] = [
  { name: 'kill_process', value: 0x80000000 },
  { name: 'kill_thread', value: 0x00000000 },
  { name: 'trap', value: 0x00030000 },
  { name: 'errno', value: 0x00050000 },
  { name: 'user_notif', value: 0x7fc00000 },
  { name: 'trace', value: 0x7ff00000 },
  { name: 'log', value: 0x7ffc0000 },
  { name: 'allow', value: 0x7fff0000 },
  { name: '0x7ffe0000', value: 0x7ffe0000 }, // not an action: EOPNOTSUPP
  { name: '0x00050001', value: 0x00050001 }, // ERRNO with data: EOPNOTSUPP
];

/** SECCOMP_FILTER_FLAG_* by bit (include/uapi/linux/seccomp.h, 6.18). */
export const FILTER_FLAG_NAMES: readonly string[] = ['TSYNC', 'LOG', 'SPEC_ALLOW', 'NEW_LISTENER', 'TSYNC_ESRCH', 'WAIT_KILLABLE_RECV'];

/** How a system call of another ABI fared in a child without filters. */
export type AbiProbe =
  | { readonly state: 'works'; readonly ret: number }        // returned the child's pid
  | { readonly state: 'refused'; readonly errno: string }    // returned -errno (ENOSYS: the ABI is compiled out or disabled)
  | { readonly state: 'returned'; readonly ret: number }     // returned something else
  | { readonly state: 'signalled'; readonly signal: number } // the child died of this signal (e.g. SIGSEGV: no IA32 emulation)
  | { readonly state: 'failed'; readonly errno: string }     // the probe itself failed
  | { readonly state: 'not_applicable' };                    // not an x86_64 machine

export interface KernelFeatures {
  /** uname: release and machine. */
  readonly release: string;
  readonly machine: string;
  /** seccomp(2) itself: null when it answers, else the errno ('ENOSYS' without CONFIG_SECCOMP_FILTER). */
  readonly seccompErrno: string | null;
  /** SECCOMP_GET_ACTION_AVAIL of each FEATURE_ACTIONS value: null = available, else the errno name. */
  readonly actionAvail: readonly { readonly name: string; readonly value: number; readonly errno: string | null }[];
  /** Filter flag bits that got past the flag checks (bit i of SECCOMP_FILTER_FLAG_*). */
  readonly flags: number;
  /** Names of those bits; unknown bits as '1<<i'. */
  readonly flagNames: readonly string[];
  /** /proc/sys/kernel/seccomp/actions_avail and actions_logged, split into words; null when unreadable. */
  readonly actionsAvail: readonly string[] | null;
  readonly actionsLogged: readonly string[] | null;
  /** SECCOMP_GET_NOTIF_SIZES; null when the call fails (notifSizesErrno says why). */
  readonly notifSizes: { readonly seccompNotif: number; readonly seccompNotifResp: number; readonly seccompData: number } | null;
  readonly notifSizesErrno: string | null;
  /** x32 getpid (rax = 0x40000000|39) and i386 getpid (int $0x80, eax = 20) in a child without filters. */
  readonly x32: AbiProbe;
  readonly i386: AbiProbe;
  /** The calling process: "Seccomp:", "Seccomp_filters:", "NoNewPrivs:" of /proc/self/status (null if unknown). A mode of 2 means an outer filter (a container's) also applies to every probe. */
  readonly self: { readonly seccompMode: number | null; readonly seccompFilters: number | null; readonly noNewPrivs: boolean | null };
}

let sc_features: KoffiFunction | undefined;
let boundTo: object | undefined;

/** struct sc_features: byte offsets (native/src/probe.h). */
const OFF = {
  x32Ret: 0, i386Ret: 8, x32State: 16, i386State: 20, x32Pid: 24, i386Pid: 28, seccompErr: 32, actionErr: 36,
  flagsSupported: 76, flagErr: 80, notifSizesErr: 208, notifSizes: 212, selfMode: 220, selfFilters: 224, selfNnp: 228,
  availErr: 232, loggedErr: 236, release: 240, machine: 368, actionsAvail: 432, actionsLogged: 688, size: 944,
} as const;

/**
 * Probe the running kernel. Throws KernelProbeUnavailableError when the
 * probe library is not built.
 */
export function kernelFeatures(opts: { readonly timeoutMs?: number } = {}): KernelFeatures {
  const { lib } = requireProbeLibrary();
  if (!sc_features || boundTo !== lib) {
    sc_features = lib.func('int32_t sc_features(uint32_t timeout_ms, void *out)');
    boundTo = lib;
  }
  const buf = new Uint8Array(OFF.size);
  const r = sc_features(opts.timeoutMs ?? 0, buf) as number;
  if (r < 0) throw new Error(`the kernel probe failed: ${errnoName(-r)}`);
  return decodeFeatures(buf);
}

/** Decode a struct sc_features (native byte order); exported for the static probe's tests. */
export function decodeFeatures(buf: Uint8Array): KernelFeatures {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const i32 = (off: number): number => view.getInt32(off, LITTLE);
  const i64 = (off: number): number => Number(view.getBigInt64(off, LITTLE));
  const str = (off: number, cap: number): string => {
    const bytes = buf.subarray(off, off + cap);
    const end = bytes.indexOf(0);
    return new TextDecoder().decode(bytes.subarray(0, end < 0 ? cap : end));
  };
  const errOrNull = (e: number): string | null => (e === 0 ? null : errnoName(e < 0 ? -e : e));
  const seccompErr = i32(OFF.seccompErr);
  const flags = seccompErr === 0 ? view.getUint32(OFF.flagsSupported, LITTLE) : 0;
  const flagNames: string[] = [];
  for (let bit = 0; bit < 32; bit++) if (flags & (1 << bit)) flagNames.push(FILTER_FLAG_NAMES[bit] ?? `1<<${bit}`);
  const words = (s: string): string[] => s.split(/\s+/).filter((w) => w.length > 0);
  const notifErr = i32(OFF.notifSizesErr);
  const optInt = (v: number): number | null => (v < 0 ? null : v);
  const nnp = i32(OFF.selfNnp);
  return {
    release: str(OFF.release, 128),
    machine: str(OFF.machine, 64),
    seccompErrno: errOrNull(seccompErr),
    actionAvail: FEATURE_ACTIONS.map((a, i) => ({ ...a, errno: seccompErr === 0 ? errOrNull(i32(OFF.actionErr + 4 * i)) : errOrNull(seccompErr) })),
    flags,
    flagNames,
    actionsAvail: i32(OFF.availErr) === 0 ? words(str(OFF.actionsAvail, 256)) : null,
    actionsLogged: i32(OFF.loggedErr) === 0 ? words(str(OFF.actionsLogged, 256)) : null,
    notifSizes: seccompErr === 0 && notifErr === 0
      ? { seccompNotif: view.getUint16(OFF.notifSizes, LITTLE), seccompNotifResp: view.getUint16(OFF.notifSizes + 2, LITTLE), seccompData: view.getUint16(OFF.notifSizes + 4, LITTLE) }
      : null,
    notifSizesErrno: seccompErr !== 0 ? errOrNull(seccompErr) : errOrNull(notifErr),
    x32: abiProbe(i32(OFF.x32State), i64(OFF.x32Ret), i32(OFF.x32Pid)),
    i386: abiProbe(i32(OFF.i386State), i64(OFF.i386Ret), i32(OFF.i386Pid)),
    self: { seccompMode: optInt(i32(OFF.selfMode)), seccompFilters: optInt(i32(OFF.selfFilters)), noNewPrivs: nnp < 0 ? null : nnp !== 0 },
  };
}

function abiProbe(state: number, ret: number, pid: number): AbiProbe {
  switch (state) {
    case 1:
      if (ret === pid) return { state: 'works', ret };
      if (ret < 0 && ret >= -4095) return { state: 'refused', errno: errnoName(-ret) };
      return { state: 'returned', ret };
    case 2:
      return { state: 'signalled', signal: ret };
    case 3:
      return { state: 'failed', errno: errnoName(-ret) };
    default:
      return { state: 'not_applicable' };
  }
}
