/* The code that runs inside the guarded probe's children (see probe.c for
 * the design). Everything here runs with a shared address space and the
 * caller thread's TLS, so it uses no libc state: raw system calls only, no
 * errno, no malloc, no globals. After the guard is installed the only
 * system calls made are the probe's own seccomp() and exit_group() calls,
 * tagged with the magic in args[3], and the syscall under test. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "probe_internal.h"
#include "raw_syscall.h"

#if defined(__x86_64__) || defined(__aarch64__)

/* The syscall under test, exactly as the case says: every argument register
 * gets the full 64-bit value.
 *   probe_sys_native: `syscall`, rax = nr (sign-extended; x32 numbers carry
 *     0x40000000), args in rdi, rsi, rdx, r10, r8, r9.
 *   probe_sys_i386: `int $0x80` from this 64-bit thread, eax = nr, args in
 *     ebx, ecx, edx, esi, edi, ebp as full 64-bit registers (the filter sees
 *     the high halves, SEMANTICS §5.2). rbx and rbp are callee-saved, so
 *     they are saved here; a SIGSYS that leaves through probe_longjmp skips
 *     the pops, which is fine: probe_longjmp restores them.
 * Both are called as ordinary functions (rcx, r11 and the argument
 * registers are caller-saved).
 * aarch64 has only probe_sys_native: `svc #0`, x8 = nr (sign-extended), args
 * in x0-x5; x9 is a scratch register in the AAPCS64. */
PROBE_HIDDEN int64_t probe_sys_native(int64_t nr, const uint64_t *args);
#if defined(__x86_64__)
PROBE_HIDDEN int64_t probe_sys_i386(int64_t nr, const uint64_t *args);
#endif
/* setjmp/longjmp without signal masks, TLS or pointer mangling: the child
 * must leave a SIGSYS handler without rt_sigreturn or sigprocmask, which the
 * guard (or the filters under test) may deny. */
PROBE_HIDDEN int probe_setjmp(uint64_t *jb) __attribute__((returns_twice));
PROBE_HIDDEN __attribute__((noreturn)) void probe_longjmp(uint64_t *jb, int v);
/* sa_restorer (x86_64 needs one to deliver a signal, aarch64 would use the
 * vDSO's; the probe never returns from its handler). */
PROBE_HIDDEN void probe_restorer(void);

#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".globl probe_sys_native\n"
    ".hidden probe_sys_native\n"
    ".type probe_sys_native,@function\n"
    "probe_sys_native:\n"
    "  mov %rdi, %rax\n"
    "  mov 0(%rsi), %rdi\n"
    "  mov 16(%rsi), %rdx\n"
    "  mov 24(%rsi), %r10\n"
    "  mov 32(%rsi), %r8\n"
    "  mov 40(%rsi), %r9\n"
    "  mov 8(%rsi), %rsi\n"
    "  syscall\n"
    "  ret\n"
    ".size probe_sys_native, .-probe_sys_native\n"
    "\n"
    ".p2align 4\n"
    ".globl probe_sys_i386\n"
    ".hidden probe_sys_i386\n"
    ".type probe_sys_i386,@function\n"
    "probe_sys_i386:\n"
    "  push %rbx\n"
    "  push %rbp\n"
    "  mov %rdi, %rax\n"
    "  mov %rsi, %r11\n"
    "  mov 0(%r11), %rbx\n"
    "  mov 8(%r11), %rcx\n"
    "  mov 16(%r11), %rdx\n"
    "  mov 24(%r11), %rsi\n"
    "  mov 32(%r11), %rdi\n"
    "  mov 40(%r11), %rbp\n"
    "  int $0x80\n"
    "  pop %rbp\n"
    "  pop %rbx\n"
    "  ret\n"
    ".size probe_sys_i386, .-probe_sys_i386\n"
    "\n"
    ".p2align 4\n"
    ".globl probe_setjmp\n"
    ".hidden probe_setjmp\n"
    ".type probe_setjmp,@function\n"
    "probe_setjmp:\n"
    "  mov %rbx, 0(%rdi)\n"
    "  mov %rbp, 8(%rdi)\n"
    "  mov %r12, 16(%rdi)\n"
    "  mov %r13, 24(%rdi)\n"
    "  mov %r14, 32(%rdi)\n"
    "  mov %r15, 40(%rdi)\n"
    "  lea 8(%rsp), %rdx\n"
    "  mov %rdx, 48(%rdi)\n"
    "  mov (%rsp), %rdx\n"
    "  mov %rdx, 56(%rdi)\n"
    "  xor %eax, %eax\n"
    "  ret\n"
    ".size probe_setjmp, .-probe_setjmp\n"
    "\n"
    ".p2align 4\n"
    ".globl probe_longjmp\n"
    ".hidden probe_longjmp\n"
    ".type probe_longjmp,@function\n"
    "probe_longjmp:\n"
    "  mov 0(%rdi), %rbx\n"
    "  mov 8(%rdi), %rbp\n"
    "  mov 16(%rdi), %r12\n"
    "  mov 24(%rdi), %r13\n"
    "  mov 32(%rdi), %r14\n"
    "  mov 40(%rdi), %r15\n"
    "  mov 48(%rdi), %rsp\n"
    "  mov %esi, %eax\n"
    "  jmp *56(%rdi)\n"
    ".size probe_longjmp, .-probe_longjmp\n"
    "\n"
    ".p2align 4\n"
    ".globl probe_restorer\n"
    ".hidden probe_restorer\n"
    ".type probe_restorer,@function\n"
    "probe_restorer:\n"
    "  mov $15, %eax\n"
    "  syscall\n"
    "  ud2\n"
    ".size probe_restorer, .-probe_restorer\n");
