// Syscall families whose members reach the same effect. A filter that denies
// one member and allows another probably did not mean to: `explain` reports
// it as a "sibling" finding. Data only; explain.ts decides.

export interface SyscallFamily {
  readonly name: string;
  /** What every member can do, for the finding's text. */
  readonly effect: string;
  readonly members: readonly string[];
  /**
   * Namespaces: clone(2) with CLONE_NEW* flags in its flags argument does
   * what unshare/setns do; clone3(2) takes its flags inside a struct, so a
   * filter cannot see them and allowing clone3 allows them all.
   */
  readonly cloneNamespaceFlags?: boolean;
}

export const SIBLING_FAMILIES: readonly SyscallFamily[] = [
  {
    name: 'mount',
    effect: 'mounts a filesystem (the new mount API needs no mount(2))',
    members: ['mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'mount_setattr'],
  },
  { name: 'kexec', effect: 'loads a new kernel', members: ['kexec_load', 'kexec_file_load'] },
  { name: 'module', effect: 'loads a kernel module', members: ['init_module', 'finit_module'] },
  {
    name: 'ptrace',
    effect: "reaches into another process (its memory or its file descriptors)",
    members: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'pidfd_getfd'],
  },
  { name: 'bpf', effect: 'loads or attaches programs in the kernel (BPF, perf events)', members: ['bpf', 'perf_event_open'] },
  { name: 'namespaces', effect: 'creates or enters namespaces', members: ['unshare', 'setns'], cloneNamespaceFlags: true },
];

/** CLONE_NEW* flags clone(2) accepts (include/uapi/linux/sched.h); CLONE_NEWTIME (0x80) only works with clone3 and unshare. */
export const CLONE_NAMESPACE_FLAGS: readonly { readonly name: string; readonly bit: number }[] = [
  { name: 'CLONE_NEWNS', bit: 0x00020000 },
  { name: 'CLONE_NEWCGROUP', bit: 0x02000000 },
  { name: 'CLONE_NEWUTS', bit: 0x04000000 },
  { name: 'CLONE_NEWIPC', bit: 0x08000000 },
  { name: 'CLONE_NEWUSER', bit: 0x10000000 },
  { name: 'CLONE_NEWPID', bit: 0x20000000 },
  { name: 'CLONE_NEWNET', bit: 0x40000000 },
];

/** Which argument of clone(2) holds the flags: args[1] on s390 (CLONE_BACKWARDS2), else args[0]. */
export function cloneFlagsArg(archName: string): number {
  return archName === 's390' || archName === 's390x' ? 1 : 0;
}
