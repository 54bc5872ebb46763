// The errno values the seccomp(2) path can return, by their Linux names.
export const ERRNO = {
  EPERM: 1,
  ESRCH: 3,
  EFAULT: 14,
  EBUSY: 16,
  ENOMEM: 12,
  EACCES: 13,
  EINVAL: 22,
  EMFILE: 24,
  ENOSYS: 38,
  EOPNOTSUPP: 95,
} as const;

export type ErrnoName = keyof typeof ERRNO;

/** MAX_ERRNO (include/linux/err.h): the largest errno SECCOMP_RET_ERRNO can return. */
export const MAX_ERRNO = 4095;
