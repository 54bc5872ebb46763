/* sc_check_tsync: what SECCOMP_FILTER_FLAG_TSYNC does to threads that
 * already exist (see probe.h for the protocol). The child's threads are made
 * with clone() and never call libc after they start: they share the main
 * thread's TLS, and after the install they make no system call except the
 * probe, so the program under test cannot hit them anywhere else. */
#include "probe.h"
#include "install_child.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREAD_STACK (64 * 1024)
#define STEP_TIMEOUT_MS 500

struct tsync_th {
  int32_t alive;      /* the kernel writes the TID here (CLONE_PARENT_SETTID) and clears it when the thread exits */
  int32_t tid;
  uint32_t ready;
  uint32_t probed;
  uint32_t trapped;
  uint32_t si_errno;
  int32_t own_ret, own_err;
  int64_t probe_ret;
};

struct tsync_shared {
  uint32_t phase;     /* 0 starting, 1 installed, 2 setup failed */
  int32_t turn;       /* which thread makes its probe now (-1: none yet) */
  int32_t setup_err;
  int32_t guard_ret, guard_err, ret, err;
  uint32_t nthreads, diverge;
  long probe_nr;
  struct sock_filter guard[4];
  struct sock_filter own[4];
  struct tsync_th th[SC_TSYNC_MAX_THREADS + 1];
};

/* native/install.ts decodes these at fixed offsets. */
_Static_assert(sizeof(struct sc_tsync_thread) == 40, "sc_tsync_thread layout");
_Static_assert(sizeof(struct sc_tsync_result) == 24, "sc_tsync_result layout");
_Static_assert(sizeof(struct sc_install_step) == 8, "sc_install_step layout");

/* The child's view of the shared page (each forked child has its own copy of this variable). */
static struct tsync_shared *g_tsync;

static void on_sigsys(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)uc;
  struct tsync_shared *sh = g_tsync;
  int k = SC_LOAD(&sh->turn);
  if (k < 0 || (uint32_t)k > sh->nthreads) return;
  sh->th[k].si_errno = (uint32_t)si->si_errno;
  SC_STORE(&sh->th[k].trapped, 1);
}

/* Wait for our turn without a system call, make the probe, record it, spin until killed. */
static __attribute__((noreturn)) void probe_in_turn(struct tsync_shared *sh, int k) {
  struct tsync_th *t = &sh->th[k];
  while (SC_LOAD(&sh->turn) != k) sc_cpu_relax();
  long r = sc_raw6(sh->probe_nr, 0, 0, 0, 0, 0, 0);
  t->probe_ret = r;
  SC_STORE(&t->probed, 1);
  for (;;) sc_cpu_relax();
}

static int sibling(void *arg) {
  struct tsync_shared *sh = g_tsync;
  int i = (int)(intptr_t)arg;
  struct tsync_th *t = &sh->th[i];
  t->tid = (int32_t)sc_raw0(SYS_gettid);
  if (sh->diverge & (1u << (i - 1))) {
    struct sock_fprog own = { 4, sh->own };
    long r = sc_raw3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &own);
    t->own_ret = r < 0 ? -1 : (int32_t)r;
    t->own_err = r < 0 ? (int32_t)-r : 0;
  }
  SC_STORE(&t->ready, 1);
  probe_in_turn(sh, i);
}

static __attribute__((noreturn)) void setup_failed(struct tsync_shared *sh, long err) {
  sh->setup_err = (int32_t)(err < 0 ? err : -err);
  SC_STORE(&sh->phase, 2);
  sc_child_exit(0);
}

