/* Guarded syscall probes: sc_run (probe.h).
 *
 * Design (DESIGN.md, "Safety of the kernel probe"):
 *
 *  - Children. Every filter is installed in a child process, never in the
 *    caller. The guarded children are made with clone(CLONE_VM | CLONE_PIDFD)
 *    on a stack of their own: a separate process (own PID, own signal
 *    handlers, own rlimits, own seccomp filters) that shares the caller's
 *    memory, so making one costs tens of microseconds instead of copying
 *    the page tables of a Node heap (fork). It runs only probe_child.c:
 *    raw system calls, no libc state. Sharing memory is safe because no
 *    syscall under test ever executes in it: the guard (below) denies or
 *    the tracer skips every one. SC_RUN_EXECUTE's child, which does run a
 *    few safe syscalls, is a real fork (uname writes through its argument).
 *    The exit signal is 0 (the caller gets no SIGCHLD; wait with __WALL).
 *
 *  - Many cases per child. Cases are read from the caller's memory and
 *    results go to a MAP_SHARED mapping (probe_internal.h), so the child
 *    makes no system call between cases. A case that kills the child ends
 *    that child; a fresh one continues with the next case. A child that
 *    has run every case leaves with exit_group (allowed by the guard when
 *    tagged with the magic), or dies by ud2 if a filter under test refuses
 *    exit_group.
 *
 *  - Pass 1, the ERRNO guard. Installed first, it returns ALLOW for the
 *    probe's own seccomp/exit_group calls (native arch, args[3] == a random
 *    64-bit magic, both halves checked) and ERRNO(S) for everything else.
 *    The filters under test follow. Newer filters win ties and stronger
 *    actions win over ERRNO, so KILL_PROCESS, KILL_THREAD, TRAP and
 *    ERRNO(n) of the filters under test are observed exactly; USER_NOTIF,
 *    TRACE, LOG and ALLOW lose to the guard and come back as -S without
 *    running. S is an errno none of the programs returns as a constant.
 *
 *  - Pass 2, the TRACE guard, for the cases that returned -S. The guard
 *    returns TRACE(G) instead; the caller's thread is the tracer
 *    (PTRACE_SEIZE, PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL). At each
 *    PTRACE_EVENT_SECCOMP stop it records the event message and skips the
 *    syscall (orig_rax = -1; arm64: NT_ARM_SYSTEM_CALL = -1; if that fails
 *    the child is SIGKILLed before it can continue). Event message G: the filters under test said ALLOW or
 *    LOG (the guard's TRACE won); anything else: they said TRACE(data)
 *    (newest wins the tie). No stop and -ENOSYS: USER_NOTIF (it beats
 *    TRACE; nobody listens). No stop and -S: a real ERRNO(S). G is a value
 *    no TRACE constant in the programs uses; if a program has RET A, a
 *    stop with G is ambiguous and pass 3 repeats those cases with G2 != G.
 *
 *    Limit: a stack value weaker than TRACE loses to both guards, so ALLOW,
 *    LOG and the unknown actions between TRACE and ALLOW (0x7ff1..0x7ffb,
 *    0x7ffd, 0x7ffe: KILL_PROCESS) all come back as G. No guard action is
 *    weaker than those and still keeps the syscall from running, so they
 *    cannot be told apart without running it: such cases are SC_ALLOWED
 *    when no program can return such an unknown value (no RET A, no RET K
 *    in that band), else SC_WEAK. (LOG vs ALLOW differs only by an audit
 *    record and is reported as SC_ALLOWED.)
 *
 *  - SC_RUN_MULTI (pass 1 only; passes 2 and 3 never see a kill): the child's
 *    main thread makes a worker thread before any filter, the worker
 *    installs the filters and runs the cases, the main thread (with no
 *    filter) waits on the worker's CLONE_CHILD_CLEARTID futex. KILL_THREAD
 *    kills only the worker: the main thread marks the case and exits 0.
 *    KILL_PROCESS kills both (wait status SIGSYS).
 *
 *  - TRAP: SIGSYS handler (SA_SIGINFO | SA_NODEFER) records si_errno,
 *    si_code, si_syscall, si_arch and leaves with probe_longjmp (no
 *    rt_sigreturn, no sigprocmask).
 *
 *  - Deadlines. A watchdog thread in the caller SIGKILLs the child (through
 *    its pidfd) when its progress counter has not moved for timeout_ms; the
 *    case in flight is SC_TIMEOUT. Every child is reaped (waitpid) before
 *    the next one starts and before sc_run returns.
 *
 *  - SC_RUN_EXECUTE: cases the passes found allowed and on the safe list
 *    (native getters; x32 and i386 getpid on x86_64), run for real in a
 *    forked child with the filters and no guard.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "probe_internal.h"

#if defined(__x86_64__) || defined(__aarch64__)

#if defined(__x86_64__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_X86_64
#else
#define PROBE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#ifndef NT_ARM_SYSTEM_CALL
#define NT_ARM_SYSTEM_CALL 0x404
#endif
#endif

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

#define PROBE_DEFAULT_TIMEOUT_MS 2000u
#define MAX_ERRNO 4095u

_Static_assert(sizeof(struct sc_case) == 56, "struct sc_case layout");
_Static_assert(sizeof(struct sc_outcome) == 40, "struct sc_outcome layout");

/* ---- the watchdog ---- */

