// The policy of cellos-supervisor 0.5.1's bundled baseline, as its source
// states it (seed cellos-supervisor-0.5.1-seccomp.rs.txt,
// baseline_seccomp_program and baseline_blocked_syscalls): a denylist.
//  - seccomp_data.arch other than the build's AUDIT_ARCH: KILL_PROCESS;
//  - nr equal to libc::SYS_<name> for one of the 17 blocked syscalls:
//    ERRNO(EPERM);
//  - anything else, including x32 numbers on x86_64 (the seed checks
//    neither the x32 bit nor the x32 numbers): ALLOW.
// Numbers come from seccheck's syscall tables for the ABI (libc::SYS_* are
// the kernel's __NR_*), not from the cellos loader.
import { SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, type ArchInfo, type SeccompData } from 'unicorn-bpf-emulator';
import { syscallNumber } from '../../src/arch/syscalls.js';
import { CELLOS_BASELINE_SYSCALLS } from '../../src/formats/cellos.js';
import { noConstants, type PolicyModel } from './policy_model.js';

const EPERM = 1;

export function cellosBaselinePolicyModel(arch: ArchInfo): PolicyModel {
  const blocked = new Map<number, string>();
  for (const name of CELLOS_BASELINE_SYSCALLS) {
    const nr = syscallNumber(arch.name, name);
    if (nr === undefined) throw new Error(`no number for ${name} on ${arch.name}`);
    blocked.set(nr >>> 0, name);
  }
  return {
    arch,
    syscalls: [...blocked.keys()],
    constants: noConstants(),
    evaluate(d: SeccompData) {
      if (d.arch >>> 0 !== arch.auditArch) return { raw: SECCOMP_RET_KILL_PROCESS >>> 0, why: `not ${arch.constant}: the baseline's arch check` };
      const name = blocked.get(d.nr >>> 0);
      if (name !== undefined) return { raw: (SECCOMP_RET_ERRNO | EPERM) >>> 0, why: `${name} is in baseline_blocked_syscalls` };
      return { raw: SECCOMP_RET_ALLOW, why: 'not a blocked syscall' };
    },
  };
}
