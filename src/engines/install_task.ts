// The task a stack is loaded into, as the emulator models it: a sandbox
// with no_new_privs and no filters, whose seccomp(2) calls are themselves
// judged by the filters it has already installed (the kernel engine showed
// that an earlier filter denying seccomp makes the next install fail).
import { FRESH_TASK, type ArchInfo, type TaskState } from 'unicorn-bpf-emulator';
import { errnoName } from '../arch/errno.js';
import { syscallNumber } from '../arch/syscalls.js';
import { hostArch } from '../formats/host_arch.js';

/** FRESH_TASK whose later seccomp(2) calls are made in `arch` (default: the host's ABI). */
export function sandboxTask(arch: ArchInfo | undefined = hostArch()): TaskState {
  const nr = arch ? syscallNumber(arch.name, 'seccomp') : undefined;
  if (!arch || nr === undefined) return FRESH_TASK;
  return { ...FRESH_TASK, installer: { auditArch: arch.auditArch, endian: arch.endian, nr }, errnoName: (n) => errnoName(n, arch.name) };
}
