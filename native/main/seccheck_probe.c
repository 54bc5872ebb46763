/* seccheck-probe: the kernel probe as a static executable, for containers
 * and VMs (it may run as PID 1). It reads a batch of requests, one per
 * line, calls the same core as the shared library (probe.h) and writes one
 * JSON object per request line to stdout, in order, as soon as it is done.
 *
 * Usage: seccheck-probe [--poweroff] [FILE]     (FILE absent or "-": stdin)
 *   --poweroff  power the machine off after the batch (for PID 1 in a VM,
 *               where returning from init would panic the kernel)
 *   As PID 1 it mounts /proc if it is missing.
 *
 * VM init mode: as PID 1 with `seccheck.vm=1` on the kernel command line
 * (never true in a container, whose PID 1 sees the host's command line and
 * may not reboot), it reads /batch (FILE if given), makes sure it has the
 * console on fds 0-2, writes
 *   SECCHECK-VM-BEGIN uptime_ms=N
 *   <one JSON line per request, as below>
 *   SECCHECK-VM-END status=S batch_ms=N
 * and powers the machine off (containers/vm/ boots it).
 *
 * Requests (words separated by blanks; blank lines and lines starting with
 * '#' are skipped; numbers are decimal or 0x-hex):
 *   features [id=ID]
 *   check    [id=ID] [flags=F[,F...]] [nnp=0|1] [cap=0|1] [timeout=MS] PROGS
 *            load PROGS in order into one fresh child (sc_check_install);
 *            flags: one value for all programs or one per program;
 *            nnp=0: do not set no_new_privs; cap=1: keep CAP_SYS_ADMIN
 *   tsync    [id=ID] [threads=N] [flags=F] [diverge=I[,I...]] [probe=NR] [timeout=MS] PROG
 *            sc_check_tsync; flags default TSYNC (1); diverge: 1-based siblings
 *   run      [id=ID] [multi=1] [execute=1] [listener=1] [outer=1] [timeout=MS] PROGS CASE...
 *            sc_run (SC_RUN_MULTI, SC_RUN_EXECUTE, SC_RUN_LISTENER);
 *            CASE = ABI:NR[:A0[:A1...:A5]], ABI = native | i386 | x32
 *   PROGS = PROG[,PROG...]; PROG = the raw struct sock_filter bytes in the
 *   machine's byte order as hex (16 digits per instruction), or "-" for an
 *   empty program (length 0).
 *
 * Output (one line each):
 *   {"op":"features","id":..,"release":..,"machine":..,"seccomp_errno":..,"action_avail":[{"value":N,"errno":NAME|null}...],
 *    "flags":N,"actions_avail":S|null,"actions_logged":S|null,"notif_sizes":[N,N,N]|null,"x32":{..},"i386":{..},"self":{..}}
 *   {"op":"check","id":..,"result":N,"steps":[{"index":I,"ok":B,"ret":N,"errno":NAME|null[,"signal":N][,"timedOut":true]}...]}
 *   {"op":"tsync","id":..,"result":N,"ok":B,"ret":N,"errno":..,"guard":{"ret":N,"errno":..},"signal":N,
 *    "threads":[{"thread":I,"tid":N,"own_ret":N,"own_errno":..,"mode":N,"filters":N,"state":S,"probe_ret":N,"si_errno":N}...]}
 *   {"op":"run","id":..,"result":N,"outcomes":[{"kind":S,"errno_val":N,"si_errno":N,"si_syscall":N,"si_arch":N,"data":N,"signal":N,"ret":N}...]}
 *   {"op":"error","line":N,"id":..,"error":"..."}       a request that could not be read
 *   "result" is the core function's return value (negative: -errno of the
 *   probe itself, also given as "error").
 * Exit status: 0 when every line was read (whatever the kernel said), 1 if
 * some line was malformed, 2 on a usage or input error.
 *
 * Only the C library's basics are used (no NSS, no dlopen, no locale), so it
 * links statically and runs in an empty root file system. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* sc_run lives in probe.c; the executable still works for the other requests without it. */
#pragma weak sc_run

/* ---------------------------------------------------------------- output */