struct probe_watch {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t th;
  int pidfd;   /* the child being watched, -1 when none */
  int fired;   /* it was killed for its deadline */
  int stop;
  const uint32_t *beat;
  const uint32_t *state; /* a child in a final state is killed at the next tick */
  uint32_t last;
  int64_t last_change;
  uint32_t timeout_ms;
};

static int64_t probe_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void probe_kill(int pidfd) { syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0); }

static void *probe_watch_main(void *arg) {
  struct probe_watch *w = (struct probe_watch *)arg;
  int64_t slice = w->timeout_ms / 8;
  if (slice < 1) slice = 1;
  if (slice > 50) slice = 50;
  pthread_mutex_lock(&w->mu);
  while (!w->stop) {
    int64_t now = probe_now_ms();
    if (w->pidfd >= 0 && !w->fired) {
      uint32_t b = PROBE_LOAD(w->beat), st = PROBE_LOAD(w->state);
      if (st == ST_DONE || st == ST_INSTALL_FAILED || st == ST_SETUP_FAILED) {
        /* Every result is written; it is stuck on its way out. */
        probe_kill(w->pidfd);
        w->fired = 1;
      } else if (b != w->last) {
        w->last = b;
        w->last_change = now;
      } else if (now - w->last_change >= (int64_t)w->timeout_ms) {
        probe_kill(w->pidfd);
        w->fired = 1;
      }
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += (long)(slice * 1000000);
    until.tv_sec += until.tv_nsec / 1000000000;
    until.tv_nsec %= 1000000000;
    pthread_cond_timedwait(&w->cv, &w->mu, &until);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

static int probe_watch_start(struct probe_watch *w, const uint32_t *beat, const uint32_t *state, uint32_t timeout_ms) {
  memset(w, 0, sizeof *w);
  w->pidfd = -1;
  w->beat = beat;
  w->state = state;
  w->timeout_ms = timeout_ms;
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv, &ca);
  pthread_condattr_destroy(&ca);
  /* The watchdog must not take the caller's signals either. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int e = pthread_create(&w->th, NULL, probe_watch_main, w);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (e) {
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    return -e;
  }
  return 0;
}

static void probe_watch_stop(struct probe_watch *w) {
  pthread_mutex_lock(&w->mu);
  w->stop = 1;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->th, NULL);
  pthread_cond_destroy(&w->cv);
  pthread_mutex_destroy(&w->mu);
}

static void probe_watch_arm(struct probe_watch *w, int pidfd) {
  pthread_mutex_lock(&w->mu);
  w->pidfd = pidfd;
  w->fired = 0;
  w->last = PROBE_LOAD(w->beat);
  w->last_change = probe_now_ms();
  pthread_mutex_unlock(&w->mu);
}

static int probe_watch_disarm(struct probe_watch *w) {
  pthread_mutex_lock(&w->mu);
  w->pidfd = -1;
  int fired = w->fired;
  pthread_mutex_unlock(&w->mu);
  return fired;
}

/* ---- guards ---- */

#define GUARD_LEN 11
/* ALLOW the probe's own seccomp()/exit_group() calls (native arch, args[3]
 * == magic, both halves), `deny` for everything else. */
static void probe_guard(struct sock_filter *g, uint64_t magic, uint32_t deny) {
  const uint32_t lo = (uint32_t)magic, hi = (uint32_t)(magic >> 32);
  const uint32_t a3 = (uint32_t)offsetof(struct seccomp_data, args[3]);
  struct sock_filter prog[GUARD_LEN] = {
      /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROBE_AUDIT_ARCH, 0, 8),  /* -> 10 */
      /* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_seccomp, 1, 0),       /* -> 5 */
      /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 0, 5),    /* -> 10 */
      /* 5 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, a3),                        /* low half (little-endian) */
      /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo, 0, 3),                 /* -> 10 */
      /* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, a3 + 4),
      /* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, 1),                 /* -> 10 */
      /* 9 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      /* 10 */ BPF_STMT(BPF_RET | BPF_K, deny),
  };
  memcpy(g, prog, sizeof prog);
}

