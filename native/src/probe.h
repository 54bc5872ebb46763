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
/* Drop CAP_SYS_ADMIN (effective and permitted) in the child before the
 * first install, so that SC_OPT_NO_NNP shows EACCES even when the caller
 * is root. A no-op for a caller without it. */
#define SC_OPT_DROP_CAP_SYS_ADMIN 2u
/* Outcomes beyond seccomp(2)'s own, recorded in the step where they happen:
 *  - the child was killed by a signal inside seccomp(2) (an earlier filter of
 *    the stack kills it): ret = -1, err = -signal; it counts as the failure.
 *  - on -ETIMEDOUT, out[] still holds every step that finished before the
 *    deadline, followed by one step {SC_STEP_PENDING, 0} (if n allows). */
#define SC_STEP_PENDING INT32_MIN

/* ---- guarded syscall probes (probe.c) ---- */
/* <signal.h> defines si_syscall and si_arch as macros for siginfo_t's SIGSYS
 * fields, which would rename the sc_outcome fields below: include this
 * header after the system headers (it drops the macros). */
#undef si_syscall
#undef si_arch
enum sc_abi { SC_ABI_NATIVE = 0, SC_ABI_I386 = 1, SC_ABI_X32 = 2 };
struct sc_case {
  uint32_t abi;     /* enum sc_abi */
  int32_t nr;       /* as the filter sees it (x32: with 0x40000000) */
  uint64_t args[6];
};
enum sc_kind {
  SC_NOT_RUN = 0, SC_KILLED_PROCESS = 1, SC_KILLED_THREAD = 2, SC_TRAP = 3, SC_ERRNO = 4,
  SC_ENOSYS_TRACE = 5, SC_ENOSYS_NOTIF = 6, SC_ALLOWED = 7, SC_TRACED = 8, SC_NOTIFIED = 9,
  SC_TIMEOUT = 10, SC_INSTALL_FAILED = 11, SC_EXECUTED = 12, SC_WEAK = 13
};
struct sc_outcome {
  uint32_t kind;        /* enum sc_kind */
  int32_t errno_val;    /* SC_ERRNO: the errno (0: returned 0); SC_INSTALL_FAILED: seccomp's errno */
  uint32_t si_errno;    /* SC_TRAP */
  int32_t si_syscall;   /* SC_TRAP */
  uint32_t si_arch;     /* SC_TRAP */
  uint32_t data;        /* SC_TRACED, SC_ENOSYS_TRACE: the TRACE data (event message) */
  int32_t signal;       /* SC_KILLED_*: the signal (31); SC_TRAP: 31; SC_INSTALL_FAILED: 31 if killed/trapped */
  int64_t ret;          /* SC_EXECUTED: what the syscall returned */
};
/* Run every case under the stack without executing the syscall under test
 * (guard filter first). opts: SC_RUN_MULTI (run each syscall in a second
 * thread, to tell KILL_THREAD from KILL_PROCESS), SC_RUN_EXECUTE (allowed
 * syscalls from the safe list really run), SC_RUN_LISTENER (below).
 * timeout_ms: a child that makes no progress for this long is killed and
 * its case is SC_TIMEOUT (0: 2000). Returns the number of outcomes written,
 * or -errno; -EALREADY: the caller is itself under a seccomp filter, which
 * every child would inherit. Needs Linux >= 5.3 (CLONE_PIDFD,
 * pidfd_send_signal) and ptrace of its own children; x86_64 and aarch64
 * (-ENOSYS elsewhere; on aarch64 only SC_ABI_NATIVE, else -EINVAL).
 *
 * SC_NOT_RUN: a case the probe never makes because the kernel would run it
 * without consulting any filter (x86_64 native uretprobe 335 and uprobe 336
 * on recent kernels). SC_WEAK: the stack's action is weaker than TRACE (it
 * lost to both guards) and the stack can return an unknown action in that
 * band (RET A, or a constant such as 0x7ffe0000): ALLOW/LOG and that
 * unknown action (KILL_PROCESS) cannot be told apart without running the
 * syscall; without such a value the same case is SC_ALLOWED. With
 * SC_RUN_EXECUTE, safe-list cases are resolved by running them (SC_EXECUTED
 * or SC_KILLED_PROCESS). SC_ENOSYS_TRACE carries the TRACE data in `data`.
 * SC_INSTALL_FAILED with errno_val 0 and signal 31: a filter under test
 * trapped or killed the probe's seccomp() call for a later filter (earlier
 * filters see the installation of later ones, as in any process). */