struct buf {
  char *p;
  size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t more) {
  if (b->len + more + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + more + 1) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    static const char msg[] = "seccheck-probe: out of memory\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(2);
  }
  b->p = p;
  b->cap = cap;
}

static void put(struct buf *b, const char *s) {
  size_t n = strlen(s);
  buf_reserve(b, n);
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

static void putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  buf_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static void put_json_string(struct buf *b, const char *s) {
  put(b, "\"");
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') putf(b, "\\%c", c);
    else if (c < 0x20) putf(b, "\\u%04x", c);
    else {
      char one[2] = { (char)c, 0 };
      put(b, one);
    }
  }
  put(b, "\"");
}

static void flush_line(struct buf *b) {
  put(b, "\n");
  size_t off = 0;
  while (off < b->len) {
    ssize_t w = write(1, b->p + off, b->len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    off += (size_t)w;
  }
  b->len = 0;
  if (b->p) b->p[0] = 0;
}

/* The Linux names Node knows (os.constants.errno), so that both faces name errors alike. */
static const char *const errno_names[] = {
  [1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO", [7] = "E2BIG", [8] = "ENOEXEC",
  [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN", [12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT", [16] = "EBUSY",
  [17] = "EEXIST", [18] = "EXDEV", [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR", [22] = "EINVAL", [23] = "ENFILE",
  [24] = "EMFILE", [25] = "ENOTTY", [26] = "ETXTBSY", [27] = "EFBIG", [28] = "ENOSPC", [29] = "ESPIPE", [30] = "EROFS",
  [31] = "EMLINK", [32] = "EPIPE", [33] = "EDOM", [34] = "ERANGE", [35] = "EDEADLK", [36] = "ENAMETOOLONG", [37] = "ENOLCK",
  [38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP", [42] = "ENOMSG", [43] = "EIDRM", [60] = "ENOSTR", [61] = "ENODATA",
  [62] = "ETIME", [63] = "ENOSR", [67] = "ENOLINK", [71] = "EPROTO", [72] = "EMULTIHOP", [74] = "EBADMSG", [75] = "EOVERFLOW",
  [84] = "EILSEQ", [88] = "ENOTSOCK", [89] = "EDESTADDRREQ", [90] = "EMSGSIZE", [91] = "EPROTOTYPE", [92] = "ENOPROTOOPT",
  [93] = "EPROTONOSUPPORT", [95] = "EOPNOTSUPP", [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE", [99] = "EADDRNOTAVAIL",
  [100] = "ENETDOWN", [101] = "ENETUNREACH", [102] = "ENETRESET", [103] = "ECONNABORTED", [104] = "ECONNRESET",
  [105] = "ENOBUFS", [106] = "EISCONN", [107] = "ENOTCONN", [110] = "ETIMEDOUT", [111] = "ECONNREFUSED",
  [113] = "EHOSTUNREACH", [114] = "EALREADY", [115] = "EINPROGRESS", [116] = "ESTALE", [122] = "EDQUOT", [125] = "ECANCELED",
};

/* "EINVAL" (quoted) for 22, "E3001" for a number without a name, null for 0. */
static void put_errno(struct buf *b, int e) {
  if (e < 0) e = -e;
  if (e == 0) {
    put(b, "null");
    return;
  }
  if ((size_t)e < sizeof errno_names / sizeof errno_names[0] && errno_names[e]) putf(b, "\"%s\"", errno_names[e]);
  else putf(b, "\"E%d\"", e);
}

/* ---------------------------------------------------------------- input */

struct request {
  int line;
  const char *op;
  const char *id;
  char *opt_keys[16];
  char *opt_vals[16];
  int nopts;
  char *args[4096];
  int nargs;
  char error[200];
};

static const char *opt(const struct request *r, const char *key) {
  for (int i = 0; i < r->nopts; i++)
    if (strcmp(r->opt_keys[i], key) == 0) return r->opt_vals[i];
  return NULL;
}

static int fail(struct request *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct request *r, const char *fmt, ...) {
  if (r->error[0]) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->error, sizeof r->error, fmt, ap);
  va_end(ap);
  return -1;
}

/* A number (decimal or 0x-hex, optionally negative) into *out; 0 or -1. */
static int parse_num(struct request *r, const char *what, const char *s, long long *out) {
  if (!s || !*s) return fail(r, "%s: missing number", what);
  char *end;
  errno = 0;
  int neg = s[0] == '-';
  unsigned long long v = strtoull(neg ? s + 1 : s, &end, 0);
  if (errno || *end || end == (neg ? s + 1 : s)) return fail(r, "%s: not a number: %.40s", what, s);
  *out = neg ? -(long long)v : (long long)v;
  return 0;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct programs {
  uint8_t *insns;
  uint32_t *lens;
  uint32_t n;
  size_t bytes;
};

static void programs_free(struct programs *p) {
  free(p->insns);
  free(p->lens);
  memset(p, 0, sizeof *p);
}

/* PROG[,PROG...] into flattened programs. */
static int parse_programs(struct request *r, const char *s, struct programs *out) {
  memset(out, 0, sizeof *out);
  if (!s) return fail(r, "missing programs");
  size_t count = 1, hex = 0;
  for (const char *c = s; *c; c++) {
    if (*c == ',') count++;
    else if (*c != '-') hex++;
  }
  out->lens = calloc(count, sizeof *out->lens);
  out->insns = malloc(hex / 2 + 8);
  if (!out->lens || !out->insns) return fail(r, "out of memory");
  const char *p = s;
  for (;;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == 1 && p[0] == '-') len = 0;
    else if (len == 0 || len % 16) return fail(r, "program %u: %zu hex digits, not a multiple of 16 (one struct sock_filter is 8 bytes)", out->n, len);
    for (size_t i = 0; i < len; i += 2) {
      int hi = hexval(p[i]), lo = hexval(p[i + 1]);
      if (hi < 0 || lo < 0) return fail(r, "program %u: not hex at digit %zu", out->n, i);
      out->insns[out->bytes++] = (uint8_t)(hi << 4 | lo);
    }
    if (len / 16 > 0xffff) return fail(r, "program %u: %zu instructions; sock_fprog.len is a u16", out->n, len / 16);
    out->lens[out->n++] = (uint32_t)(len / 16);
    if (!end) break;
    p = end + 1;
  }
  return 0;
}

/* "1,2,3" into up to max numbers; the count or -1. */
static int parse_list(struct request *r, const char *what, const char *s, long long *vals, int max) {
  int n = 0;
  char tmp[32];
  while (s && *s) {
    const char *end = strchr(s, ',');
    size_t len = end ? (size_t)(end - s) : strlen(s);
    if (len >= sizeof tmp) return fail(r, "%s: value too long", what);
    if (n >= max) return fail(r, "%s: more than %d values", what, max);
    memcpy(tmp, s, len);
    tmp[len] = 0;
    if (parse_num(r, what, tmp, &vals[n]) < 0) return -1;
    n++;
    s = end ? end + 1 : NULL;
  }
  return n;
}

static uint32_t timeout_of(struct request *r) {
  long long t = 0;
  const char *s = opt(r, "timeout");
  if (s && parse_num(r, "timeout", s, &t) == 0 && (t <= 0 || t > 0xffffffffLL)) fail(r, "timeout: out of range");
  return (uint32_t)t;
}

/* Split a line (modified in place) into op, key=value options and arguments. */
static int tokenize(char *line, struct request *r) {
  char *save = NULL;
  for (char *w = strtok_r(line, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
    if (!r->op) {
      r->op = w;
      continue;
    }
    char *eq = strchr(w, '=');
    if (eq && r->nargs == 0 && strchr(w, ':') == NULL) {
      *eq = 0;
      if (strcmp(w, "id") == 0) {
        r->id = eq + 1;
        continue;
      }
      if (r->nopts >= 16) return fail(r, "too many options");
      r->opt_keys[r->nopts] = w;
      r->opt_vals[r->nopts++] = eq + 1;
      continue;
    }
    if (r->nargs >= (int)(sizeof r->args / sizeof r->args[0])) return fail(r, "too many arguments");
    r->args[r->nargs++] = w;
  }
  return 0;
}

static int known_options(struct request *r, const char *const *allowed) {
  for (int i = 0; i < r->nopts; i++) {
    int ok = 0;
    for (const char *const *a = allowed; *a; a++) ok |= strcmp(*a, r->opt_keys[i]) == 0;
    if (!ok) return fail(r, "%s: unknown option %s", r->op, r->opt_keys[i]);
  }
  return 0;
}

/* ---------------------------------------------------------------- requests */

static void head(struct buf *b, const struct request *r, const char *op) {
  putf(b, "{\"op\":\"%s\"", op);
  if (r->id) {
    put(b, ",\"id\":");
    put_json_string(b, r->id);
  }
}

static void put_result(struct buf *b, int32_t result) {
  putf(b, ",\"result\":%d", result);
  if (result < 0) {
    put(b, ",\"error\":");
    put_errno(b, result);
  }
}

static int do_features(struct request *r, struct buf *b) {
  static const char *const allowed[] = { "timeout", NULL };
  if (known_options(r, allowed) < 0 || r->nargs) return fail(r, "features takes no arguments");
  uint32_t timeout = timeout_of(r);
  if (r->error[0]) return -1;
  struct sc_features f;
  int32_t result = sc_features(timeout, &f);
  static const uint32_t values[SC_FEATURE_ACTIONS] = SC_FEATURE_ACTION_VALUES;
  static const char *const abi_states[] = { "not_applicable", "returned", "signalled", "failed" };
  head(b, r, "features");
  put_result(b, result);
  if (result < 0) return 0;
  put(b, ",\"release\":");
  put_json_string(b, f.release);
  put(b, ",\"machine\":");
  put_json_string(b, f.machine);
  put(b, ",\"seccomp_errno\":");
  put_errno(b, f.seccomp_err);
  put(b, ",\"action_avail\":[");
  for (int i = 0; i < SC_FEATURE_ACTIONS; i++) {
    putf(b, "%s{\"value\":%u,\"errno\":", i ? "," : "", values[i]);
    put_errno(b, f.seccomp_err ? f.seccomp_err : f.action_err[i]);
    put(b, "}");
  }
  putf(b, "],\"flags\":%u", f.seccomp_err ? 0u : f.flags_supported);
  put(b, ",\"actions_avail\":");
  if (f.avail_err) put(b, "null");
  else put_json_string(b, f.actions_avail);
  put(b, ",\"actions_logged\":");
  if (f.logged_err) put(b, "null");
  else put_json_string(b, f.actions_logged);
  if (f.seccomp_err || f.notif_sizes_err) put(b, ",\"notif_sizes\":null");
  else putf(b, ",\"notif_sizes\":[%u,%u,%u]", f.notif_sizes[0], f.notif_sizes[1], f.notif_sizes[2]);
  const struct {
    const char *name;
    int32_t state;
    int64_t ret;
    int32_t pid;
  } abis[2] = { { "x32", f.x32_state, f.x32_ret, f.x32_pid }, { "i386", f.i386_state, f.i386_ret, f.i386_pid } };
  for (int i = 0; i < 2; i++) {
    const char *st = abis[i].state >= 0 && abis[i].state <= 3 ? abi_states[abis[i].state] : "unknown";
    putf(b, ",\"%s\":{\"state\":\"%s\",\"ret\":%lld,\"pid\":%d}", abis[i].name, st, (long long)abis[i].ret, abis[i].pid);
  }
  putf(b, ",\"self\":{\"mode\":%d,\"filters\":%d,\"nnp\":%d}", f.self_mode, f.self_filters, f.self_nnp);
  return 0;
}

static int do_check(struct request *r, struct buf *b) {
  static const char *const allowed[] = { "flags", "nnp", "cap", "timeout", NULL };
  if (known_options(r, allowed) < 0) return -1;
  if (r->nargs != 1) return fail(r, "check takes one argument: PROG[,PROG...]");
  struct programs progs;
  if (parse_programs(r, r->args[0], &progs) < 0) {
    programs_free(&progs);
    return -1;
  }
  uint32_t *flags = calloc(progs.n, sizeof *flags);
  long long *vals = calloc(progs.n, sizeof *vals);
  struct sc_install_step *out = calloc(progs.n, sizeof *out);
  long long nnp = 1, cap = 0;
  uint32_t timeout = timeout_of(r);
  int nflags = 0;
  if (!flags || !vals || !out) fail(r, "out of memory");
  else if (opt(r, "flags")) nflags = parse_list(r, "flags", opt(r, "flags"), vals, (int)progs.n);
  if (opt(r, "nnp")) parse_num(r, "nnp", opt(r, "nnp"), &nnp);
  if (opt(r, "cap")) parse_num(r, "cap", opt(r, "cap"), &cap);
  if (!r->error[0] && nflags > 1 && (uint32_t)nflags != progs.n) fail(r, "flags: %d values for %u programs (give one, or one per program)", nflags, progs.n);
  if (!r->error[0]) {
    for (uint32_t i = 0; i < progs.n; i++) flags[i] = nflags == 0 ? 0 : (uint32_t)(nflags == 1 ? vals[0] : vals[i]);
    uint32_t opts = (nnp ? 0 : SC_OPT_NO_NNP) | (cap ? 0 : SC_OPT_DROP_CAP_SYS_ADMIN);
    int32_t result = sc_check_install(progs.insns, progs.lens, flags, progs.n, opts, timeout, out);
    head(b, r, "check");
    put_result(b, result);
    put(b, ",\"steps\":[");
    int32_t shown = result >= 0 ? result : 0;
    if (result == -ETIMEDOUT)
      while ((uint32_t)shown < progs.n && out[shown].ret != SC_STEP_PENDING) shown++;
    for (int32_t i = 0; i < shown; i++) {
      const struct sc_install_step *s = &out[i];
      int ok = s->ret >= 0 && !(s->ret > 0 && (flags[i] & 1u) && !(flags[i] & 8u)); /* TSYNC TID: failure (NEW_LISTENER: an fd) */
      putf(b, "%s{\"index\":%d,\"ok\":%s,\"ret\":%d,\"errno\":", i ? "," : "", i, ok ? "true" : "false", s->ret);
      if (s->ret == -1 && s->err > 0) put_errno(b, s->err);
      else put(b, "null");
      if (s->ret == -1 && s->err < 0) putf(b, ",\"signal\":%d", -s->err);
      put(b, "}");
    }
    if (result == -ETIMEDOUT && (uint32_t)shown < progs.n) putf(b, "%s{\"index\":%d,\"ok\":false,\"ret\":-1,\"errno\":null,\"timedOut\":true}", shown ? "," : "", shown);
    put(b, "]");
  }
  free(flags);
  free(vals);
  free(out);
  programs_free(&progs);
  return r->error[0] ? -1 : 0;
}

static int do_tsync(struct request *r, struct buf *b) {
  static const char *const allowed[] = { "threads", "flags", "diverge", "probe", "timeout", NULL };
  if (known_options(r, allowed) < 0) return -1;
  if (r->nargs != 1) return fail(r, "tsync takes one argument: PROG");
  struct programs progs;
  if (parse_programs(r, r->args[0], &progs) < 0 || progs.n != 1) {
    fail(r, "tsync takes exactly one program");
    programs_free(&progs);
    return -1;
  }
  long long threads = 3, flags = 1, probe = -1, div[SC_TSYNC_MAX_THREADS];
  uint32_t mask = 0, timeout = timeout_of(r);
  if (opt(r, "threads")) parse_num(r, "threads", opt(r, "threads"), &threads);
  if (opt(r, "flags")) parse_num(r, "flags", opt(r, "flags"), &flags);
  if (opt(r, "probe")) parse_num(r, "probe", opt(r, "probe"), &probe);
  if (!r->error[0] && (threads < 0 || threads > SC_TSYNC_MAX_THREADS)) fail(r, "threads: 0 to %d", SC_TSYNC_MAX_THREADS);
  int nd = opt(r, "diverge") ? parse_list(r, "diverge", opt(r, "diverge"), div, SC_TSYNC_MAX_THREADS) : 0;
  for (int i = 0; i < nd && !r->error[0]; i++) {
    if (div[i] < 1 || div[i] > threads) fail(r, "diverge: sibling %lld does not exist (1..%lld)", div[i], threads);
    else mask |= 1u << (div[i] - 1);
  }
  if (r->error[0]) {
    programs_free(&progs);
    return -1;
  }
  struct sc_tsync_result res;
  struct sc_tsync_thread th[SC_TSYNC_MAX_THREADS + 1];
  int32_t result = sc_check_tsync(progs.insns, progs.lens[0], (uint32_t)flags, (uint32_t)threads, mask, (int32_t)probe, timeout, &res, th);
  head(b, r, "tsync");
  put_result(b, result);
  if (result == 0) {
    uint32_t f = (uint32_t)flags;
    int ok = res.ret >= 0 && !(res.ret > 0 && (f & 1u) && !(f & 8u));
    putf(b, ",\"ok\":%s,\"ret\":%d,\"errno\":", ok ? "true" : "false", res.ret);
    put_errno(b, res.ret == -1 ? res.err : 0);
    putf(b, ",\"guard\":{\"ret\":%d,\"errno\":", res.guard_ret);
    put_errno(b, res.guard_ret == -1 ? res.guard_err : 0);
    putf(b, "},\"signal\":%d,\"pid\":%d,\"threads\":[", res.signal, res.pid);
    static const char *const states[] = { "not_run", "returned", "trapped", "gone", "blocked" };
    for (long long i = 0; i <= threads; i++) {
      const struct sc_tsync_thread *t = &th[i];
      putf(b, "%s{\"thread\":%lld,\"tid\":%d,\"own_ret\":%d,\"own_errno\":", i ? "," : "", i, t->tid, t->own_ret);
      put_errno(b, t->own_ret == -1 ? t->own_err : 0);
      putf(b, ",\"mode\":%d,\"filters\":%d,\"state\":\"%s\",\"probe_ret\":%lld,\"si_errno\":%u}", t->mode, t->filters,
           t->state < 5 ? states[t->state] : "unknown", (long long)t->probe_ret, t->si_errno);
    }
    put(b, "]");
  }
  programs_free(&progs);
  return 0;
}

static int do_run(struct request *r, struct buf *b) {
  static const char *const allowed[] = { "multi", "execute", "listener", "outer", "timeout", NULL };
  if (known_options(r, allowed) < 0) return -1;
  if (r->nargs < 1) return fail(r, "run takes PROG[,PROG...] CASE...");
  if (!sc_run) return fail(r, "run is not available: this build has no sc_run (native/src/probe.c)");
  struct programs progs;
  if (parse_programs(r, r->args[0], &progs) < 0) {
    programs_free(&progs);
    return -1;
  }
  uint32_t ncases = (uint32_t)(r->nargs - 1);
  struct sc_case *cases = calloc(ncases ? ncases : 1, sizeof *cases);
  struct sc_outcome *out = calloc(ncases ? ncases : 1, sizeof *out);
  long long multi = 0, execute = 0, listener = 0, outer = 0;
  uint32_t timeout = timeout_of(r);
  if (opt(r, "multi")) parse_num(r, "multi", opt(r, "multi"), &multi);
  if (opt(r, "execute")) parse_num(r, "execute", opt(r, "execute"), &execute);
  if (opt(r, "listener")) parse_num(r, "listener", opt(r, "listener"), &listener);
  if (opt(r, "outer")) parse_num(r, "outer", opt(r, "outer"), &outer);
#ifndef SC_RUN_LISTENER
  if (listener) fail(r, "listener=1 needs a probe.c with SC_RUN_LISTENER");
#define SC_RUN_LISTENER 0u
#endif
  if (!cases || !out) fail(r, "out of memory");
  for (uint32_t i = 0; i < ncases && !r->error[0]; i++) {
    char *c = r->args[i + 1];
    char *save = NULL;
    char *abi = strtok_r(c, ":", &save);
    if (!abi) {
      fail(r, "case %u: empty", i);
      break;
    }
    if (strcmp(abi, "native") == 0 || strcmp(abi, "0") == 0) cases[i].abi = SC_ABI_NATIVE;
    else if (strcmp(abi, "i386") == 0 || strcmp(abi, "1") == 0) cases[i].abi = SC_ABI_I386;
    else if (strcmp(abi, "x32") == 0 || strcmp(abi, "2") == 0) cases[i].abi = SC_ABI_X32;
    else {
      fail(r, "case %u: unknown ABI %.20s (native, i386, x32)", i, abi);
      break;
    }
    long long v;
    char *nr = strtok_r(NULL, ":", &save);
    if (parse_num(r, "case nr", nr, &v) < 0) break;
    cases[i].nr = (int32_t)v;
    for (int a = 0; a < 7; a++) {
      char *w = strtok_r(NULL, ":", &save);
      if (!w) break;
      if (a == 6) {
        fail(r, "case %u: more than 6 arguments", i);
        break;
      }
      if (parse_num(r, "case argument", w, &v) < 0) break;
      cases[i].args[a] = (uint64_t)v;
    }
  }
  if (!r->error[0]) {
    uint32_t opts = (multi ? SC_RUN_MULTI : 0) | (execute ? SC_RUN_EXECUTE : 0) | (listener ? SC_RUN_LISTENER : 0) | (outer ? SC_RUN_OUTER : 0);
    int32_t result = sc_run(progs.insns, progs.lens, progs.n, cases, ncases, opts, timeout, out);
    static const char *const kinds[] = { "not_run", "killed_process", "killed_thread", "trap", "errno", "enosys_trace", "enosys_notif",
                                         "allowed", "traced", "notified", "timeout", "install_failed", "executed", "weak" };
    head(b, r, "run");
    put_result(b, result);
    put(b, ",\"outcomes\":[");
    for (int32_t i = 0; i < result; i++) {
      const struct sc_outcome *o = &out[i];
      putf(b, "%s{\"kind\":\"%s\",\"errno_val\":%d,\"si_errno\":%u,\"si_syscall\":%d,\"si_arch\":%u,\"data\":%u,\"signal\":%d,\"ret\":%lld}",
           i ? "," : "", o->kind < sizeof kinds / sizeof kinds[0] ? kinds[o->kind] : "unknown", o->errno_val, o->si_errno, o->si_syscall, o->si_arch, o->data,
           o->signal, (long long)o->ret);
    }
    put(b, "]");
  }
  free(cases);
  free(out);
  programs_free(&progs);
  return r->error[0] ? -1 : 0;
}

/* ---------------------------------------------------------------- main */

static char *read_all(int fd, size_t *len) {
  size_t cap = 1 << 16, n = 0;
  char *p = malloc(cap);
  while (p) {
    if (n + 1 >= cap) {
      char *q = realloc(p, cap *= 2);
      if (!q) {
        free(p);
        return NULL;
      }
      p = q;
    }
    ssize_t r = read(fd, p + n, cap - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      free(p);
      return NULL;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  if (p) p[n] = 0;
  *len = n;
  return p;
}

static void as_pid1(void) {
  if (getpid() != 1) return;
  if (access("/proc/self/status", R_OK) != 0) {
    mkdir("/proc", 0555);
    mount("proc", "/proc", "proc", 0, NULL);
  }
}

/* PID 1 of the seccheck VM: seccheck.vm=1 is a word of /proc/cmdline. A
 * dotted parameter is not passed to init's argv or environment, hence the file. */
static int vm_init_mode(void) {
  if (getpid() != 1) return 0;
  int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char cmd[4096];
  ssize_t n = read(fd, cmd, sizeof cmd - 1);
  close(fd);
  if (n <= 0) return 0;
  cmd[n] = 0;
  char *save = NULL;
  for (char *w = strtok_r(cmd, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
    if (strcmp(w, "seccheck.vm=1") == 0) return 1;
  return 0;
}

/* The kernel opens /dev/console for init when the initramfs has the node;
 * if it did not, mount devtmpfs and open it ourselves. */
static void vm_console(void) {
  if (fcntl(1, F_GETFD) >= 0) return;
  mkdir("/dev", 0755);
  mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  int fd = open("/dev/console", O_RDWR);
  if (fd < 0) return;
  for (int i = 0; i < 3; i++)
    if (fd != i) dup2(fd, i);
  if (fd > 2) close(fd);
}

static int64_t mono_ms(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  struct buf b = { 0 };
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  buf_reserve(&b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b.p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b.len = (size_t)n;
  flush_line(&b);
  free(b.p);
}

static void usage(void) {
  static const char msg[] = "usage: seccheck-probe [--poweroff] [FILE|-]  (requests on stdin or in FILE; see the source header)\n";
  ssize_t w = write(2, msg, sizeof msg - 1);
  (void)w;
}

int main(int argc, char **argv) {
  int poweroff = 0;
  const char *file = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--poweroff") == 0) poweroff = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage();
      return 0;
    } else if (!file) file = argv[i];
    else {
      usage();
      return 2;
    }
  }
  as_pid1();
  int vm = vm_init_mode();
  int64_t started = 0;
  if (vm) {
    vm_console();
    poweroff = 1;
    if (!file) file = "/batch";
    started = mono_ms(CLOCK_MONOTONIC);
    /* A blank line first: the console may hold a partial kernel message line. */
    say("\nSECCHECK-VM-BEGIN uptime_ms=%lld", (long long)mono_ms(CLOCK_BOOTTIME));
  }
  int fd = 0;
  if (file && strcmp(file, "-") != 0) {
    fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      fprintf(stderr, "seccheck-probe: cannot open %s: %s\n", file, strerror(errno));
      if (vm) {
        say("SECCHECK-VM-END status=2 batch_ms=0 error=cannot-open-%s", file);
        tcdrain(1);
        sync();
        reboot(RB_POWER_OFF);
      }
      return 2;
    }
  }
  size_t len = 0;
  char *input = read_all(fd, &len);
  if (fd > 0) close(fd);
  if (!input) {
    fprintf(stderr, "seccheck-probe: cannot read the requests: %s\n", strerror(errno));
    return 2;
  }
  struct buf out = { 0 };
  struct request *r = malloc(sizeof *r);
  if (!r) return 2;
  int status = 0, lineno = 0;
  char *save = NULL;
  /* strtok_r would merge empty lines and lose the numbering: walk by hand. */
  for (char *line = input; line && line < input + len; line = save) {
    char *nl = strchr(line, '\n');
    save = nl ? nl + 1 : NULL;
    if (nl) *nl = 0;
    lineno++;
    char *s = line;
    while (*s == ' ' || *s == '\t' || *s == '\r') s++;
    if (*s == 0 || *s == '#') continue;
    memset(r, 0, sizeof *r);
    r->line = lineno;
    int bad = tokenize(s, r);
    if (bad == 0) {
      if (strcmp(r->op, "features") == 0) bad = do_features(r, &out);
      else if (strcmp(r->op, "check") == 0) bad = do_check(r, &out);
      else if (strcmp(r->op, "tsync") == 0) bad = do_tsync(r, &out);
      else if (strcmp(r->op, "run") == 0) bad = do_run(r, &out);
      else bad = fail(r, "unknown request %.40s (features, check, tsync, run)", r->op);
    }
    if (bad) {
      out.len = 0;
      putf(&out, "{\"op\":\"error\",\"line\":%d", lineno);
      if (r->id) {
        put(&out, ",\"id\":");
        put_json_string(&out, r->id);
      }
      put(&out, ",\"error\":");
      put_json_string(&out, r->error[0] ? r->error : "malformed request");
      status = 1;
    }
    put(&out, "}");
    flush_line(&out);
  }
  free(r);
  free(input);
  free(out.p);
  if (vm) {
    say("SECCHECK-VM-END status=%d batch_ms=%lld", status, (long long)(mono_ms(CLOCK_MONOTONIC) - started));
    /* The serial driver may still hold output: powering off now would cut
     * it, or put the kernel's "reboot: Power down" in the middle of it. */
    tcdrain(1);
  }
  if (poweroff) {
    sync();
    reboot(RB_POWER_OFF);
  }
  return status;
}
