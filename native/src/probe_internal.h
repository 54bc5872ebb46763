/* Internals of the guarded syscall probe (probe.c runs in the caller,
 * probe_child.c in the probe's children). Not part of the interface.
 *
 * Memory: `struct probe_shared` and the per-case `struct probe_raw` array
 * live in one MAP_SHARED anonymous mapping made before any child exists, so
 * a child (a CLONE_VM process, or a real fork for SC_RUN_EXECUTE) reports
 * every case without a system call; the caller reads them after reaping it.
 * Each probe thread runs on a PROBE_STACK-byte stack aligned to PROBE_STACK
 * whose lowest bytes hold its `struct probe_thread`: the SIGSYS handler
 * finds its thread (and the job) from its own stack address, so the child
 * needs no globals and no TLS of its own. */
#ifndef SECCHECK_PROBE_INTERNAL_H
#define SECCHECK_PROBE_INTERNAL_H
#include <linux/filter.h>
#include <stdint.h>

#include "probe.h"

#define PROBE_HIDDEN __attribute__((visibility("hidden")))
#define PROBE_STACK (256u * 1024u)
/* probe_setjmp's callee-saved registers: x86_64 rbx, rbp, r12-r15, rsp, rip;
 * aarch64 x19-x30, sp, d8-d15. */
#if defined(__aarch64__)
#define PROBE_JB_WORDS 22
#else
#define PROBE_JB_WORDS 8
#endif

#define PROBE_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define PROBE_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* What the child wrote about one case. */
enum probe_phase {
  PH_NONE = 0,
  PH_STARTED = 1,       /* about to make (or making) the syscall */
  PH_RETURNED = 2,      /* the syscall returned `ret` */
  PH_TRAPPED = 3,       /* SIGSYS reached the handler (si_* filled) */
  PH_THREAD_KILLED = 4, /* multi: the worker thread died in this case, the process lives (set by the main thread) */
};

/* Where the child is. */
enum probe_state {
  ST_BOOT = 0,
  ST_INSTALLING = 1,
  ST_RUNNING = 2,
  ST_DONE = 3,
  ST_INSTALL_FAILED = 4, /* a filter under test was refused: err, failed_at, install_trap */
  ST_SETUP_FAILED = 5,   /* the probe's own setup failed (prctl, the guard, clone): err */
};

struct probe_raw {
  uint32_t phase;  /* enum probe_phase */
  uint32_t traced; /* seccomp ptrace stops seen for this case (written by the tracer) */
  int64_t ret;
  uint32_t si_errno;
  int32_t si_code;
  int32_t si_syscall;
  uint32_t si_arch;
  uint32_t msg; /* PTRACE_GETEVENTMSG of the first stop */
  uint32_t pad;
};

struct probe_shared {
  uint32_t go;           /* caller -> child: start (set after PTRACE_SEIZE when traced) */
  uint32_t state;        /* enum probe_state */
  int32_t err;           /* ST_INSTALL_FAILED / ST_SETUP_FAILED: the errno (0: see install_trap) */
  uint32_t failed_at;    /* index of the filter being installed */
  uint32_t install_trap; /* SIGSYS reached the handler while installing */
  uint32_t pos;          /* position (in idx) of the case in flight */
  uint32_t beat;         /* progress, for the deadline */
  int32_t wtid;          /* multi: the worker's TID; the kernel clears it when the worker dies */
  uint32_t wdied;        /* multi: the main thread saw the worker die */
};

struct probe_thread;

struct probe_job {
  struct probe_shared *sh;
  struct probe_raw *raw; /* indexed by case index */
  const struct sc_case *cases;
  const uint32_t *idx; /* case indices to run, in order */
  uint32_t count;
  uint32_t start; /* first position in idx for this child */
  const struct sock_fprog *progs;
  uint32_t nprogs;
  const struct sock_fprog *guard; /* NULL: SC_RUN_EXECUTE's unguarded child (safe list only) */
  uint64_t magic;                 /* in args[3] of the probe's own seccomp/exit_group calls */
  uint32_t listener;              /* the newest filter gets SECCOMP_FILTER_FLAG_NEW_LISTENER */
  uint32_t multi;                 /* run the cases in a second thread */
  struct probe_thread *wthread;   /* multi: the worker's stack base */
  long parent_pid;                /* the caller's PID: a child whose parent is gone dies */
};

#define PROBE_CI_INSTALLING (-1)
#define PROBE_CI_ENDING (-2)

struct probe_thread {
  struct probe_job *job;
  uint64_t jb[PROBE_JB_WORDS]; /* probe_setjmp buffer */
  volatile int32_t ci; /* case index in flight; PROBE_CI_INSTALLING, PROBE_CI_ENDING */
  uint32_t pad;
};

/* Entry of a probe child made with clone(CLONE_VM): `arg` is its probe_thread. Never returns. */
PROBE_HIDDEN int probe_child_main(void *arg);
/* Body of SC_RUN_EXECUTE's forked child: the filters without the guard, then the safe cases. Never returns. */
PROBE_HIDDEN __attribute__((noreturn)) void probe_execute_child(struct probe_thread *t);
/* Does this case skip every filter, so that making it would run it (native
 * uretprobe 335 and uprobe 336: seccomp_is_const_allow exempts them on
 * recent kernels, SEMANTICS §4.8, §6.2 #60)? The probe never makes these:
 * SC_NOT_RUN. */
PROBE_HIDDEN int probe_exempt_case(const struct sc_case *c);
/* Is this case on SC_RUN_EXECUTE's safe list (native getpid, getppid, gettid, getuid, geteuid, getgid, getegid, uname;
 * on x86_64 also x32 getpid 0x40000027 and i386 getpid 20)? */
PROBE_HIDDEN int probe_safe_case(const struct sc_case *c);

#endif