int32_t sc_run(const uint8_t *insns, const uint32_t *lens, uint32_t n, const struct sc_case *cases, uint32_t ncases,
               uint32_t opts, uint32_t timeout_ms, struct sc_outcome *out);
#define SC_RUN_MULTI 1u
#define SC_RUN_EXECUTE 2u
/* The newest filter is installed with SECCOMP_FILTER_FLAG_NEW_LISTENER and
 * nobody ever answers on the listener: a case whose USER_NOTIF comes from
 * that filter waits for the supervisor (the emulator's 'notified' with a
 * listener) until timeout_ms, and ends as SC_TIMEOUT. */
#define SC_RUN_LISTENER 4u
/* The caller is under a seccomp filter of its own (a container runtime's
 * profile) and the outcomes are to be those of that filter and the stack
 * together, as in production: no -EALREADY. An outer ERRNO stronger than
 * the TRACE guard then shows in pass 2 and is reported as SC_ERRNO. */
#define SC_RUN_OUTER 8u

/* ---- TSYNC (install_tsync.c) ----
 * One fresh child (no_new_privs set) starts `nthreads` sibling threads. A
 * sibling whose bit is set in diverge_mask (bit i-1 for sibling i) first
 * installs its own filter (ERRNO(SC_TSYNC_OWN_ERRNO) for the probe syscall,
 * else ALLOW). When every sibling is ready (spinning on shared memory, no
 * syscalls from then on), the main thread installs a guard filter
 * (ERRNO(SC_TSYNC_GUARD_ERRNO) for the probe syscall, else ALLOW) without
 * flags, then the program with `flags`. So only threads that carry the main
 * thread's new chain see the guard: an unfiltered thread really executes
 * the probe (a harmless getter), a synced one gets the guard's errno or a
 * stronger action of the program. The caller then reads every thread's
 * /proc/<pid>/task/<tid>/status (Seccomp, Seccomp_filters) and lets each
 * thread make the probe syscall in turn (siblings 1..n, then the main
 * thread), with a SIGSYS handler installed. threads[0] is the main thread,
 * threads[1..nthreads] the siblings. probe_nr < 0: getppid. Returns 0, or
 * -errno when the probe itself failed (EINVAL: bad arguments or a probe
 * syscall outside the harmless list; ETIMEDOUT: the child did not reach the
 * install before the deadline). */
