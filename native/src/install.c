/* sc_check_install: load a stack of programs, oldest first, into one fresh
 * forked child with seccomp(SECCOMP_SET_MODE_FILTER, flags[i], &prog), as a
 * sandbox would, and record what each call returned. The filters only ever
 * exist in that child; the caller waits for it with a deadline and reaps it.
 *
 * Every seccomp(2) call after the first runs under the filters installed
 * before it, exactly as in a sandbox: a filter that denies seccomp(2) makes
 * the next install fail with its errno, one that kills makes the child die
 * inside the call (recorded as err = -signal). */
#include "probe.h"
#include "install_child.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct install_shared {
  uint32_t done;      /* the child finished its loop (set last) */
  uint32_t count;     /* steps written */
  int32_t setup_err;  /* the child could not prepare itself (-errno) */
  uint32_t pad;
  struct sc_install_step steps[];
};

static void child_main(struct install_shared *sh, const uint8_t *insns, const uint32_t *lens, const uint32_t *flags, uint32_t n,
                       uint32_t opts) {
  if (!(opts & SC_OPT_NO_NNP)) {
    long r = sc_raw6(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
    if (r < 0) {
      sh->setup_err = (int32_t)r;
      SC_STORE(&sh->done, 1);
      sc_child_exit(0);
    }
  }
  if (opts & SC_OPT_DROP_CAP_SYS_ADMIN) {
    int r = sc_drop_cap_sys_admin();
    if (r < 0) {
      sh->setup_err = r;
      SC_STORE(&sh->done, 1);
      sc_child_exit(0);
    }
  }
  size_t off = 0;
  for (uint32_t i = 0; i < n; i++) {
    struct sock_fprog prog = { (unsigned short)lens[i], (struct sock_filter *)(insns + off) };
    off += (size_t)lens[i] * sizeof(struct sock_filter);
    uint32_t f = flags ? flags[i] : 0;
    long r = sc_raw3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f, &prog);
    struct sc_install_step *s = &sh->steps[i];
    s->ret = r < 0 ? -1 : (int32_t)r;
    s->err = r < 0 ? (int32_t)-r : 0;
    SC_STORE(&sh->count, i + 1);
    int failed = r < 0 || (r > 0 && (f & SECCOMP_FILTER_FLAG_TSYNC) && !(f & SECCOMP_FILTER_FLAG_NEW_LISTENER));
    if (failed) break;
  }
  SC_STORE(&sh->done, 1);
  sc_child_exit(0);
}

int32_t sc_check_install(const uint8_t *insns, const uint32_t *lens, const uint32_t *flags, uint32_t n, uint32_t opts,
                         uint32_t timeout_ms, struct sc_install_step *out) {
  if (n == 0) return 0;
  if (!lens || !out) return -EINVAL;
  for (uint32_t i = 0; i < n; i++) {
    if (lens[i] > 0xffff) return -EINVAL; /* sock_fprog.len is a u16 */
    if (lens[i] > 0 && !insns) return -EINVAL;
  }
  size_t size = sizeof(struct install_shared) + (size_t)n * sizeof(struct sc_install_step);
  struct install_shared *sh = sc_shared_alloc(size);
  if (!sh) return -ENOMEM;
  int64_t deadline = sc_now_ms() + (timeout_ms ? timeout_ms : SC_DEFAULT_TIMEOUT_MS);

  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    sc_shared_free(sh, size);
    return -e;
  }
  if (pid == 0) child_main(sh, insns, lens, flags, n, opts);

  int status = 0;
  int waited = sc_reap_child(pid, &sh->done, deadline, &status);
  uint32_t count = SC_LOAD(&sh->count);
  if (count > n) count = n;
  memcpy(out, sh->steps, (size_t)count * sizeof(struct sc_install_step));
  int32_t result;
  if (sh->setup_err) {
    result = sh->setup_err;
  } else if (SC_LOAD(&sh->done)) {
    result = (int32_t)count;
  } else if (waited == -ETIMEDOUT) {
    if (count < n) out[count] = (struct sc_install_step){ SC_STEP_PENDING, 0 };
    result = -ETIMEDOUT;
  } else if (WIFSIGNALED(status) && count < n) {
    /* died inside seccomp(2) of step `count`: an earlier filter killed it */
    out[count] = (struct sc_install_step){ -1, -WTERMSIG(status) };
    result = (int32_t)count + 1;
  } else {
    result = -EPROTO; /* exited without finishing: should not happen */
  }
  sc_shared_free(sh, size);
  return result;
}