/* ---- running children ---- */

/* What one pass saw for one case (beside its probe_raw). */
enum probe_seen_kind {
  SEEN_NONE = 0,
  SEEN_CHILD,          /* see probe_raw: returned or trapped (and traced) */
  SEEN_KILLED,         /* the process died by `sig` in this case */
  SEEN_THREAD_KILLED,  /* multi: only the worker died */
  SEEN_TIMEOUT,
  SEEN_INSTALL_FAILED, /* err (0 with sig 31: SIGSYS while installing) */
};
struct probe_seen {
  uint8_t kind;
  int32_t sig;
  int32_t err;
};

struct probe_ctx {
  struct probe_job job;
  struct probe_thread *main_thread; /* stack base of the process child */
  struct probe_thread exec_thread;  /* SC_RUN_EXECUTE's child (a fork: any memory will do) */
  struct probe_watch watch;
  struct probe_seen *seen;          /* by case index */
};

/* At a seccomp stop: make the kernel skip the syscall (nr -1). x86_64:
 * orig_rax; arm64 has no such user-area word and takes the number through
 * the NT_ARM_SYSTEM_CALL regset. 0 or -1 (errno). */
static long probe_skip_syscall(pid_t pid) {
#if defined(__x86_64__)
  return ptrace(PTRACE_POKEUSER, pid, (void *)offsetof(struct user, regs.orig_rax), (void *)-1L);
#else
  int nr = -1;
  struct iovec iov = {&nr, sizeof nr};
  return ptrace(PTRACE_SETREGSET, pid, (void *)(long)NT_ARM_SYSTEM_CALL, &iov);
#endif
}

/* Wait for the child to end, serving ptrace stops when traced. */
static int probe_wait(struct probe_ctx *cx, pid_t pid, int pidfd, int traced, int *status) {
  struct probe_shared *sh = cx->job.sh;
  for (;;) {
    int st;
    pid_t r = waitpid(pid, &st, __WALL);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      probe_kill(pidfd);
      return -e;
    }
    if (WIFEXITED(st) || WIFSIGNALED(st)) {
      *status = st;
      return 0;
    }
    if (!WIFSTOPPED(st) || !traced) continue;
    int sig = WSTOPSIG(st);
    unsigned ev = (unsigned)st >> 16;
    if (sig == SIGTRAP && ev == PTRACE_EVENT_SECCOMP) {
      unsigned long msg = 0;
      long g = ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
      /* Skip the syscall. It must never continue otherwise: if the skip
       * cannot be set, the child dies first (SIGKILL is acted on before the
       * syscall could run). */
      if (probe_skip_syscall(pid) < 0 || g < 0) {
        probe_kill(pidfd);
        continue;
      }
      if (PROBE_LOAD(&sh->state) == ST_RUNNING) {
        struct probe_raw *rw = &cx->job.raw[cx->job.idx[PROBE_LOAD(&sh->pos)]];
        if (rw->traced++ == 0) rw->msg = (uint32_t)msg;
      }
      __atomic_add_fetch(&sh->beat, 1u, __ATOMIC_RELEASE);
      ptrace(PTRACE_CONT, pid, 0, 0);
    } else if (ev == PTRACE_EVENT_STOP) {
      ptrace(PTRACE_CONT, pid, 0, 0);
    } else {
      /* Signal-delivery stop: deliver it (SIGSYS to the handler; SIGILL from
       * a final ud2 ends the child). */
      ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig);
    }
  }
}

