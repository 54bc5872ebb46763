/* The kernel probe's C interface: one core, called from Node through koffi
 * (libseccheck_probe.so) and from the static seccheck-probe executable.
 * Every filter is installed in a forked child, never in the caller. Every
 * child has a deadline and is reaped before a call returns. */
#ifndef SECCHECK_PROBE_H
#define SECCHECK_PROBE_H
#include <stdint.h>

/* A stack of programs is passed flattened: `insns` holds every program's
 * struct sock_filter array back to back (native byte order), `lens[i]` is
 * program i's instruction count, oldest (installed first) at index 0. */

/* ---- install check (install.c) ---- */
struct sc_install_step {
  int32_t ret;   /* seccomp(2)'s return value: 0, a listener fd, a TSYNC TID, or -1 */
  int32_t err;   /* errno when ret == -1, else 0 */
};
/* Load programs in order into one fresh child (no_new_privs set unless
 * opts & SC_OPT_NO_NNP), each with flags[i]. Stops at the first failure.
 * Returns the number of steps written to out (<= n), or -errno if the
 * probe itself failed (fork, timeout: -ETIMEDOUT). */
int32_t sc_check_install(const uint8_t *insns, const uint32_t *lens, const uint32_t *flags, uint32_t n,
                         uint32_t opts, uint32_t timeout_ms, struct sc_install_step *out);
#define SC_OPT_NO_NNP 1u

/* ---- guarded syscall probes (probe.c) ---- */
enum sc_abi { SC_ABI_NATIVE = 0, SC_ABI_I386 = 1, SC_ABI_X32 = 2 };
struct sc_case {
  uint32_t abi;     /* enum sc_abi */
  int32_t nr;       /* as the filter sees it (x32: with 0x40000000) */
  uint64_t args[6];
};
enum sc_kind {
  SC_NOT_RUN = 0, SC_KILLED_PROCESS = 1, SC_KILLED_THREAD = 2, SC_TRAP = 3, SC_ERRNO = 4,
  SC_ENOSYS_TRACE = 5, SC_ENOSYS_NOTIF = 6, SC_ALLOWED = 7, SC_TRACED = 8, SC_NOTIFIED = 9,
  SC_TIMEOUT = 10, SC_INSTALL_FAILED = 11, SC_EXECUTED = 12
};
struct sc_outcome {
  uint32_t kind;        /* enum sc_kind */
  int32_t errno_val;    /* SC_ERRNO: the errno (0: returned 0); SC_INSTALL_FAILED: seccomp's errno */
  uint32_t si_errno;    /* SC_TRAP */
  int32_t si_syscall;   /* SC_TRAP */
  uint32_t si_arch;     /* SC_TRAP */
  uint32_t data;        /* SC_TRACED: the event message */
  int32_t signal;       /* SC_KILLED_*: the signal (31) */
  int64_t ret;          /* SC_EXECUTED: what the syscall returned */
};
/* Run every case under the stack without executing the syscall under test
 * (guard filter first). opts: SC_RUN_MULTI (run each syscall in a second
 * thread, to tell KILL_THREAD from KILL_PROCESS), SC_RUN_EXECUTE (allowed
 * syscalls from the safe list really run). Returns the number of outcomes
 * written, or -errno. */
int32_t sc_run(const uint8_t *insns, const uint32_t *lens, uint32_t n, const struct sc_case *cases, uint32_t ncases,
               uint32_t opts, uint32_t timeout_ms, struct sc_outcome *out);
#define SC_RUN_MULTI 1u
#define SC_RUN_EXECUTE 2u

#endif
