// Writes examples/deny-getpid.bpf: an x86_64 filter that denies getpid with
// EPERM and allows everything else, guarded against other ABIs (i386 via
// int 0x80, x32) as SEMANTICS.md §5.4 explains. Run: node examples/make-deny-getpid.mjs
import { writeFileSync } from 'node:fs';
import { BPF_JUMP, BPF_STMT, encodeProgram, OP } from 'unicorn-bpf-emulator';

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
const NR_getpid = 39;

const program = [
  /* 0 */ BPF_STMT(OP.LD_W_ABS, 4), //                              A = seccomp_data.arch
  /* 1 */ BPF_JUMP(OP.JMP_JEQ_K, AUDIT_ARCH_X86_64, 0, 5), //       not x86_64 -> 7 kill
  /* 2 */ BPF_STMT(OP.LD_W_ABS, 0), //                              A = seccomp_data.nr
  /* 3 */ BPF_JUMP(OP.JMP_JGE_K, X32_SYSCALL_BIT, 3, 0), //         x32 (or nr >= 2^30) -> 7 kill
  /* 4 */ BPF_JUMP(OP.JMP_JEQ_K, NR_getpid, 0, 1), //               getpid -> 5, else -> 6
  /* 5 */ BPF_STMT(OP.RET_K, 0x00050001), //                        ERRNO(EPERM)
  /* 6 */ BPF_STMT(OP.RET_K, 0x7fff0000), //                        ALLOW
  /* 7 */ BPF_STMT(OP.RET_K, 0x80000000), //                        KILL_PROCESS
];

writeFileSync(new URL('./deny-getpid.bpf', import.meta.url), encodeProgram(program, 'little'));
