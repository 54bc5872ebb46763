// Which cases the running kernel can produce. The kernel engine makes real
// syscalls, so a case is skipped only when this kernel cannot make the
// filter see that seccomp_data:
// - an ABI this kernel does not run: an x86_64 kernel runs x86_64 (native
//   `syscall`), x86 (`int 0x80`: AUDIT_ARCH_I386, full 64-bit argument
//   registers) and x32 (native `syscall` with the x32 bit in nr); an aarch64
//   kernel runs aarch64; every other arch is skipped;
// - a non-zero instruction_pointer: the kernel fills it with the probe's own
//   user IP;
// - (for the same reason) a stack that loads instruction_pointer at all
//   (LD [8] or LD [12]): the filter would see the probe's IP, not the case's.
// The probe adds skips of its own, for what it cannot show without really
// running the syscall (native/probe.ts: uretprobe/uprobe; an action weaker
// than TRACE from a stack that can return an unknown action there).
import { __X32_SYSCALL_BIT, OP, type Program } from 'unicorn-bpf-emulator';
import type { EngineCase } from './engine.js';

/** How the probe makes a syscall: the KernelCase ABI. */
export type KernelAbi = 'native' | 'i386' | 'x32';

/**
 * libseccomp arch name -> probe ABI, per kernel (Node's process.arch). The
 * guarded probe is written for x86_64 today; on other kernels the kernel
 * engine is unavailable (kernelAvailability) before these rules matter.
 */
const RUNNABLE: Readonly<Record<string, Readonly<Record<string, KernelAbi>>>> = {
  x64: { x86_64: 'native', x86: 'i386', x32: 'x32' },
  arm64: { aarch64: 'native' },
};

/** The kernel's own arch name, for messages. */
const KERNEL_NAME: Readonly<Record<string, string>> = { x64: 'x86_64', arm64: 'aarch64' };

/** The probe ABI for a case's arch on this kernel, or undefined if this kernel cannot run it. */
export function kernelAbi(archName: string, nodeArch: string = process.arch): KernelAbi | undefined {
  const table = RUNNABLE[nodeArch];
  return table !== undefined && Object.hasOwn(table, archName) ? table[archName] : undefined;
}

/**
 * The probe ABI for a case this kernel can run (kernelSkipReason null). An
 * x32 case whose nr lacks the x32 bit is the same seccomp_data as a native
 * one (AUDIT_ARCH_X86_64, that nr, made with the same `syscall`
 * instruction), so it is made as a native case: the probe's rules for native
 * numbers (uretprobe/uprobe) then apply to it too.
 */
export function probeAbi(c: EngineCase, nodeArch: string = process.arch): KernelAbi {
  const abi = kernelAbi(c.arch.name, nodeArch);
  if (abi === undefined) throw new Error(`probeAbi: ${c.arch.name} is not runnable on ${nodeArch}`);
  return abi === 'x32' && (c.nr & __X32_SYSCALL_BIT) === 0 ? 'native' : abi;
}

/** Does any program of the stack load seccomp_data.instruction_pointer (offsets 8 and 12)? */
export function stackReadsInstructionPointer(stack: readonly Program[]): boolean {
  return stack.some((p) => p.some((i) => i.code === OP.LD_W_ABS && (i.k === 8 || i.k === 12)));
}

/**
 * Why the kernel engine cannot run `c` under `stack` on this kernel, or null
 * when it can. `readsIp` is stackReadsInstructionPointer(stack), computed
 * once per stack by the caller.
 */
export function kernelSkipReason(c: EngineCase, readsIp: boolean, nodeArch: string = process.arch): string | null {
  if (kernelAbi(c.arch.name, nodeArch) === undefined) {
    const kernel = KERNEL_NAME[nodeArch] ?? `${nodeArch} (no probe ABI)`;
    return `${c.arch.name} syscalls cannot be made on this ${kernel} kernel`;
  }
  if (c.ip !== 0n) return `ip 0x${c.ip.toString(16)}: the kernel fills instruction_pointer itself`;
  if (readsIp) return 'the filter reads instruction_pointer, which the kernel fills itself';
  return null;
}