#else /* __aarch64__: no i386 ABI; x8 = nr, args in x0-x5 */
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".globl probe_sys_native\n"
    ".hidden probe_sys_native\n"
    ".type probe_sys_native,%function\n"
    "probe_sys_native:\n"
    "  mov x8, x0\n"
    "  mov x9, x1\n"
    "  ldp x0, x1, [x9, #0]\n"
    "  ldp x2, x3, [x9, #16]\n"
    "  ldp x4, x5, [x9, #32]\n"
    "  svc #0\n"
    "  ret\n"
    ".size probe_sys_native, .-probe_sys_native\n"
    "\n"
    ".p2align 4\n"
    ".globl probe_setjmp\n"
    ".hidden probe_setjmp\n"
    ".type probe_setjmp,%function\n"
    "probe_setjmp:\n"
    "  stp x19, x20, [x0, #0]\n"
    "  stp x21, x22, [x0, #16]\n"
    "  stp x23, x24, [x0, #32]\n"
    "  stp x25, x26, [x0, #48]\n"
    "  stp x27, x28, [x0, #64]\n"
    "  stp x29, x30, [x0, #80]\n"
    "  mov x9, sp\n"
    "  str x9, [x0, #96]\n"
    "  stp d8, d9, [x0, #104]\n"
    "  stp d10, d11, [x0, #120]\n"
    "  stp d12, d13, [x0, #136]\n"
    "  stp d14, d15, [x0, #152]\n"
    "  mov w0, #0\n"
    "  ret\n"
    ".size probe_setjmp, .-probe_setjmp\n"
    "\n"
    ".p2align 4\n"
    ".globl probe_longjmp\n"
    ".hidden probe_longjmp\n"
    ".type probe_longjmp,%function\n"
    "probe_longjmp:\n"
    "  ldp x19, x20, [x0, #0]\n"
    "  ldp x21, x22, [x0, #16]\n"
    "  ldp x23, x24, [x0, #32]\n"
    "  ldp x25, x26, [x0, #48]\n"
    "  ldp x27, x28, [x0, #64]\n"
    "  ldp x29, x30, [x0, #80]\n"
    "  ldr x9, [x0, #96]\n"
    "  mov sp, x9\n"
    "  ldp d8, d9, [x0, #104]\n"
    "  ldp d10, d11, [x0, #120]\n"
    "  ldp d12, d13, [x0, #136]\n"
    "  ldp d14, d15, [x0, #152]\n"
    "  mov w0, w1\n"
    "  ret\n"
    ".size probe_longjmp, .-probe_longjmp\n"
    "\n"
    ".p2align 4\n"
    ".globl probe_restorer\n"
    ".hidden probe_restorer\n"
    ".type probe_restorer,%function\n"
    "probe_restorer:\n"
    "  mov x8, #139\n" /* rt_sigreturn */
    "  svc #0\n"
    "  udf #0\n"
    ".size probe_restorer, .-probe_restorer\n");
