// Allowlist-shaped filters of a chosen size, as sandboxes write them: an arch
// check, an x32 guard, then a chain of syscall compares, some with an
// argument check on both 32-bit halves. Used by the benchmarks.
import { insn, OP, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, type Insn } from 'unicorn-bpf-emulator';

const AUDIT_ARCH_X86_64 = 0xc000003e;

/** An allowlist of about `size` instructions; returns the program and the syscalls it names. */
export function allowlistFilter(size: number): { program: Insn[]; syscalls: number[] } {
  const head: Insn[] = [
    insn(OP.LD_W_ABS, 0, 0, 4),
    insn(OP.JMP_JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
    insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
    insn(OP.LD_W_ABS, 0, 0, 0),
    insn(OP.JMP_JGE_K, 0, 1, 0x40000000),
    insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
  ];
  const body: Insn[] = [];
  const syscalls: number[] = [];
  let nr = 0;
  while (head.length + body.length < size - 1) {
    if (nr % 4 === 3) {
      // JEQ nr; args[0] hi == 0 && lo == nr + 1 -> ALLOW, else ERRNO; reload nr.
      body.push(
        insn(OP.JMP_JEQ_K, 0, 7, nr),
        insn(OP.LD_W_ABS, 0, 0, 20),
        insn(OP.JMP_JEQ_K, 0, 3, 0),
        insn(OP.LD_W_ABS, 0, 0, 16),
        insn(OP.JMP_JEQ_K, 0, 1, nr + 1),
        insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW),
        insn(OP.RET_K, 0, 0, SECCOMP_RET_ERRNO | 1),
        insn(OP.LD_W_ABS, 0, 0, 0),
      );
    } else {
      body.push(insn(OP.JMP_JEQ_K, 0, 1, nr), insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW));
    }
    syscalls.push(nr);
    nr++;
  }
  return { program: [...head, ...body, insn(OP.RET_K, 0, 0, SECCOMP_RET_ERRNO | 1)], syscalls };
}