/* Run idx[0..count) through children until every case has a result.
 * guard: NULL for the execute pass. Returns 0 or -errno. */
static int probe_pass(struct probe_ctx *cx, const uint32_t *idx, uint32_t count, const struct sock_fprog *guard, int traced,
                      int multi, int execute) {
  struct probe_job *job = &cx->job;
  struct probe_shared *sh = job->sh;
  uint32_t start = 0;
  job->idx = idx;
  job->count = count;
  job->guard = guard;
  job->multi = (uint32_t)multi;
  for (uint32_t p = 0; p < count; p++) {
    memset(&job->raw[idx[p]], 0, sizeof(struct probe_raw));
    cx->seen[idx[p]].kind = SEEN_NONE;
  }
  while (start < count) {
    memset(sh, 0, sizeof *sh);
    job->start = start;
    sh->pos = start;
    sh->go = traced ? 0u : 1u;
    int pidfd = -1;
    pid_t pid;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    if (execute) {
      struct probe_thread *t = &cx->exec_thread;
      t->job = job;
      pid = (pid_t)syscall(SYS_clone, (unsigned long)CLONE_PIDFD, 0L, &pidfd, 0L, 0L);
      if (pid == 0) probe_execute_child(t);
    } else {
      pid = clone(probe_child_main, (char *)cx->main_thread + PROBE_STACK, CLONE_VM | CLONE_PIDFD, cx->main_thread, &pidfd);
    }
    int ce = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) return -ce;
    if (traced) {
      if (ptrace(PTRACE_SEIZE, pid, 0, (void *)(long)(PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)) < 0) {
        int e = errno;
        int st;
        probe_kill(pidfd);
        while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR) {
        }
        close(pidfd);
        return -e;
      }
      PROBE_STORE(&sh->go, 1u);
    }
    probe_watch_arm(&cx->watch, pidfd);
    int status = 0;
    int rc = probe_wait(cx, pid, pidfd, traced, &status);
    int fired = probe_watch_disarm(&cx->watch);
    if (rc < 0) {
      close(pidfd);
      return rc;
    }
    close(pidfd);

    uint32_t state = PROBE_LOAD(&sh->state);
    if (state == ST_DONE) {
      for (uint32_t p = start; p < count; p++) cx->seen[idx[p]].kind = SEEN_CHILD;
      break;
    }
    if (state == ST_SETUP_FAILED) return sh->err ? -sh->err : -EPROTO;
    if (state == ST_INSTALL_FAILED || state == ST_INSTALLING || state == ST_BOOT) {
      struct probe_seen s = {SEEN_INSTALL_FAILED, 0, sh->err};
      if (state == ST_INSTALL_FAILED) {
        if (sh->install_trap) s.sig = SIGSYS;
      } else if (fired) {
        s.kind = SEEN_TIMEOUT;
      } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
        s.sig = SIGSYS; /* killed by a filter under test while installing */
      } else if (multi && sh->wdied && state == ST_INSTALLING) {
        s.sig = SIGSYS; /* KILL_THREAD on the worker's seccomp() */
      } else {
        return -EPROTO;
      }
      for (uint32_t p = start; p < count; p++) cx->seen[idx[p]] = s;
      break;
    }
    /* ST_RUNNING: cases before pos are done; the child ended in pos. */
    uint32_t pos = PROBE_LOAD(&sh->pos);
    if (pos < start || pos >= count) return -EPROTO;
    for (uint32_t p = start; p < pos; p++) cx->seen[idx[p]].kind = SEEN_CHILD;
    struct probe_seen *s = &cx->seen[idx[pos]];
    uint32_t phase = PROBE_LOAD(&job->raw[idx[pos]].phase);
    if (phase == PH_RETURNED || phase == PH_TRAPPED) {
      s->kind = SEEN_CHILD; /* the child ended between two cases */
    } else if (phase == PH_THREAD_KILLED) {
      s->kind = SEEN_THREAD_KILLED;
      s->sig = SIGSYS;
    } else if (fired) {
      s->kind = SEEN_TIMEOUT;
    } else if (WIFSIGNALED(status)) {
      s->kind = SEEN_KILLED;
      s->sig = WTERMSIG(status);
    } else {
      return -EPROTO;
    }
    start = pos + 1;
  }
  return 0;
}

