// The qemu-system machines of the vm:ARCH engines: which qemu, kernel and
// cross-built probe each uses, and where `npm run setup:vm` caches kernels
// (scripts/setup-vm.sh; same SECCHECK_CACHE rule).
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeccheckError } from '../../src/errors.js';

export type VmArch = 'aarch64' | 'x86_64';

/** Everything needed to boot one arch's VM. */
export interface VmMachine {
  readonly arch: VmArch;
  /** Node's name for the guest arch, for the kernel engine's skip rules (kernelSkipReason). */
  readonly nodeArch: 'arm64' | 'x64';
  readonly endian: 'little' | 'big';
  readonly qemu: string;
  /** The kernel image qemu boots (resolved path) and its Debian package and version. */
  readonly kernel: string;
  readonly kernelPackage: string;
  readonly kernelVersion: string;
  /** The kernel's release as uname shows it (the package name without "linux-image-"). */
  readonly release: string;
  /** The static probe, /init of the initramfs. */
  readonly probe: string;
  /** qemu's arguments before -kernel/-initrd/-append. */
  readonly qemuArgs: readonly string[];
  /** The kernel command line (the probe's init mode needs seccheck.vm=1). */
  readonly append: string;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// From dist/containers/vm the sources' native/build is two levels further up.
const nativeBuild = (): string => [join(repoRoot, 'native', 'build'), join(repoRoot, '..', 'native', 'build')].find((d) => existsSync(d)) ?? join(repoRoot, 'native', 'build');

/** ${SECCHECK_CACHE:-~/.cache/seccheck}/vm, as scripts/setup-vm.sh writes it. */
export function vmCacheDir(): string {
  return join(process.env.SECCHECK_CACHE || join(homedir(), '.cache', 'seccheck'), 'vm');
}

const fail = (arch: VmArch, problem: string): never => {
  throw new SeccheckError(undefined, `vm:${arch}`, problem);
};

/** The cached kernel of a Debian arch (arm64, amd64): path, package, version. */
function cachedKernel(arch: VmArch, debArch: string): { kernel: string; kernelPackage: string; kernelVersion: string; release: string } {
  const cache = vmCacheDir();
  const link = join(cache, `kernel-${debArch}`);
  if (!existsSync(link)) fail(arch, `no ${debArch} kernel in ${cache}; run npm run setup:vm`);
  const [kernelPackage = '', kernelVersion = ''] = readFileSync(join(cache, `kernel-${debArch}.version`), 'utf8').trim().split(/\s+/);
  return { kernel: realpathSync(link), kernelPackage, kernelVersion, release: kernelPackage.replace(/^linux-image-/, '') };
}

/** The host's TSC rate in kHz ("cpu MHz" of /proc/cpuinfo), or null. */
function hostKhz(): number | null {
  try {
    const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? Math.round(Number(m[1]) * 1000) : null;
  } catch {
    return null;
  }
}

// loglevel=1: kernel messages would otherwise interleave with the answers on the one serial line.
// -no-reboot: a panic (panic=-1) ends qemu instead of booting again.
const COMMON_APPEND = 'panic=-1 seccheck.vm=1 quiet loglevel=1';

/** The machine for `arch`, or a one-line SeccheckError naming what is missing and the command that provides it. */
export function vmMachine(arch: VmArch): VmMachine {
  if (arch === 'aarch64') {
    const probe = join(nativeBuild(), 'aarch64', 'seccheck-probe');
    const k = cachedKernel(arch, 'arm64');
    if (!existsSync(probe)) fail(arch, `no aarch64 probe at ${probe}; run node native/build.mjs --target aarch64`);
    return {
      arch, nodeArch: 'arm64', endian: 'little', qemu: 'qemu-system-aarch64', ...k, probe,
      // cortex-a57: a plain ARMv8.0 CPU that TCG emulates quickly.
      qemuArgs: ['-M', 'virt', '-cpu', 'cortex-a57', '-m', '512', '-nographic', '-nic', 'none', '-no-reboot'],
      append: `console=ttyAMA0 ${COMMON_APPEND}`,
    };
  }
  if (arch === 'x86_64') {
    // The host's own static build (native/build.mjs); cross-building it from another host is not wired.
    if (process.arch !== 'x64') fail(arch, `needs an x86_64 host for its probe (this is ${process.arch})`);
    const probe = join(nativeBuild(), 'seccheck-probe');
    const k = cachedKernel(arch, 'amd64');
    let linked = '';
    try {
      linked = (JSON.parse(readFileSync(join(nativeBuild(), 'status.json'), 'utf8')) as { executable?: string }).executable ?? '';
    } catch {
      // reported below
    }
    if (!existsSync(probe) || linked !== 'static') fail(arch, `no static x86_64 probe at ${probe}; run node native/build.mjs (needs libc6-dev's libc.a)`);
    const khz = hostKhz();
    return {
      arch, nodeArch: 'x64', endian: 'little', qemu: 'qemu-system-x86_64', ...k, probe,
      // q35, not microvm (which can hang calibrating its clock on a busy host); the kernel is the plain vmlinux setup-vm extracts.
      qemuArgs: ['-M', 'q35', '-m', '512', '-nographic', '-nic', 'none', '-no-reboot'],
      // syscall.x32=y: Debian's kernel then runs x32 syscalls; tsc_early_khz: skips TSC calibration, which can hang under TCG.
      append: `console=ttyS0 ${COMMON_APPEND} syscall.x32=y${khz ? ` tsc_early_khz=${khz}` : ''}`,
    };
  }
  return fail(arch, 'unknown VM arch (aarch64, x86_64)');
}
