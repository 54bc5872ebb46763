// What matchesPolicy needs from a policy interpreter: the action the policy
// prescribes for one seccomp_data, and the policy's own constants (syscall
// numbers, argument values and masks) to bias the generated data with.
import { archByName, formatAction, type ArchInfo, type SeccompData } from 'unicorn-bpf-emulator';
import { syscallName } from '../../src/arch/syscalls.js';

export interface PolicyVerdict {
  /** The kernel's 32-bit SECCOMP_RET value the policy prescribes. */
  readonly raw: number;
  /** Which part of the policy decided, for the counterexample message. */
  readonly why: string;
}

export interface PolicyModel {
  /** The ABI the policy is evaluated for. */
  readonly arch: ArchInfo;
  /** seccomp_data.nr values the policy names on that ABI. */
  readonly syscalls: readonly number[];
  /** Per argument index 0..5, the values and masks the policy compares it with. */
  readonly constants: readonly (readonly bigint[])[];
  evaluate(data: SeccompData): PolicyVerdict;
}

/** The policy prescribes nothing for this input: its rules overlap in a way the format leaves unspecified. */
export class PolicyUnspecifiedError extends Error {}

export const U64 = (1n << 64n) - 1n;
export const LO32 = 0xffffffffn;

/** Empty per-index constant lists, to push into. */
export function noConstants(): bigint[][] {
  return Array.from({ length: 6 }, () => []);
}

/** "nr 0 (read), arch AUDIT_ARCH_X86_64, args [0x1, ...], ip 0x0": a seccomp_data for people. */
export function formatSeccompData(d: SeccompData, abi: ArchInfo): string {
  const hex = (v: bigint): string => `0x${v.toString(16)}`;
  const nrU = d.nr >>> 0;
  const name = d.arch >>> 0 === abi.auditArch ? syscallNameOn(abi, nrU) : undefined;
  const arch = (d.arch >>> 0) === abi.auditArch ? abi.constant : `0x${(d.arch >>> 0).toString(16)}`;
  return `{nr ${d.nr | 0}${name ? ` (${name})` : ''}, arch ${arch}, args [${d.args.map(hex).join(', ')}], ip ${hex(d.instruction_pointer)}}`;
}

/** The name of nr on abi; on x86_64 an x32 number is named as x32's. */
function syscallNameOn(abi: ArchInfo, nr: number): string | undefined {
  if (abi.name === 'x86_64' && nr & 0x40000000 && nr !== 0xffffffff) {
    const n = syscallName('x32', nr);
    return n && `x32 ${n}`;
  }
  return syscallName(abi.name, nr);
}

export function describeVerdict(v: PolicyVerdict): string {
  return `${formatAction(v.raw)} (${v.why})`;
}

export function abiOrThrow(name: string): ArchInfo {
  const a = archByName(name);
  if (!a) throw new Error(`unknown arch "${name}"`);
  return a;
}