/* ---- choosing S and G ---- */

struct probe_scan {
  uint8_t errno_used[MAX_ERRNO + 1];
  uint8_t trace_used[65536];
  int ret_a;
  int hidden; /* can return an unknown action weaker than TRACE (see SC_WEAK) */
  int notif;  /* can return USER_NOTIF (RET A included) */
};

static void probe_scan_programs(struct probe_scan *s, const struct sock_filter *insns, uint32_t total) {
  for (uint32_t i = 0; i < total; i++) {
    const struct sock_filter *f = &insns[i];
    if (BPF_CLASS(f->code) != BPF_RET) continue;
    if (BPF_RVAL(f->code) == BPF_A) {
      s->ret_a = 1;
      s->hidden = 1;
      s->notif = 1;
      continue;
    }
    uint32_t action = f->k & SECCOMP_RET_ACTION_FULL, data = f->k & SECCOMP_RET_DATA;
    if (action > SECCOMP_RET_TRACE && action < SECCOMP_RET_ALLOW && action != SECCOMP_RET_LOG) s->hidden = 1;
    if (action == SECCOMP_RET_ERRNO) s->errno_used[data > MAX_ERRNO ? MAX_ERRNO : data] = 1;
    if (action == SECCOMP_RET_TRACE) s->trace_used[data] = 1;
    if (action == SECCOMP_RET_USER_NOTIF) s->notif = 1;
  }
}

static uint64_t probe_random(void) {
  uint64_t v = 0;
  if (syscall(SYS_getrandom, &v, sizeof v, 0) != (long)sizeof v) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    v = ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 17) ^ (uint64_t)(uintptr_t)&v;
  }
  return v;
}

static uint32_t probe_pick(const uint8_t *used, uint32_t lo, uint32_t hi, uint32_t avoid, uint64_t r) {
  uint32_t span = hi - lo + 1;
  for (uint32_t i = 0; i < span; i++) {
    uint32_t v = lo + (uint32_t)((r + i) % span);
    if (!used[v] && v != avoid) return v;
  }
  return lo + (uint32_t)(r % span); /* every value used: pass 2 / 3 still resolve it */
}

/* ---- sc_run ---- */
/* SC_NOT_RUN (kind 0) is what `out` holds for the exempt cases (probe_exempt_case). */

static void *probe_map(size_t size, int shared) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

