/* sc_features: what this kernel's seccomp offers. The seccomp(2) queries
 * and the x32 / int $0x80 calls run in forked children without filters
 * (nothing is ever installed: the flag probes pass a NULL program, which
 * fails with EFAULT after the flag checks, or EINVAL when a flag is
 * unknown, SEMANTICS §2.1 step 1). Files and uname are read in the caller. */
#include "probe.h"
#include "install_child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef SECCOMP_GET_NOTIF_SIZES
#define SECCOMP_GET_NOTIF_SIZES 3
#endif
#define FLAG_NEW_LISTENER (1u << 3)
#define FLAG_WAIT_KILLABLE_RECV (1u << 5)

struct features_shared {
  uint32_t done;
  int32_t seccomp_err;
  int32_t action_err[SC_FEATURE_ACTIONS];
  int32_t flag_err[32];
  int32_t notif_sizes_err;
  uint16_t notif_sizes[3];
  int64_t abi_ret;
  int32_t abi_pid;
};

/* native/features.ts decodes struct sc_features at these offsets. */
#include <stddef.h>
_Static_assert(offsetof(struct sc_features, seccomp_err) == 32, "sc_features layout");
_Static_assert(offsetof(struct sc_features, flags_supported) == 76, "sc_features layout");
_Static_assert(offsetof(struct sc_features, notif_sizes) == 212, "sc_features layout");
_Static_assert(offsetof(struct sc_features, self_mode) == 220, "sc_features layout");
_Static_assert(offsetof(struct sc_features, release) == 240, "sc_features layout");
_Static_assert(offsetof(struct sc_features, actions_logged) == 688, "sc_features layout");
_Static_assert(sizeof(struct sc_features) == 944, "sc_features layout");

static const uint32_t action_values[SC_FEATURE_ACTIONS] = SC_FEATURE_ACTION_VALUES;

static void seccomp_queries(struct features_shared *sh) {
  for (int i = 0; i < SC_FEATURE_ACTIONS; i++) {
    uint32_t a = action_values[i];
    long r = sc_raw3(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &a);
    sh->action_err[i] = r < 0 ? (int32_t)-r : 0;
  }
  sh->seccomp_err = sh->action_err[0] == ENOSYS ? ENOSYS : 0;
  for (int bit = 0; bit < 32; bit++) {
    uint32_t f = 1u << bit;
    /* WAIT_KILLABLE_RECV alone is EINVAL by rule (needs NEW_LISTENER): probe it with NEW_LISTENER */
    if (f == FLAG_WAIT_KILLABLE_RECV) f |= FLAG_NEW_LISTENER;
    long r = sc_raw3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f, NULL);
    sh->flag_err[bit] = r < 0 ? (int32_t)-r : 0; /* 0 would mean installed: impossible with NULL */
  }
  struct seccomp_notif_sizes sizes;
  memset(&sizes, 0, sizeof sizes);
  long r = sc_raw3(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
  sh->notif_sizes_err = r < 0 ? (int32_t)-r : 0;
  sh->notif_sizes[0] = sizes.seccomp_notif;
  sh->notif_sizes[1] = sizes.seccomp_notif_resp;
  sh->notif_sizes[2] = sizes.seccomp_data;
}

#if defined(__x86_64__)
static long x32_getpid(void) {
  return sc_raw6(0x40000000L | 39, 0, 0, 0, 0, 0, 0);
}
static long i386_getpid(void) {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L), "b"(0L), "c"(0L), "d"(0L) : "r8", "r9", "r10", "r11", "memory");
  return (long)(int)ret; /* the compat ABI returns a 32-bit value */
}
#endif

enum child_job { JOB_QUERIES, JOB_X32, JOB_I386 };

