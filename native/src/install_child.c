/* Helpers for the probes that fork a child: see install_child.h. */
#include "install_child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void sc_child_exit(int code) {
  sc_raw6(SYS_exit_group, code, 0, 0, 0, 0, 0);
  sc_raw6(SYS_exit, code, 0, 0, 0, 0, 0);
  for (;;) sc_cpu_relax();
}

void *sc_shared_alloc(size_t size) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

void sc_shared_free(void *p, size_t size) {
  if (p) munmap(p, size);
}

int64_t sc_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sc_sleep_us(long us) {
  struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

static void kill_and_reap(pid_t pid, int *status) {
  kill(pid, SIGKILL);
  while (waitpid(pid, status, __WALL) == -1 && errno == EINTR) {
  }
}

int sc_reap_child(pid_t pid, const volatile uint32_t *done, int64_t deadline_ms, int *status) {
  long nap = 20;
  *status = 0;
  for (;;) {
    pid_t r = waitpid(pid, status, WNOHANG | __WALL);
    if (r == pid) return 0;
    if (r == -1 && errno != EINTR) return 0; /* not ours any more: nothing to reap */
    if (done && SC_LOAD(done)) {
      kill_and_reap(pid, status);
      return 0;
    }
    if (sc_now_ms() >= deadline_ms) {
      kill_and_reap(pid, status);
      return -ETIMEDOUT;
    }
    sc_sleep_us(nap);
    if (nap < 2000) nap *= 2;
  }
}

int sc_child_running(pid_t pid) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) == -1) return 0;
  return si.si_pid == 0;
}

/* Read a small /proc file into buf (NUL-terminated); length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t got = 0;
  while (got + 1 < cap) {
    ssize_t n = read(fd, buf + got, cap - 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  buf[got] = 0;
  return (ssize_t)got;
}

static const char *status_field(const char *buf, const char *key) {
  size_t klen = strlen(key);
  for (const char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
      const char *v = line + klen + 1;
      while (*v == ' ' || *v == '\t') v++;
      return v;
    }
  }
  return NULL;
}

int sc_proc_status_int(const char *path, const char *key) {
  char buf[4096];
  if (read_small(path, buf, sizeof buf) < 0) return -1;
  const char *v = status_field(buf, key);
  if (!v || *v < '0' || *v > '9') return -1;
  return (int)strtol(v, NULL, 10);
}

char sc_proc_status_state(const char *path) {
  char buf[4096];
  if (read_small(path, buf, sizeof buf) < 0) return 0;
  const char *v = status_field(buf, "State");
  return v ? *v : 0;
}

int sc_drop_cap_sys_admin(void) {
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  long r = sc_raw3(SYS_capget, &hdr, data, 0);
  if (r < 0) return (int)r;
  int word = CAP_SYS_ADMIN / 32;
  uint32_t bit = 1u << (CAP_SYS_ADMIN % 32);
  data[word].effective &= ~bit;
  data[word].permitted &= ~bit;
  data[word].inheritable &= ~bit;
  hdr.version = _LINUX_CAPABILITY_VERSION_3;
  hdr.pid = 0;
  r = sc_raw3(SYS_capset, &hdr, data, 0);
  return r < 0 ? (int)r : 0;
}