#define SC_TSYNC_MAX_THREADS 16
#define SC_TSYNC_GUARD_ERRNO 3001
#define SC_TSYNC_OWN_ERRNO 3002
enum sc_probe_state {
  SC_PROBE_NOT_RUN = 0,   /* the thread never got its turn (the process died first) */
  SC_PROBE_RETURNED = 1,  /* the syscall returned probe_ret (raw: -errno on failure) */
  SC_PROBE_TRAPPED = 2,   /* SIGSYS (SECCOMP_RET_TRAP) arrived; probe_ret is what the call returned after the handler */
  SC_PROBE_GONE = 3,      /* the thread (or the process) died during the probe (a KILL action) */
  SC_PROBE_BLOCKED = 4    /* no answer before the step deadline, thread still alive */
};
struct sc_tsync_thread {
  int64_t probe_ret;
  int32_t tid;            /* the thread's TID (0: never started) */
  int32_t own_ret;        /* seccomp(2) of its own filter (diverged siblings), else 0 */
  int32_t own_err;
  int32_t mode;           /* "Seccomp:" after the install; -1 unknown */
  int32_t filters;        /* "Seccomp_filters:" after the install; -1 unknown */
  uint32_t state;         /* enum sc_probe_state */
  uint32_t si_errno;      /* SC_PROBE_TRAPPED: the TRAP's data */
  int32_t pad;
};
struct sc_tsync_result {
  int32_t guard_ret, guard_err;   /* the guard filter's install in the main thread */
  int32_t ret, err;               /* the program's install: 0, a listener fd, a TID, or -1/errno */
  int32_t signal;                 /* the child died of this signal before the end (0: it did not) */
  int32_t pid;                    /* the child's pid (the process the threads belong to) */
};
int32_t sc_check_tsync(const uint8_t *insns, uint32_t len, uint32_t flags, uint32_t nthreads, uint32_t diverge_mask,
                       int32_t probe_nr, uint32_t timeout_ms, struct sc_tsync_result *res, struct sc_tsync_thread *threads);

/* ---- feature probes (features.c) ----
 * Everything that touches seccomp(2) runs in forked children; nothing is
 * installed anywhere (flags are probed with a NULL program). */
#define SC_FEATURE_ACTIONS 10  /* the 8 actions, then 0x7ffe0000 and 0x00050001 */
#define SC_FEATURE_ACTION_VALUES { 0x80000000u, 0x00000000u, 0x00030000u, 0x00050000u, 0x7fc00000u, \
                                   0x7ff00000u, 0x7ffc0000u, 0x7fff0000u, 0x7ffe0000u, 0x00050001u }
enum sc_abi_probe_state {
  SC_ABI_PROBE_NA = 0,        /* not this architecture */
  SC_ABI_PROBE_RETURNED = 1,  /* ret is what the call returned (pid, or -errno) */
  SC_ABI_PROBE_SIGNALLED = 2, /* the child died of signal `ret` */
  SC_ABI_PROBE_FAILED = 3     /* the probe itself failed (fork, timeout); ret = -errno */
};
struct sc_features {
  int64_t x32_ret;            /* raw syscall rax = 0x40000000|39 (x32 getpid) */
  int64_t i386_ret;           /* int $0x80, eax = 20 (i386 getpid) */
  int32_t x32_state, i386_state;  /* enum sc_abi_probe_state */
  int32_t x32_pid, i386_pid;  /* the probing child's pid, to compare with *_ret */
  int32_t seccomp_err;        /* 0; ENOSYS if seccomp(2) is missing; -errno if the probe child failed */
  int32_t action_err[SC_FEATURE_ACTIONS]; /* SECCOMP_GET_ACTION_AVAIL: 0 available, else errno */
  uint32_t flags_supported;   /* bit i: SET_MODE_FILTER with 1<<i got past the flag checks (EFAULT on NULL) */
  int32_t flag_err[32];       /* each bit's errno (EFAULT = known; EINVAL = unknown) */
  int32_t notif_sizes_err;    /* SECCOMP_GET_NOTIF_SIZES: 0 or errno */
  uint16_t notif_sizes[3];    /* seccomp_notif, seccomp_notif_resp, seccomp_data */
  uint16_t pad0;
  int32_t self_mode, self_filters, self_nnp; /* the caller's /proc/self/status; -1 unknown */
  int32_t avail_err, logged_err;  /* errno reading the two files below, else 0 */
  char release[128];          /* uname: release */
  char machine[64];           /* uname: machine */
  char actions_avail[256];    /* /proc/sys/kernel/seccomp/actions_avail (trailing newline removed) */
  char actions_logged[256];   /* /proc/sys/kernel/seccomp/actions_logged */
};
int32_t sc_features(uint32_t timeout_ms, struct sc_features *out);

#endif