int32_t sc_run(const uint8_t *insns, const uint32_t *lens, uint32_t n, const struct sc_case *cases, uint32_t ncases,
               uint32_t opts, uint32_t timeout_ms, struct sc_outcome *out) {
  if (ncases == 0) return 0;
  if (!cases || !out || (n && !lens) || (opts & ~(SC_RUN_MULTI | SC_RUN_EXECUTE | SC_RUN_LISTENER | SC_RUN_OUTER))) return -EINVAL;
  for (uint32_t i = 0; i < ncases; i++) {
    if (cases[i].abi > SC_ABI_X32) return -EINVAL;
#if !defined(__x86_64__)
    if (cases[i].abi != SC_ABI_NATIVE) return -EINVAL; /* i386 and x32 are x86_64 kernels' */
#endif
  }
  if (timeout_ms == 0) timeout_ms = PROBE_DEFAULT_TIMEOUT_MS;
  /* A caller under a seccomp filter would pass it to every child: the
   * outcomes would be those of its filter and the stack together. */
  if (!(opts & SC_RUN_OUTER) && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0) return -EALREADY;

  int rc = 0;
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++) total += lens[i];
  if (total && !insns) return -EINVAL;
  if (total > (1u << 24)) return -E2BIG;

  /* Everything the children read is copied into memory we own. */
  size_t prog_bytes = (size_t)total * sizeof(struct sock_filter);
  size_t shared_bytes = (sizeof(struct probe_shared) + 63) / 64 * 64 + (size_t)ncases * sizeof(struct probe_raw);
  struct sock_filter *filt = malloc(prog_bytes ? prog_bytes : 1);
  struct sock_fprog *progs = calloc(n ? n : 1, sizeof *progs);
  struct sc_case *cs = malloc((size_t)ncases * sizeof *cs);
  uint32_t *idx = malloc((size_t)ncases * sizeof *idx);
  uint32_t *idx2 = malloc((size_t)ncases * sizeof *idx2);
  struct probe_seen *seen = calloc(ncases, sizeof *seen);
  struct probe_scan *scan = calloc(1, sizeof *scan);
  uint8_t *shared = probe_map(shared_bytes, 1);
  uint8_t *stack1 = probe_map(2 * PROBE_STACK, 0);
  uint8_t *stack2 = (opts & SC_RUN_MULTI) ? probe_map(2 * PROBE_STACK, 0) : NULL;
  struct probe_ctx *cx = calloc(1, sizeof *cx);
  int watching = 0;
  if (!filt || !progs || !cs || !idx || !idx2 || !seen || !scan || !shared || !stack1 || ((opts & SC_RUN_MULTI) && !stack2) || !cx) {
    rc = -ENOMEM;
    goto done;
  }
  if (prog_bytes) memcpy(filt, insns, prog_bytes);
  memcpy(cs, cases, (size_t)ncases * sizeof *cs);
  for (uint32_t i = 0, at = 0; i < n; i++) {
    /* sock_fprog.len is 16 bits; the kernel refuses anything over 4096 with
     * EINVAL before reading, and so it does with 65535. */
    progs[i].len = (unsigned short)(lens[i] > 0xffff ? 0xffff : lens[i]);
    progs[i].filter = filt + at;
    at += lens[i];
  }
  probe_scan_programs(scan, filt, (uint32_t)total);

  uint64_t magic;
  for (;;) {
    magic = probe_random();
    int clash = 0;
    for (uint32_t i = 0; i < ncases && !clash; i++) clash = cs[i].args[3] == magic;
    if (!clash && (uint32_t)magic != (uint32_t)(magic >> 32)) break;
  }
  uint64_t r = probe_random();
  const uint32_t S = probe_pick(scan->errno_used, 3000, 4094, 38, r);
  const uint32_t G = probe_pick(scan->trace_used, 1, 0xffff, 0, r >> 20);

  struct sock_filter guard_errno[GUARD_LEN], guard_trace[GUARD_LEN], guard_trace2[GUARD_LEN];
  probe_guard(guard_errno, magic, SECCOMP_RET_ERRNO | S);
  probe_guard(guard_trace, magic, SECCOMP_RET_TRACE | G);
  const uint32_t G2 = G == 1 ? 2 : 1;
  probe_guard(guard_trace2, magic, SECCOMP_RET_TRACE | G2);
  struct sock_fprog fp_errno = {GUARD_LEN, guard_errno}, fp_trace = {GUARD_LEN, guard_trace}, fp_trace2 = {GUARD_LEN, guard_trace2};

  cx->seen = seen;
  cx->job.sh = (struct probe_shared *)shared;
  cx->job.raw = (struct probe_raw *)(shared + (sizeof(struct probe_shared) + 63) / 64 * 64);
  cx->job.cases = cs;
  cx->job.progs = progs;
  cx->job.nprogs = n;
  cx->job.magic = magic;
  cx->job.parent_pid = getpid();
  cx->job.listener = (opts & SC_RUN_LISTENER) && n > 0;
  cx->main_thread = (struct probe_thread *)(((uintptr_t)stack1 + PROBE_STACK - 1) & ~(uintptr_t)(PROBE_STACK - 1));
  cx->main_thread->job = &cx->job;
  if (stack2) {
    cx->job.wthread = (struct probe_thread *)(((uintptr_t)stack2 + PROBE_STACK - 1) & ~(uintptr_t)(PROBE_STACK - 1));
    cx->job.wthread->job = &cx->job;
  }
  rc = probe_watch_start(&cx->watch, &cx->job.sh->beat, &cx->job.sh->state, timeout_ms);
  if (rc < 0) goto done;
  watching = 1;

  memset(out, 0, (size_t)ncases * sizeof *out);

  /* Pass 1: the ERRNO guard. Cases the kernel exempts from seccomp are
   * never made (SC_NOT_RUN). */
  uint32_t n1 = 0;
  for (uint32_t i = 0; i < ncases; i++)
    if (!probe_exempt_case(&cs[i])) idx[n1++] = i;
  if (n1) {
    rc = probe_pass(cx, idx, n1, &fp_errno, 0, !!(opts & SC_RUN_MULTI), 0);
    if (rc < 0) goto done;
  }
  uint32_t n2 = 0;
  for (uint32_t p1 = 0; p1 < n1; p1++) {
    uint32_t i = idx[p1];
    struct sc_outcome *o = &out[i];
    const struct probe_seen *s = &seen[i];
    const struct probe_raw *rw = &cx->job.raw[i];
    switch (s->kind) {
      case SEEN_INSTALL_FAILED:
        o->kind = SC_INSTALL_FAILED;
        o->errno_val = s->err;
        o->signal = s->sig;
        break;
      case SEEN_TIMEOUT:
        o->kind = SC_TIMEOUT;
        break;
      case SEEN_KILLED:
        o->kind = SC_KILLED_PROCESS;
        o->signal = s->sig;
        break;
      case SEEN_THREAD_KILLED:
        o->kind = SC_KILLED_THREAD;
        o->signal = s->sig;
        break;
      case SEEN_CHILD:
        if (rw->phase == PH_TRAPPED) {
          if (rw->si_code != 1 /* SYS_SECCOMP */) {
            rc = -EPROTO;
            goto done;
          }
          o->kind = SC_TRAP;
          o->signal = SIGSYS;
          o->si_errno = rw->si_errno;
          o->si_syscall = rw->si_syscall;
          o->si_arch = rw->si_arch;
        } else if (rw->phase == PH_RETURNED && rw->ret == -(int64_t)S) {
          idx2[n2++] = i;
        } else if (rw->phase == PH_RETURNED && rw->ret <= 0 && rw->ret >= -(int64_t)MAX_ERRNO) {
          o->kind = SC_ERRNO;
          o->errno_val = (int32_t)-rw->ret;
        } else {
          rc = -EPROTO; /* a value the guard cannot produce */
          goto done;
        }
        break;
      default:
        rc = -EPROTO;
        goto done;
    }
  }

  /* Pass 2 (and 3): the TRACE guard, for the cases that got the sentinel. */
  const struct sock_fprog *pass_guard = &fp_trace;
  uint32_t pass_g = G;
  for (int pass = 2; pass <= 3 && n2 > 0; pass++) {
    rc = probe_pass(cx, idx2, n2, pass_guard, 1, 0, 0);
    if (rc < 0) goto done;
    uint32_t n3 = 0;
    for (uint32_t p = 0; p < n2; p++) {
      uint32_t i = idx2[p];
      struct sc_outcome *o = &out[i];
      const struct probe_seen *s = &seen[i];
      const struct probe_raw *rw = &cx->job.raw[i];
      memset(o, 0, sizeof *o);
      if (s->kind == SEEN_TIMEOUT) {
        o->kind = SC_TIMEOUT;
      } else if (s->kind == SEEN_KILLED) {
        o->kind = SC_KILLED_PROCESS;
        o->signal = s->sig;
      } else if (s->kind != SEEN_CHILD) {
        rc = -EPROTO; /* installed in pass 1 but not now */
        goto done;
      } else if (rw->traced) {
        if (rw->msg == pass_g) {
          if (pass == 2 && scan->ret_a) {
            idx2[n3++] = i; /* weaker than TRACE, or a computed TRACE(G): ask again with G2 */
          } else {
            /* Weaker than TRACE: ALLOW or LOG (LOG differs only by an audit
             * record), or, if the stack can return one, an unknown action
             * in that band, which kills. */
            o->kind = scan->hidden ? SC_WEAK : SC_ALLOWED;
          }
        } else if (pass == 3 && rw->msg == G) {
          o->kind = SC_ENOSYS_TRACE;
          o->errno_val = ENOSYS;
          o->data = G;
        } else {
          o->kind = SC_ENOSYS_TRACE;
          o->errno_val = ENOSYS;
          o->data = rw->msg;
        }
      } else if (rw->phase == PH_RETURNED && rw->ret == -ENOSYS && !((opts & SC_RUN_OUTER) && !scan->notif)) {
        o->kind = SC_ENOSYS_NOTIF;
        o->errno_val = ENOSYS;
      } else if (rw->phase == PH_RETURNED && rw->ret == -(int64_t)S) {
        o->kind = SC_ERRNO;
        o->errno_val = (int32_t)S;
      } else if ((opts & SC_RUN_OUTER) && rw->phase == PH_RETURNED && rw->ret < 0 && rw->ret >= -(int64_t)MAX_ERRNO) {
        /* The outer filter's ERRNO beat the TRACE guard (the stack's action is weaker than ERRNO; with no USER_NOTIF in the stack, -ENOSYS is this too). */
        o->kind = SC_ERRNO;
        o->errno_val = (int32_t)-rw->ret;
      } else if (rw->phase == PH_TRAPPED) {
        o->kind = SC_TRAP;
        o->signal = SIGSYS;
        o->si_errno = rw->si_errno;
        o->si_syscall = rw->si_syscall;
        o->si_arch = rw->si_arch;
      } else {
        rc = -EPROTO;
        goto done;
      }
    }
    n2 = n3;
    pass_guard = &fp_trace2;
    pass_g = G2;
  }

  /* SC_RUN_EXECUTE: the allowed safe cases, for real, in a forked child. */
  if (opts & SC_RUN_EXECUTE) {
    uint32_t ne = 0;
    for (uint32_t i = 0; i < ncases; i++)
      if ((out[i].kind == SC_ALLOWED || out[i].kind == SC_WEAK) && probe_safe_case(&cs[i])) idx2[ne++] = i;
    if (ne) {
      rc = probe_pass(cx, idx2, ne, NULL, 0, 0, 1);
      if (rc < 0) goto done;
      for (uint32_t p = 0; p < ne; p++) {
        uint32_t i = idx2[p];
        const struct probe_raw *rw = &cx->job.raw[i];
        if (seen[i].kind == SEEN_CHILD && rw->phase == PH_RETURNED) {
          out[i].kind = SC_EXECUTED;
          out[i].ret = rw->ret;
        } else if (seen[i].kind == SEEN_TIMEOUT) {
          out[i].kind = SC_TIMEOUT;
        } else if (seen[i].kind == SEEN_KILLED) {
          out[i].kind = SC_KILLED_PROCESS;
          out[i].signal = seen[i].sig;
        }
      }
    }
  }
  rc = (int32_t)ncases;

done:
  if (watching) probe_watch_stop(&cx->watch);
  free(cx);
  if (stack2) munmap(stack2, 2 * PROBE_STACK);
  if (stack1) munmap(stack1, 2 * PROBE_STACK);
  if (shared) munmap(shared, shared_bytes);
  free(scan);
  free(seen);
  free(idx2);
  free(idx);
  free(cs);
  free(progs);
  free(filt);
  return rc;
}

#else /* neither x86_64 nor aarch64 */

int32_t sc_run(const uint8_t *insns, const uint32_t *lens, uint32_t n, const struct sc_case *cases, uint32_t ncases,
               uint32_t opts, uint32_t timeout_ms, struct sc_outcome *out) {
  (void)insns, (void)lens, (void)n, (void)cases, (void)ncases, (void)opts, (void)timeout_ms, (void)out;
  return -ENOSYS; /* the guarded probe is written for x86_64 and aarch64 */
}

#endif