static __attribute__((noreturn)) void tsync_child(struct tsync_shared *sh, const uint8_t *insns, uint32_t len, uint32_t flags) {
  g_tsync = sh;
  long r = sc_raw6(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
  if (r < 0) setup_failed(sh, r);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  if (sigaction(SIGSYS, &sa, NULL) != 0) setup_failed(sh, errno);
  sh->th[0].tid = (int32_t)sc_raw0(SYS_gettid);
  for (uint32_t i = 1; i <= sh->nthreads; i++) {
    void *stack = mmap(NULL, THREAD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) setup_failed(sh, errno);
    int cf = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    int tid = clone(sibling, (char *)stack + THREAD_STACK, cf, (void *)(intptr_t)i, &sh->th[i].alive, NULL, &sh->th[i].alive);
    if (tid < 0) setup_failed(sh, errno);
  }
  for (uint32_t i = 1; i <= sh->nthreads; i++) {
    while (!SC_LOAD(&sh->th[i].ready)) sc_raw0(SYS_sched_yield);
  }
  /* From here the siblings make no system call until their turn. */
  struct sock_fprog guard = { 4, sh->guard };
  r = sc_raw3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &guard);
  sh->guard_ret = r < 0 ? -1 : (int32_t)r;
  sh->guard_err = r < 0 ? (int32_t)-r : 0;
  struct sock_fprog prog = { (unsigned short)len, (struct sock_filter *)insns };
  r = sc_raw3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  sh->ret = r < 0 ? -1 : (int32_t)r;
  sh->err = r < 0 ? (int32_t)-r : 0;
  SC_STORE(&sh->phase, 1);
  probe_in_turn(sh, 0);
}

