// Shared by the kernel-engine suites: a loud failure when the kernel engine
// cannot run here (never a silent skip), and cases built from arch names.
import { archByName, BPF_JUMP, BPF_STMT, OP, SECCOMP_RET_ALLOW, type Insn, type Program } from 'unicorn-bpf-emulator';
import type { EngineCase } from '../../src/engines/engine.js';
import { kernelAvailability } from '../../src/engines/kernel.js';

/** Throw, with the reason, unless the kernel engine can run here. Call it in beforeAll. */
export function requireKernelEngineForTests(): void {
  const a = kernelAvailability();
  if (!a.ok) {
    throw new Error(`the kernel engine is unavailable, so the kernel suites cannot run (they need Linux and the built probe): ${a.reason}`);
  }
}

/** A case by arch name; missing args are 0. */
export function caseOf(arch: string, nr: number, args: readonly (bigint | number)[] = [], ip = 0n): EngineCase {
  const info = archByName(arch);
  if (!info) throw new Error(`unknown arch ${arch}`);
  const a = [0n, 0n, 0n, 0n, 0n, 0n];
  args.forEach((v, i) => {
    a[i] = BigInt(v);
  });
  return { arch: info, nr, args: a, ip };
}

/** x86_64 seccomp(2). */
export const NR_SECCOMP_X86_64 = 317;

/**
 * A stack as a sandbox loads it: each filter is installed by a seccomp(2)
 * call that the filters before it see, so every filter but the newest lets
 * seccomp (nr 317) through first, as the programs behind SEMANTICS §6 did.
 * The prefix leaves A = X = 0 for the filter's own code; both engines run
 * the same programs.
 */
export function sandboxStack(filters: readonly Program[]): Program[] {
  const prefix: Insn[] = [
    BPF_STMT(OP.LD_W_ABS, 0), BPF_JUMP(OP.JMP_JEQ_K, NR_SECCOMP_X86_64, 0, 1), BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW), BPF_STMT(OP.LD_IMM, 0),
  ];
  return filters.map((p, i) => (i === filters.length - 1 ? [...p] : [...prefix, ...p]));
}
