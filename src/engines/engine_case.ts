// From a seccomp_data to the case an engine makes: which ABI's syscall it is.
import { __X32_SYSCALL_BIT, archesByAuditArch, type SeccompData } from 'unicorn-bpf-emulator';
import type { EngineCase } from './engine.js';

/**
 * The engine case for `d`, or undefined when its arch word is no ABI
 * seccheck knows (no kernel can make it). AUDIT_ARCH_X86_64 with the x32 bit
 * in nr is an x32 call. `ip` is the case's instruction pointer: a stack that
 * never loads it cannot tell one from another, and the kernel fills it with
 * the probe's own.
 */
export function engineCaseOf(d: SeccompData, ip: bigint = d.instruction_pointer): EngineCase | undefined {
  const abis = archesByAuditArch(d.arch);
  const x32 = (d.nr & __X32_SYSCALL_BIT) !== 0 ? abis.find((a) => a.nrBits === __X32_SYSCALL_BIT) : undefined;
  const arch = x32 ?? abis.find((a) => a.nrBits === 0);
  return arch === undefined ? undefined : { arch, nr: d.nr | 0, args: d.args, ip };
}
