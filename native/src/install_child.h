/* Internal helpers shared by install.c, install_tsync.c and features.c:
 * raw system calls (usable in threads made with clone() that share the
 * creator's TLS, so errno must not be touched), shared memory between the
 * caller and a forked child, and reaping a child by PID with a deadline.
 * Not part of the probe's interface. */
#ifndef SECCHECK_INSTALL_CHILD_H
#define SECCHECK_INSTALL_CHILD_H
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>

#define SC_HIDDEN __attribute__((visibility("hidden")))

#include "raw_syscall.h"

#define sc_raw0(n) sc_raw6((n), 0, 0, 0, 0, 0, 0)
#define sc_raw3(n, a, b, c) sc_raw6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

static inline void sc_cpu_relax(void) {
#if defined(__x86_64__)
  __asm__ volatile("pause" ::: "memory");
#elif defined(__aarch64__)
  __asm__ volatile("yield" ::: "memory");
#endif
}

#define SC_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define SC_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Leave the (forked) child now: exit_group, then exit; if a filter refuses
 * both, spin until the caller, which watches the shared `done` flag, kills
 * it. Never returns. */
SC_HIDDEN __attribute__((noreturn)) void sc_child_exit(int code);

/* MAP_SHARED anonymous memory, zeroed; NULL on failure. */
SC_HIDDEN void *sc_shared_alloc(size_t size);
SC_HIDDEN void sc_shared_free(void *p, size_t size);

SC_HIDDEN int64_t sc_now_ms(void);
SC_HIDDEN void sc_sleep_us(long us);

/* Wait for our child `pid` and reap it. Returns when it exits by itself, or
 * once *done (if given) is non-zero (then it is killed with SIGKILL), or at
 * `deadline_ms` (sc_now_ms() clock; killed). Always reaps before returning.
 * *status gets waitpid's status. Returns 0 if it exited or finished (done)
 * before the deadline, -ETIMEDOUT otherwise. */
SC_HIDDEN int sc_reap_child(pid_t pid, const volatile uint32_t *done, int64_t deadline_ms, int *status);

/* Is our child `pid` still running (not exited)? Does not reap. */
SC_HIDDEN int sc_child_running(pid_t pid);

/* Read "Key:\t<int>" from a /proc status file; -1 if absent or unreadable. */
SC_HIDDEN int sc_proc_status_int(const char *path, const char *key);
/* The "State:" letter of a /proc status file ('R', 'S', 'Z', ...), 0 if unreadable. */
SC_HIDDEN char sc_proc_status_state(const char *path);

/* Drop CAP_SYS_ADMIN from the effective and permitted sets; 0 or -errno. */
SC_HIDDEN int sc_drop_cap_sys_admin(void);

/* The default deadline when a caller passes timeout_ms = 0. */
#define SC_DEFAULT_TIMEOUT_MS 10000u

#endif