/* The harmless getters a probe may call: unfiltered threads really run them. */
static int harmless(long nr) {
  static const long ok[] = {
    SYS_getpid, SYS_getppid, SYS_gettid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_sched_yield,
#ifdef SYS_getpgrp
    SYS_getpgrp,
#endif
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    if (ok[i] == nr) return 1;
  return 0;
}

/* ERRNO(err) for syscall `nr` (any arch: the probe is always native), else ALLOW. */
static void errno_for(struct sock_filter *f, long nr, uint32_t err) {
  f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
  f[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1);
  f[2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err);
  f[3] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
}

static void task_status_path(char *buf, size_t cap, pid_t pid, int32_t tid) {
  snprintf(buf, cap, "/proc/%d/task/%d/status", (int)pid, (int)tid);
}

/* After a thread died: did only the thread die (KILL_THREAD), or is the whole
 * process going (KILL_PROCESS)? The main thread spins in user space until
 * its turn, so while it is still running the process lives on. */
static int process_ending(pid_t pid, int32_t main_tid) {
  char path[96];
  task_status_path(path, sizeof path, pid, main_tid);
  int64_t start = sc_now_ms();
  for (;;) {
    if (!sc_child_running(pid)) return 1;
    int64_t waited = sc_now_ms() - start;
    char st = sc_proc_status_state(path);
    if (waited >= 5 && st == 'R') return 0;
    if (waited >= 200) return 0;
    sc_sleep_us(200);
  }
}

int32_t sc_check_tsync(const uint8_t *insns, uint32_t len, uint32_t flags, uint32_t nthreads, uint32_t diverge_mask,
                       int32_t probe_nr, uint32_t timeout_ms, struct sc_tsync_result *res, struct sc_tsync_thread *threads) {
  if (!res || !threads || nthreads > SC_TSYNC_MAX_THREADS || len > 0xffff || (len > 0 && !insns)) return -EINVAL;
  if (nthreads < 32 && (diverge_mask >> nthreads) != 0) return -EINVAL;
  long nr = probe_nr < 0 ? SYS_getppid : probe_nr;
  if (!harmless(nr)) return -EINVAL;
  memset(res, 0, sizeof *res);
  memset(threads, 0, (nthreads + 1) * sizeof *threads);
  for (uint32_t i = 0; i <= nthreads; i++) threads[i].mode = threads[i].filters = -1;

  struct tsync_shared *sh = sc_shared_alloc(sizeof *sh);
  if (!sh) return -ENOMEM;
  sh->turn = -1;
  sh->nthreads = nthreads;
  sh->diverge = diverge_mask;
  sh->probe_nr = nr;
  errno_for(sh->guard, nr, SC_TSYNC_GUARD_ERRNO);
  errno_for(sh->own, nr, SC_TSYNC_OWN_ERRNO);
  int64_t deadline = sc_now_ms() + (timeout_ms ? timeout_ms : SC_DEFAULT_TIMEOUT_MS);

  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    sc_shared_free(sh, sizeof *sh);
    return -e;
  }
  if (pid == 0) tsync_child(sh, insns, len, flags);
  res->pid = pid;

  int status = 0;
  int32_t result = 0;
  int dead = 0; /* the child died by itself */
  /* 1. until the install is done */
  for (long nap = 20;;) {
    if (SC_LOAD(&sh->phase)) break;
    if (!sc_child_running(pid)) {
      dead = 1;
      break;
    }
    if (sc_now_ms() >= deadline) {
      result = -ETIMEDOUT;
      break;
    }
    sc_sleep_us(nap);
    if (nap < 1000) nap *= 2;
  }
  if (result == 0 && !dead && SC_LOAD(&sh->phase) == 2) result = sh->setup_err ? sh->setup_err : -EPROTO;
  if (result == 0 && dead) result = -EPROTO;

  if (result == 0) {
    res->guard_ret = sh->guard_ret;
    res->guard_err = sh->guard_err;
    res->ret = sh->ret;
    res->err = sh->err;
    char path[96];
    for (uint32_t i = 0; i <= nthreads; i++) {
      struct tsync_th *t = &sh->th[i];
      threads[i].tid = t->tid;
      threads[i].own_ret = t->own_ret;
      threads[i].own_err = t->own_err;
      task_status_path(path, sizeof path, pid, t->tid);
      threads[i].mode = sc_proc_status_int(path, "Seccomp");
      threads[i].filters = sc_proc_status_int(path, "Seccomp_filters");
    }
    /* 2. the probes, one thread at a time: siblings first, then the main thread */
    for (uint32_t step = 0; step <= nthreads && !dead; step++) {
      int k = step < nthreads ? (int)step + 1 : 0;
      struct tsync_th *t = &sh->th[k];
      SC_STORE(&sh->turn, k);
      int64_t step_deadline = sc_now_ms() + STEP_TIMEOUT_MS;
      if (step_deadline > deadline) step_deadline = deadline;
      task_status_path(path, sizeof path, pid, t->tid);
      for (long nap = 20;;) {
        if (SC_LOAD(&t->probed)) {
          threads[k].state = SC_LOAD(&t->trapped) ? SC_PROBE_TRAPPED : SC_PROBE_RETURNED;
          threads[k].probe_ret = t->probe_ret;
          threads[k].si_errno = t->si_errno;
          break;
        }
        if ((k > 0 && SC_LOAD(&t->alive) == 0) || (k == 0 && sc_proc_status_state(path) == 'Z')) {
          threads[k].state = SC_PROBE_GONE;
          dead = process_ending(pid, sh->th[0].tid);
          break;
        }
        if (!sc_child_running(pid)) {
          threads[k].state = SC_PROBE_GONE;
          dead = 1;
          break;
        }
        if (sc_now_ms() >= step_deadline) {
          char st = sc_proc_status_state(path);
          threads[k].state = st == 0 || st == 'Z' || st == 'X' ? SC_PROBE_GONE : SC_PROBE_BLOCKED;
          break;
        }
        sc_sleep_us(nap);
        if (nap < 1000) nap *= 2;
      }
    }
  }
  /* 3. end the child and reap it (noting whether it had died by itself) */
  if (!dead && !sc_child_running(pid)) dead = 1;
  static const uint32_t finished = 1;
  sc_reap_child(pid, dead ? NULL : &finished, deadline + 1000, &status);
  if (dead && WIFSIGNALED(status)) res->signal = WTERMSIG(status);
  sc_shared_free(sh, sizeof *sh);
  return result;
}
