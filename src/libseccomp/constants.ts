// libseccomp's public constants (include/seccomp.h, identical from 2.4 to
// 2.6): action values, comparison operators, filter attributes.

/** SCMP_ACT_* values; ERRNO and TRACE carry 16 bits of data, as the macros do. */
export const SCMP_ACT_KILL_PROCESS = 0x80000000;
export const SCMP_ACT_KILL_THREAD = 0x00000000;
/** SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD. */
export const SCMP_ACT_KILL = SCMP_ACT_KILL_THREAD;
export const SCMP_ACT_TRAP = 0x00030000;
export const SCMP_ACT_NOTIFY = 0x7fc00000;
export const SCMP_ACT_LOG = 0x7ffc0000;
export const SCMP_ACT_ALLOW = 0x7fff0000;
/** SCMP_ACT_ERRNO(x): (0x00050000U | ((x) & 0x0000ffffU)). */
export const SCMP_ACT_ERRNO = (x: number): number => (0x00050000 | (x & 0xffff)) >>> 0;
/** SCMP_ACT_TRACE(x): (0x7ff00000U | ((x) & 0x0000ffffU)). */
export const SCMP_ACT_TRACE = (x: number): number => (0x7ff00000 | (x & 0xffff)) >>> 0;

/** enum scmp_compare. */
export const SCMP_CMP_NE = 1;
export const SCMP_CMP_LT = 2;
export const SCMP_CMP_LE = 3;
export const SCMP_CMP_EQ = 4;
export const SCMP_CMP_GE = 5;
export const SCMP_CMP_GT = 6;
export const SCMP_CMP_MASKED_EQ = 7;

/** The operator names the OCI runtime spec uses, with their enum scmp_compare values. */
export const SCMP_CMP_BY_NAME: Readonly<Record<string, number>> = {
  SCMP_CMP_NE,
  SCMP_CMP_LT,
  SCMP_CMP_LE,
  SCMP_CMP_EQ,
  SCMP_CMP_GE,
  SCMP_CMP_GT,
  SCMP_CMP_MASKED_EQ,
};

/** enum scmp_filter_attr. */
export const SCMP_FLTATR_ACT_DEFAULT = 1;
export const SCMP_FLTATR_ACT_BADARCH = 2;
export const SCMP_FLTATR_CTL_NNP = 3;
export const SCMP_FLTATR_CTL_TSYNC = 4;
export const SCMP_FLTATR_API_TSKIP = 5;
export const SCMP_FLTATR_CTL_LOG = 6;
export const SCMP_FLTATR_CTL_SSB = 7;
export const SCMP_FLTATR_CTL_OPTIMIZE = 8;
export const SCMP_FLTATR_API_SYSRAWRC = 9;

/** __NR_SCMP_ERROR: what seccomp_syscall_resolve_name returns for a name it does not know. */
export const __NR_SCMP_ERROR = -1;

/** The largest errno the kernel returns; libseccomp rejects ERRNO(x) for x >= MAX_ERRNO (4095). */
export const MAX_ERRNO = 4095;
