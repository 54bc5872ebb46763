// The emulated kernel's version. Most of seccomp has not changed since 5.x;
// what has (SEMANTICS Appendix B) is switched on the version here.

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** The newest kernel whose behaviour SEMANTICS.md was checked against. */
export const LATEST_KNOWN_KERNEL: KernelVersion = { major: 6, minor: 18, patch: 44 };

/** Parse "6.18.44-fc-v657", "6.1", "v6.14.2" into a version; null if it is not one. */
export function parseKernelRelease(release: string): KernelVersion | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? 0 : Number(m[3]) };
}

export function compareKernel(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export const formatKernel = (v: KernelVersion): string => `${v.major}.${v.minor}.${v.patch}`;

const AUDIT_ARCH_X86_64 = 0xc000003e;
const NR_URETPROBE = 335;
const NR_UPROBE = 336;

/**
 * x86_64 syscalls that seccomp_is_const_allow reports as always allowed, so
 * they skip every filter (SEMANTICS §4.8): uretprobe since 6.14, uprobe
 * since 6.18. Stable backports can move these lines; pass an explicit
 * `bypass` list to the stack evaluator when your kernel differs.
 */
export function filterBypassSyscalls(v: KernelVersion): { arch: number; nr: number }[] {
  const out: { arch: number; nr: number }[] = [];
  if (compareKernel(v, { major: 6, minor: 14, patch: 0 }) >= 0) out.push({ arch: AUDIT_ARCH_X86_64, nr: NR_URETPROBE });
  if (compareKernel(v, { major: 6, minor: 18, patch: 0 }) >= 0) out.push({ arch: AUDIT_ARCH_X86_64, nr: NR_UPROBE });
  return out;
}