/* Run `job` in a child; its results land in *sh. Returns 0, or the killing signal (> 0), or -errno. */
static int in_child(enum child_job job, struct features_shared *sh, int64_t deadline) {
  memset(sh, 0, sizeof *sh);
  pid_t pid = fork();
  if (pid < 0) return -errno;
  if (pid == 0) {
    sh->abi_pid = (int32_t)sc_raw0(SYS_getpid);
    switch (job) {
    case JOB_QUERIES: seccomp_queries(sh); break;
#if defined(__x86_64__)
    case JOB_X32: sh->abi_ret = x32_getpid(); break;
    case JOB_I386: sh->abi_ret = i386_getpid(); break;
#else
    default: break;
#endif
    }
    SC_STORE(&sh->done, 1);
    sc_child_exit(0);
  }
  int status = 0;
  int w = sc_reap_child(pid, &sh->done, deadline, &status);
  if (SC_LOAD(&sh->done)) return 0;
  if (w == -ETIMEDOUT) return -ETIMEDOUT;
  if (WIFSIGNALED(status)) return WTERMSIG(status);
  return -EPROTO;
}

static int read_line_file(const char *path, char *buf, size_t cap) {
  buf[0] = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  size_t got = 0;
  while (got + 1 < cap) {
    ssize_t n = read(fd, buf + got, cap - 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      return e;
    }
    if (n == 0) break;
    got += (size_t)n;
  }
  close(fd);
  while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == ' ')) got--;
  buf[got] = 0;
  return 0;
}

static void copy_str(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap) n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = 0;
}

int32_t sc_features(uint32_t timeout_ms, struct sc_features *out) {
  if (!out) return -EINVAL;
  memset(out, 0, sizeof *out);
  int64_t deadline = sc_now_ms() + (timeout_ms ? timeout_ms : SC_DEFAULT_TIMEOUT_MS);

  struct utsname u;
  if (uname(&u) == 0) {
    copy_str(out->release, sizeof out->release, u.release);
    copy_str(out->machine, sizeof out->machine, u.machine);
  }
  out->avail_err = read_line_file("/proc/sys/kernel/seccomp/actions_avail", out->actions_avail, sizeof out->actions_avail);
  out->logged_err = read_line_file("/proc/sys/kernel/seccomp/actions_logged", out->actions_logged, sizeof out->actions_logged);
  out->self_mode = sc_proc_status_int("/proc/self/status", "Seccomp");
  out->self_filters = sc_proc_status_int("/proc/self/status", "Seccomp_filters");
  out->self_nnp = sc_proc_status_int("/proc/self/status", "NoNewPrivs");

  struct features_shared *sh = sc_shared_alloc(sizeof *sh);
  if (!sh) return -ENOMEM;
  int r = in_child(JOB_QUERIES, sh, deadline);
  if (r != 0) {
    out->seccomp_err = r < 0 ? r : -EPROTO;
  } else {
    out->seccomp_err = sh->seccomp_err;
    memcpy(out->action_err, sh->action_err, sizeof out->action_err);
    for (int bit = 0; bit < 32; bit++) {
      out->flag_err[bit] = sh->flag_err[bit];
      if (sh->flag_err[bit] == EFAULT) out->flags_supported |= 1u << bit;
    }
    out->notif_sizes_err = sh->notif_sizes_err;
    memcpy(out->notif_sizes, sh->notif_sizes, sizeof out->notif_sizes);
  }
#if defined(__x86_64__)
  struct {
    enum child_job job;
    int32_t *state;
    int64_t *ret;
    int32_t *pid;
  } abis[2] = { { JOB_X32, &out->x32_state, &out->x32_ret, &out->x32_pid }, { JOB_I386, &out->i386_state, &out->i386_ret, &out->i386_pid } };
  for (int i = 0; i < 2; i++) {
    r = in_child(abis[i].job, sh, deadline);
    *abis[i].pid = sh->abi_pid;
    if (r == 0) {
      *abis[i].state = SC_ABI_PROBE_RETURNED;
      *abis[i].ret = sh->abi_ret;
    } else if (r > 0) {
      *abis[i].state = SC_ABI_PROBE_SIGNALLED;
      *abis[i].ret = r;
    } else {
      *abis[i].state = SC_ABI_PROBE_FAILED;
      *abis[i].ret = r;
    }
  }
#endif
  sc_shared_free(sh, sizeof *sh);
  return 0;
}