#endif


/* The kernel's struct sigaction for rt_sigaction(2) (x86_64 and arm64 alike). */
struct probe_ksigaction {
  void *handler;
  unsigned long flags;
  void *restorer;
  uint64_t mask;
};
#define PROBE_SA_RESTORER 0x04000000ul

#if defined(__x86_64__)
static inline void probe_relax(void) { __asm__ volatile("pause" ::: "memory"); }
/* An instruction that raises SIGILL without a system call. */
#define PROBE_UD "ud2"

int probe_exempt_case(const struct sc_case *c) { return c->abi == SC_ABI_NATIVE && (c->nr == 335 || c->nr == 336); }
#else
static inline void probe_relax(void) { __asm__ volatile("yield" ::: "memory"); }
#define PROBE_UD "udf #0"

/* The syscalls seccomp exempts (uretprobe, uprobe) exist on x86_64 only. */
int probe_exempt_case(const struct sc_case *c) {
  (void)c;
  return 0;
}
#endif

int probe_safe_case(const struct sc_case *c) {
#if defined(__x86_64__)
  /* getpid through the other x86 ABIs, so that a filter that forgets the
   * x32 bit or the arch check can be shown letting the call really run:
   * x32 getpid (an x32-enabled kernel runs it; others return -ENOSYS after
   * the filters) and i386 getpid (int $0x80, eax = 20). */
  if (c->abi == SC_ABI_X32) return c->nr == (int32_t)(0x40000000 | __NR_getpid);
  if (c->abi == SC_ABI_I386) return c->nr == 20;
#endif
  if (c->abi != SC_ABI_NATIVE) return 0;
  switch (c->nr) {
    case __NR_getpid:
    case __NR_getppid:
    case __NR_gettid:
    case __NR_getuid:
    case __NR_geteuid:
    case __NR_getgid:
    case __NR_getegid:
    case __NR_uname:
      return 1;
    default:
      return 0;
  }
}

/* The running thread's probe_thread: the base of its aligned stack. */
static struct probe_thread *probe_self(void) {
  volatile char here = 0;
  return (struct probe_thread *)((uintptr_t)&here & ~(uintptr_t)(PROBE_STACK - 1));
}

/* SIGSYS with SA_SIGINFO | SA_NODEFER: record what the kernel said and leave
 * without returning (returning needs rt_sigreturn). SA_NODEFER and an empty
 * sa_mask leave the mask as it was, so the next trap is delivered too. */
static void probe_on_sigsys(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)uc;
  struct probe_thread *t = probe_self();
  struct probe_job *job = t->job;
  int32_t ci = t->ci;
  if (ci == PROBE_CI_ENDING) {
    /* A filter under test trapped our final exit_group: probe_die goes on to ud2. */
  } else if (ci < 0) {
    PROBE_STORE(&job->sh->install_trap, 1u);
  } else {
    struct probe_raw *r = &job->raw[ci];
    /* The kernel's siginfo layout for SIGSYS (si_errno at 4, si_code at 8,
     * _sigsys at 16: call_addr, syscall at 24, arch at 28); probe.h drops
     * libc's si_syscall/si_arch macros. */
    const unsigned char *b = (const unsigned char *)si;
    r->si_errno = *(const uint32_t *)(b + 4);
    r->si_code = *(const int32_t *)(b + 8);
    r->si_syscall = *(const int32_t *)(b + 24);
    r->si_arch = *(const uint32_t *)(b + 28);
    PROBE_STORE(&r->phase, (uint32_t)PH_TRAPPED);
  }
  probe_longjmp(t->jb, 1);
}

/* Leave: exit_group (tagged, so the guard lets it through); if a filter
 * under test refuses or traps it, die by SIGILL (ud2), which needs no
 * system call. (If a filter makes exit_group block, the caller's watchdog
 * kills the child once it sees the final state.) */
static __attribute__((noreturn)) void probe_die(struct probe_thread *t) {
  t->ci = PROBE_CI_ENDING;
  /* With a listener, a USER_NOTIF for exit_group would wait for an answer. */
  if (!t->job->listener && probe_setjmp(t->jb) == 0) sc_raw6(__NR_exit_group, 0, 0, 0, (long)t->job->magic, 0, 0);
  for (;;) __asm__ volatile(PROBE_UD);
}

static __attribute__((noreturn)) void probe_setup_failed(struct probe_thread *t, long err) {
  t->job->sh->err = (int32_t)err;
  PROBE_STORE(&t->job->sh->state, (uint32_t)ST_SETUP_FAILED);
  probe_die(t);
}

/* Install the guard and the filters under test in this thread, then run
 * every case from job->start, then leave. */
static __attribute__((noreturn)) void probe_worker(struct probe_thread *t) {
  struct probe_job *job = t->job;
  struct probe_shared *sh = job->sh;
  t->ci = PROBE_CI_INSTALLING;
  PROBE_STORE(&sh->state, (uint32_t)ST_INSTALLING);
  long r = sc_raw6(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
  if (r < 0) probe_setup_failed(t, -r);
  if (job->guard) {
    r = sc_raw6(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)job->guard, (long)job->magic, 0, 0);
    if (r < 0) probe_setup_failed(t, -r);
  }
  if (probe_setjmp(t->jb) != 0) {
    /* A filter under test trapped our seccomp() call. */
    sh->err = 0;
    PROBE_STORE(&sh->state, (uint32_t)ST_INSTALL_FAILED);
    probe_die(t);
  }
  for (uint32_t i = 0; i < job->nprogs; i++) {
    unsigned long flags = (job->listener && i + 1 == job->nprogs) ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
    sh->failed_at = i;
    r = sc_raw6(__NR_seccomp, SECCOMP_SET_MODE_FILTER, (long)flags, (long)&job->progs[i], (long)job->magic, 0, 0);
    if (r < 0) {
      sh->err = (int32_t)-r;
      PROBE_STORE(&sh->state, (uint32_t)ST_INSTALL_FAILED);
      probe_die(t);
    }
  }
  PROBE_STORE(&sh->state, (uint32_t)ST_RUNNING);
  __atomic_add_fetch(&sh->beat, 1u, __ATOMIC_RELEASE);

  for (volatile uint32_t p = job->start; p < job->count; p++) {
    uint32_t ci = job->idx[p];
    struct probe_raw *rw = &job->raw[ci];
    const struct sc_case *c = &job->cases[ci];
    t->ci = (int32_t)ci;
    PROBE_STORE(&sh->pos, (uint32_t)p);
    PROBE_STORE(&rw->phase, (uint32_t)PH_STARTED);
    if (probe_exempt_case(c) || (!job->guard && !probe_safe_case(c))) {
      /* Never made (the caller does not list these). */
      PROBE_STORE(&rw->phase, (uint32_t)PH_NONE);
    } else if (probe_setjmp(t->jb) == 0) {
      int64_t ret;
#if defined(__x86_64__)
      if (c->abi == SC_ABI_I386)
        ret = (int32_t)probe_sys_i386((int64_t)(uint32_t)c->nr, c->args);
      else
#endif
        ret = probe_sys_native((int64_t)c->nr, c->args);
      rw->ret = ret;
      PROBE_STORE(&rw->phase, (uint32_t)PH_RETURNED);
    }
    __atomic_add_fetch(&sh->beat, 1u, __ATOMIC_RELEASE);
  }
  PROBE_STORE(&sh->state, (uint32_t)ST_DONE);
  probe_die(t);
}

static int probe_worker_main(void *arg) { probe_worker((struct probe_thread *)arg); }

/* Die with the caller: if the caller's thread ends (the Node process was
 * killed mid-call), SIGKILL this child; if it already ended, die now. */
static void probe_die_with_parent(struct probe_thread *t) {
  sc_raw6(__NR_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0, 0);
  if (sc_raw6(__NR_getppid, 0, 0, 0, 0, 0, 0) != t->job->parent_pid) probe_setup_failed(t, ESRCH);
}

/* Parent death, rlimit, SIGSYS handler and mask: before any filter. */
static void probe_process_setup(struct probe_thread *t) {
  probe_die_with_parent(t);
  /* RLIMIT_CORE = 1: no core dump for KILL_PROCESS (1, not 0, also stops a
   * core_pattern pipe; and a dump of a CLONE_VM child would be the
   * caller's whole address space). */
  struct rlimit lim = {1, 1};
  long r = sc_raw6(__NR_prlimit64, 0, RLIMIT_CORE, (long)&lim, 0, 0, 0);
  if (r < 0) probe_setup_failed(t, -r);
  struct probe_ksigaction sa = {(void *)probe_on_sigsys, SA_SIGINFO | SA_NODEFER | PROBE_SA_RESTORER, (void *)probe_restorer, 0};
  r = sc_raw6(__NR_rt_sigaction, SIGSYS, (long)&sa, 0, 8, 0, 0);
  if (r < 0) probe_setup_failed(t, -r);
  /* The caller blocked every signal before clone(); unblock SIGSYS only, so
   * none of the caller's (copied) handlers ever runs here. */
  uint64_t mask = ~(1ull << (SIGSYS - 1));
  r = sc_raw6(__NR_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, 8, 0, 0);
  if (r < 0) probe_setup_failed(t, -r);
}

int probe_child_main(void *arg) {
  struct probe_thread *t = (struct probe_thread *)arg;
  struct probe_job *job = t->job;
  struct probe_shared *sh = job->sh;
  while (!PROBE_LOAD(&sh->go)) probe_relax();
  probe_process_setup(t);
  if (!job->multi) probe_worker(t);

  /* SC_RUN_MULTI: the cases run in a second thread made now, before any
   * filter (clone needs system calls); this thread installs nothing and
   * waits for the worker's TID to be cleared (CLONE_CHILD_CLEARTID), which
   * only happens if the worker dies while the process lives: KILL_THREAD.
   * KILL_PROCESS, and the worker's own exit_group, end both threads. */
  struct probe_thread *w = job->wthread;
  int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
              CLONE_CHILD_CLEARTID;
  int tid = clone(probe_worker_main, (char *)w + PROBE_STACK, flags, w, &sh->wtid, NULL, &sh->wtid);
  if (tid < 0) probe_setup_failed(t, EAGAIN);
  for (;;) {
    int32_t v = PROBE_LOAD(&sh->wtid);
    if (v == 0) break;
    sc_raw6(__NR_futex, (long)&sh->wtid, FUTEX_WAIT, v, 0, 0, 0);
  }
  if (PROBE_LOAD(&sh->state) == ST_RUNNING) {
    struct probe_raw *rw = &job->raw[job->idx[PROBE_LOAD(&sh->pos)]];
    if (PROBE_LOAD(&rw->phase) == PH_STARTED) PROBE_STORE(&rw->phase, (uint32_t)PH_THREAD_KILLED);
  }
  PROBE_STORE(&sh->wdied, 1u);
  sc_raw6(__NR_exit_group, 0, 0, 0, 0, 0, 0);
  for (;;) __asm__ volatile(PROBE_UD);
}

void probe_execute_child(struct probe_thread *t) {
  /* A real fork: the caller blocked every signal first. No handler: only
   * cases the guarded passes found allowed are listed. */
  probe_die_with_parent(t);
  struct rlimit lim = {1, 1};
  sc_raw6(__NR_prlimit64, 0, RLIMIT_CORE, (long)&lim, 0, 0, 0);
  probe_worker(t);
}

#else /* neither x86_64 nor aarch64 */

int probe_safe_case(const struct sc_case *c) {
  (void)c;
  return 0;
}
int probe_exempt_case(const struct sc_case *c) {
  (void)c;
  return 1;
}
int probe_child_main(void *arg) {
  (void)arg;
  return 0;
}
void probe_execute_child(struct probe_thread *t) {
  (void)t;
  for (;;) {
  }
}

#endif
