// The guarded syscall probe against the running kernel, every outcome checked
// against the emulator for the same seccomp_data. These tests need the built
// probe library (built here if missing or older than its sources); without
// it they fail with the reason, they are not skipped.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionOutcome, assemble, compileFilter, FilterStack, insn, OP, seccompData, seccompDataWords,
  type Outcome, type ProcessContext, type Program,
} from 'unicorn-bpf-emulator';
import { validProgram } from '../emulator/src/__test-helpers__/arbitraries.js';
import { numRuns } from '../emulator/src/__test-helpers__/runs.js';
import { kernelProbeUnavailable, kernelRun, type KernelCase, type KernelOutcome, type KernelRunOptions } from './probe.js';

const here = dirname(fileURLToPath(import.meta.url));
const X86_64 = 0xc000003e;
const I386 = 0x40000003;
const X32_BIT = 0x40000000;
const GETPID = 39;
const GETPPID = 110;
const GETUID = 102;
const FTRUNCATE = 77;
const I386_GETPID = 20;

/**
 * Build the probe if it is missing (npm test builds it first). Not when it is
 * merely older than its sources: the linker rewrites the library in place,
 * under the feet of other test files' workers that have it loaded.
 */
function ensureBuilt(): void {
  const lib = join(here, 'build', 'libseccheck_probe.so');
  const status = join(here, 'build', 'status.json');
  const ok = existsSync(status) && (JSON.parse(readFileSync(status, 'utf8')) as { ok?: boolean }).ok === true;
  if (!ok || !existsSync(lib)) execFileSync(process.execPath, [join(here, 'build.mjs')], { stdio: 'inherit' });
}

beforeAll(() => {
  ensureBuilt();
  const reason = kernelProbeUnavailable();
  if (reason !== null) throw new Error(`the kernel probe is unavailable: ${reason}`);
});

const bpf = (text: string): Program => assemble(text, { syntax: 'bpf' });
const c = (abi: KernelCase['abi'], nr: number, args: readonly bigint[] = []): KernelCase => ({ abi, nr, args });
const native = (nr: number, args: readonly bigint[] = []): KernelCase => c('native', nr, args);

/** The emulator's outcome for a case: the same seccomp_data the kernel builds (ip aside). */
function emulated(stack: readonly Program[], k: KernelCase, ctx?: ProcessContext): Outcome {
  const arch = k.abi === 'i386' ? I386 : X86_64;
  const data = seccompData(k.nr, arch, k.args);
  const words = seccompDataWords(data);
  const result = new FilterStack(stack.map((p) => compileFilter(p))).run(words);
  return actionOutcome(result.action, { nr: data.nr, arch: data.arch }, ctx);
}

/** LOG differs from ALLOW only by an audit record, which the probe does not read. */
const probeView = (o: Outcome): Outcome => (o.kind === 'allowed' ? { kind: 'allowed', logged: false } : o);

/** Run on the kernel, check every Outcome against the emulator, return the kernel's outcomes. */
function runAndCompare(stack: readonly Program[], cases: readonly KernelCase[], opts: KernelRunOptions = {}): KernelOutcome[] {
  const got = kernelRun(stack, cases, opts);
  expect(got).toHaveLength(cases.length);
  const ctx: ProcessContext = { threads: opts.threads ?? 'single', tracer: false, listener: false };
  got.forEach((o, i) => {
    if (o.kind === 'timeout' || o.kind === 'install_failed' || o.kind === 'executed' || o.kind === 'skipped') return;
    expect({ i, o }).toEqual({ i, o: probeView(emulated(stack, cases[i], ctx)) });
  });
  return got;
}

/** Children of this process (every thread's), from /proc. */
function childPids(): number[] {
  const out: number[] = [];
  for (const t of readdirSync('/proc/self/task')) {
    try {
      for (const p of readFileSync(`/proc/self/task/${t}/children`, 'utf8').trim().split(/\s+/)) if (p) out.push(Number(p));
    } catch {
      // the thread ended
    }
  }
  return out.sort();
}

describe('kernelRun: what each action does', () => {
  it('ERRNO(1) on getpid', () => {
    expect(runAndCompare([bpf('ret ERRNO(1)')], [native(GETPID)])).toEqual([{ kind: 'errno', errno: 1 }]);
  });

  it('ERRNO(0) returns 0 without running getpid', () => {
    expect(runAndCompare([bpf('ret ERRNO(0)')], [native(GETPID)])).toEqual([{ kind: 'errno', errno: 0 }]);
  });

  it('ERRNO(5000) and ERRNO(0xffff) are capped at 4095', () => {
    expect(runAndCompare([bpf('ret ERRNO(5000)')], [native(GETPID)])).toEqual([{ kind: 'errno', errno: 4095 }]);
    expect(runAndCompare([bpf('ret ERRNO(0xffff)')], [native(GETPID)])).toEqual([{ kind: 'errno', errno: 4095 }]);
  });

  it('every errno 1..4095 comes back exactly, including the probe\'s own sentinel (computed with RET A)', () => {
    // ERRNO(args[0]): one of these equals the guard's sentinel errno; the second pass tells it apart.
    const stack = [bpf('ld [16]\nor #0x50000\nret a')];
    const cases = Array.from({ length: 4095 }, (_, e) => native(GETPID, [BigInt(e + 1)]));
    const got = runAndCompare(stack, cases);
    got.forEach((o, e) => expect(o).toEqual({ kind: 'errno', errno: e + 1 }));
  });

  it('TRAP(0xbeef): si_errno 0xbeef, si_syscall 39, si_arch x86_64; the next cases still run', () => {
    const got = runAndCompare([bpf('ret TRAP(0xbeef)')], [native(GETPID), native(GETPPID)]);
    expect(got[0]).toEqual({ kind: 'trap', signal: 31, si_errno: 0xbeef, si_syscall: 39, si_arch: X86_64 });
    expect(got[1]).toEqual({ kind: 'trap', signal: 31, si_errno: 0xbeef, si_syscall: GETPPID, si_arch: X86_64 });
  });

  it('KILL_PROCESS and KILL_THREAD kill the process when single-threaded', () => {
    for (const prog of ['ret KILL_PROCESS', 'ret KILL_THREAD']) {
      expect(runAndCompare([bpf(prog)], [native(GETPID), native(GETPID)], { threads: 'single' })).toEqual([
        { kind: 'killed', signal: 31, scope: 'process' },
        { kind: 'killed', signal: 31, scope: 'process' },
      ]);
    }
  });

  it('with a second thread, KILL_THREAD kills only that thread and KILL_PROCESS still the process', () => {
    expect(runAndCompare([bpf('ret KILL_THREAD')], [native(GETPID), native(GETPID)], { threads: 'multi' })).toEqual([
      { kind: 'killed', signal: 31, scope: 'thread' },
      { kind: 'killed', signal: 31, scope: 'thread' },
    ]);
    expect(runAndCompare([bpf('ret KILL_PROCESS')], [native(GETPID)], { threads: 'multi' })).toEqual([{ kind: 'killed', signal: 31, scope: 'process' }]);
    // ERRNO and TRAP are the same in the worker thread.
    expect(runAndCompare([bpf('ld [0]\njeq #39, t, e\nt: ret TRAP(5)\ne: ret ERRNO(6)')], [native(GETPID), native(GETPPID)], { threads: 'multi' })).toEqual([
      { kind: 'trap', signal: 31, si_errno: 5, si_syscall: 39, si_arch: X86_64 },
      { kind: 'errno', errno: 6 },
    ]);
  });

  it('an unknown action (0x00010000, 0x00060000, 0x7fd00000, 0xffff0000) kills the process', () => {
    for (const k of [0x00010000, 0x00060000, 0x7fd00000, 0xffff0000]) {
      expect(runAndCompare([[insn(OP.RET_K, 0, 0, k)]], [native(GETPID)])).toEqual([{ kind: 'killed', signal: 31, scope: 'process' }]);
    }
  });

  it('an unknown action weaker than TRACE (0x7ffe0000) cannot be told from ALLOW without running the syscall: skipped, or resolved with execute', () => {
    for (const k of [0x7ff10000, 0x7ffd0000, 0x7ffe0000]) {
      const stack = [[insn(OP.RET_K, 0, 0, k)]];
      const got = kernelRun(stack, [native(GETPID), native(FTRUNCATE, [1000n, 0n])]);
      expect(got.map((o) => o.kind)).toEqual(['skipped', 'skipped']);
      expect(got[0].kind === 'skipped' && got[0].reason).toMatch(/weaker than TRACE/);
      // getpid is on the safe list: with execute it is made without the guard, and the kernel kills.
      expect(runAndCompare(stack, [native(GETPID), native(FTRUNCATE, [1000n, 0n])], { execute: true }).map((o) => o.kind)).toEqual(['killed', 'skipped']);
    }
    // The same stack returning ALLOW for a case is skipped too (it could have returned the unknown action).
    const either = [bpf('ld [0]\njeq #39, a, u\na: ret ALLOW\nu: ret #0x7ffe0000')];
    expect(kernelRun(either, [native(GETPID)]).map((o) => o.kind)).toEqual(['skipped']);
    expect(runAndCompare(either, [native(GETPID), native(GETPPID)], { execute: true }).map((o) => o.kind)).toEqual(['executed', 'killed']);
  });

  it('TRACE and USER_NOTIF with nobody attached: ENOSYS', () => {
    expect(runAndCompare([bpf('ret TRACE(5)')], [native(GETPID)])).toEqual([{ kind: 'enosys', errno: 38, action: 'TRACE' }]);
    expect(runAndCompare([bpf('ret TRACE(0)')], [native(GETPID)])).toEqual([{ kind: 'enosys', errno: 38, action: 'TRACE' }]);
    expect(runAndCompare([bpf('ret USER_NOTIF')], [native(GETPID)])).toEqual([{ kind: 'enosys', errno: 38, action: 'USER_NOTIF' }]);
    // A computed TRACE of any data (RET A: the third pass settles the guard's own data value).
    const traceNr = [bpf('ld [16]\nor #0x7ff00000\nret a')];
    const cases = [0, 1, 2, 0xffff, 12345].map((d) => native(GETPID, [BigInt(d)]));
    for (const o of runAndCompare(traceNr, cases)) expect(o).toEqual({ kind: 'enosys', errno: 38, action: 'TRACE' });
  });

  it('ALLOW, LOG and ALLOW with data bits: allowed, and the syscall did not run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seccheck-probe-'));
    try {
      const file = join(dir, 'f');
      const fd = openSync(file, 'w+');
      writeSync(fd, 'hello');
      try {
        const cases = [native(FTRUNCATE, [BigInt(fd), 1000n]), native(GETPID)];
        for (const prog of ['ret ALLOW', 'ret LOG', 'ret #0x7fff1234']) {
          expect(runAndCompare([bpf(prog)], cases)).toEqual([
            { kind: 'allowed', logged: false },
            { kind: 'allowed', logged: false },
          ]);
          expect(fstatSync(fd).size).toBe(5);
        }
        // Even with execute, ftruncate is not on the safe list; getpid runs in the child.
        const got = runAndCompare([bpf('ret ALLOW')], cases, { execute: true });
        expect(got[0]).toEqual({ kind: 'allowed', logged: false });
        expect(fstatSync(fd).size).toBe(5);
        expect(got[1].kind).toBe('executed');
        const pid = got[1].kind === 'executed' ? got[1].ret : 0n;
        expect(pid > 0n && pid !== BigInt(process.pid)).toBe(true);
        // The fd really was that file: the same call from here truncates it.
        ftruncateSync(fd, 1000);
        expect(fstatSync(fd).size).toBe(1000);
      } finally {
        closeSync(fd);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('execute runs only allowed safe-list syscalls', () => {
    const stack = [bpf('ld [0]\njeq #102, deny, ok\ndeny: ret ERRNO(1)\nok: ret ALLOW')];
    const got = runAndCompare(stack, [native(GETPID), native(GETUID), native(GETPPID), c('i386', I386_GETPID), c('i386', 64), c('x32', X32_BIT | GETPPID)], { execute: true });
    expect(got[0]).toEqual({ kind: 'executed', ret: got[0].kind === 'executed' ? got[0].ret : -1n });
    expect(got[1]).toEqual({ kind: 'errno', errno: 1 });
    expect(got[2]).toEqual({ kind: 'executed', ret: BigInt(process.pid) }); // the child's parent is this process
    // i386 getpid (int $0x80) is on the list: the same child, the same pid. i386 getppid (64) and x32 getppid are not.
    expect(got[3]).toEqual({ kind: 'executed', ret: got[0].kind === 'executed' ? got[0].ret : -1n });
    expect(got[4]).toEqual({ kind: 'allowed', logged: false });
    expect(got[5]).toEqual({ kind: 'allowed', logged: false });
    // Without execute, nothing runs.
    expect(runAndCompare(stack, [native(GETPID)])).toEqual([{ kind: 'allowed', logged: false }]);
  });

  it('execute runs x32 getpid (0x40000027) when the stack lets it through: the pid on an x32 kernel, -ENOSYS (after the filters) on one without', () => {
    // A deny of getpid by its exact number, without the x32 guard: the x32 number slips past it.
    const forgetful = [bpf('ld [0]\njeq #39, deny, ok\ndeny: ret ERRNO(1)\nok: ret ALLOW')];
    const got = runAndCompare(forgetful, [native(GETPID), c('x32', X32_BIT | GETPID)], { execute: true });
    expect(got[0]).toEqual({ kind: 'errno', errno: 1 });
    expect(got[1].kind).toBe('executed');
    const ret = got[1].kind === 'executed' ? got[1].ret : 0n;
    // The host kernel decides: x32 enabled (kernel-info "x32 system calls: available") runs it, else ENOSYS.
    expect(ret === -38n || ret > 0n, `x32 getpid returned ${ret}`).toBe(true);
    // With the x32 guard, the same call never runs.
    const guarded = [bpf('ld [0]\njge #0x40000000, kill, next\nnext: jeq #39, deny, ok\ndeny: ret ERRNO(1)\nok: ret ALLOW\nkill: ret KILL_PROCESS')];
    expect(runAndCompare(guarded, [c('x32', X32_BIT | GETPID)], { execute: true })).toEqual([{ kind: 'killed', signal: 31, scope: 'process' }]);
  });

  it('a filter stack: the newest filter wins ties, a stronger action wins over ERRNO', () => {
    // Earlier filters act on getpid only: they must let the next seccomp() through (see below).
    const onGetpid = (action: string): Program => bpf(`ld [0]\njeq #39, a, b\na: ret ${action}\nb: ret ALLOW`);
    const e1 = onGetpid('ERRNO(1)');
    const e2 = onGetpid('ERRNO(2)');
    expect(runAndCompare([e1, e2], [native(GETPID)])).toEqual([{ kind: 'errno', errno: 2 }]);
    expect(runAndCompare([e2, e1], [native(GETPID)])).toEqual([{ kind: 'errno', errno: 1 }]);
    expect(runAndCompare([onGetpid('ERRNO(3)'), bpf('ret ALLOW')], [native(GETPID)])).toEqual([{ kind: 'errno', errno: 3 }]);
    expect(runAndCompare([e1, [insn(OP.RET_K, 0, 0, 0x7ffe0000)]], [native(GETPID)])).toEqual([{ kind: 'errno', errno: 1 }]);
    expect(runAndCompare([onGetpid('TRAP(1)'), e1], [native(GETPID)])[0].kind).toBe('trap');
    expect(runAndCompare([bpf('ret LOG'), bpf('ret TRACE(3)')], [native(GETPID)])).toEqual([{ kind: 'enosys', errno: 38, action: 'TRACE' }]);
    expect(runAndCompare([onGetpid('TRACE(3)'), bpf('ret USER_NOTIF')], [native(GETPID)])).toEqual([{ kind: 'enosys', errno: 38, action: 'USER_NOTIF' }]);
    expect(runAndCompare([onGetpid('KILL_THREAD'), onGetpid('KILL_PROCESS')], [native(GETPID), native(GETPPID)], { threads: 'multi' })).toEqual([
      { kind: 'killed', signal: 31, scope: 'process' },
      { kind: 'allowed', logged: false },
    ]);
  });

  it('DIV by X = 0 ends the filter with 0: killed', () => {
    expect(runAndCompare([bpf('ldx #0\nld #1\ndiv x\nret ERRNO(11)')], [native(GETPID)])).toEqual([{ kind: 'killed', signal: 31, scope: 'process' }]);
  });

  it('killing cases in the middle: a fresh child goes on with the next case', () => {
    const stack = [bpf('ld [0]\njeq #39, k, n\nk: ret KILL_PROCESS\nn: jeq #110, t, e\nt: ret TRAP(9)\ne: ret ERRNO(4)')];
    const cases = Array.from({ length: 30 }, (_, i) => native([GETPID, GETPPID, GETUID][i % 3]));
    const got = runAndCompare(stack, cases);
    expect(got.map((o) => o.kind)).toEqual(cases.map((k) => (k.nr === GETPID ? 'killed' : k.nr === GETPPID ? 'trap' : 'errno')));
  });
});

describe('kernelRun: ABIs and arguments', () => {
  it('i386 int 0x80 getpid (nr 20, arch 0x40000003) bypasses an arch-less deny of 39', () => {
    const stack = [bpf('ld [0]\njeq #39, deny, ok\ndeny: ret ERRNO(1)\nok: ret ALLOW')];
    expect(runAndCompare(stack, [native(GETPID), c('i386', I386_GETPID)])).toEqual([
      { kind: 'errno', errno: 1 },
      { kind: 'allowed', logged: false },
    ]);
    expect(runAndCompare([bpf('ret TRAP(1)')], [c('i386', I386_GETPID)])).toEqual([{ kind: 'trap', signal: 31, si_errno: 1, si_syscall: 20, si_arch: I386 }]);
    expect(runAndCompare([bpf('ld [4]\njeq #0x40000003, a, b\na: ret ERRNO(3)\nb: ret ERRNO(4)')], [c('i386', I386_GETPID), native(GETPID)])).toEqual([
      { kind: 'errno', errno: 3 },
      { kind: 'errno', errno: 4 },
    ]);
  });

  it('x32: the filter sees nr with 0x40000000 (0x40000027) and the native arch', () => {
    const stack = [bpf('ld [0]\njeq #0x40000027, a, b\na: ret ERRNO(7)\nb: ret ERRNO(8)')];
    expect(runAndCompare(stack, [c('x32', X32_BIT | GETPID), native(GETPID)])).toEqual([
      { kind: 'errno', errno: 7 },
      { kind: 'errno', errno: 8 },
    ]);
    expect(runAndCompare([bpf('ret TRAP(2)')], [c('x32', X32_BIT | GETPID)])).toEqual([
      { kind: 'trap', signal: 31, si_errno: 2, si_syscall: X32_BIT | GETPID, si_arch: X86_64 },
    ]);
    expect(runAndCompare([bpf('ret ALLOW')], [c('x32', X32_BIT | GETPID)])).toEqual([{ kind: 'allowed', logged: false }]);
  });

  it('all six arguments reach the filter as full 64-bit values (native, i386 high halves, x32)', () => {
    // ERRNO(low 12 bits of args[i] word w): tells every word apart.
    for (let i = 0; i < 6; i++) {
      for (const half of [0, 4]) {
        const stack = [bpf(`ld [${16 + 8 * i + half}]\nand #0xfff\nor #0x50000\nret a`)];
        const args = Array.from({ length: 6 }, (_, a) => (BigInt(0x100 + a * 16 + 1) << 32n) | BigInt(0x200 + a * 16 + 2));
        const want = half === 4 ? 0x100 + i * 16 + 1 : 0x200 + i * 16 + 2;
        for (const abi of ['native', 'i386', 'x32'] as const) {
          const nr = abi === 'i386' ? I386_GETPID : abi === 'x32' ? X32_BIT | GETPID : GETPID;
          expect(runAndCompare(stack, [c(abi, nr, args)])).toEqual([{ kind: 'errno', errno: want }]);
        }
      }
    }
    // SEMANTICS §5.2: int 0x80 with rbx = 0x00000abc_fedcba98 shows 0xabc in args[0]'s high word.
    expect(runAndCompare([bpf('ld [20]\njeq #0xabc, a, b\na: ret ERRNO(9)\nb: ret ERRNO(10)')], [c('i386', I386_GETPID, [0xabcfedcba98n])])).toEqual([{ kind: 'errno', errno: 9 }]);
  });

  it('nr -1 and numbers past the table reach the filter', () => {
    const stack = [bpf('ld [0]\nand #0xfff\nor #0x50000\nret a')];
    runAndCompare(stack, [native(-1), native(100000), native(0x7fffffff), c('i386', -1), c('i386', 100000)]);
  });

  it('uretprobe (335) and uprobe (336) skip every filter: the probe does not make them', () => {
    const got = kernelRun([bpf('ret ERRNO(5)')], [native(335), native(336), native(337), c('i386', 335)]);
    expect(got[0].kind).toBe('skipped');
    expect(got[1].kind).toBe('skipped');
    expect(got[2]).toEqual({ kind: 'errno', errno: 5 });
    expect(got[3]).toEqual({ kind: 'errno', errno: 5 });
  });
});

describe('kernelRun: installation and deadlines', () => {
  const rejected = [insn(OP.LD_W_ABS, 0, 0, 64), insn(OP.RET_K, 0, 0, 0x7fff0000)]; // load past seccomp_data

  it('a filter the kernel rejects: install_failed EINVAL for every case', () => {
    expect(kernelRun([rejected], [native(GETPID), native(GETPPID)])).toEqual([
      { kind: 'install_failed', errno: 'EINVAL' },
      { kind: 'install_failed', errno: 'EINVAL' },
    ]);
    expect(kernelRun([bpf('ret ALLOW'), rejected], [native(GETPID)])).toEqual([{ kind: 'install_failed', errno: 'EINVAL' }]);
    expect(kernelRun([[]], [native(GETPID)])).toEqual([{ kind: 'install_failed', errno: 'EINVAL' }]);
  });

  it('a filter that denies seccomp() stops the next filter from being installed, as it would anywhere', () => {
    // The kernel runs the installed filters on the seccomp() call that installs the next one.
    expect(kernelRun([bpf('ret ERRNO(1)'), bpf('ret ERRNO(2)')], [native(GETPID)])).toEqual([{ kind: 'install_failed', errno: 'EPERM' }]);
    expect(kernelRun([bpf('ret TRACE(1)'), bpf('ret ERRNO(2)')], [native(GETPID)])).toEqual([{ kind: 'install_failed', errno: 'ENOSYS' }]);
    expect(kernelRun([bpf('ret TRAP(1)'), bpf('ret ERRNO(2)')], [native(GETPID)])).toEqual([{ kind: 'install_failed', errno: 'SIGSYS' }]);
    expect(kernelRun([bpf('ret KILL_THREAD'), bpf('ret ERRNO(2)')], [native(GETPID)], { threads: 'multi' })).toEqual([{ kind: 'install_failed', errno: 'SIGSYS' }]);
    const denySeccomp = bpf('ld [0]\njeq #317, d, a\nd: ret ERRNO(13)\na: ret ALLOW');
    expect(kernelRun([denySeccomp, bpf('ret ERRNO(1)')], [native(GETPID)])).toEqual([{ kind: 'install_failed', errno: 'EACCES' }]);
    const killSeccomp = bpf('ld [0]\njeq #317, d, a\nd: ret KILL_PROCESS\na: ret ALLOW');
    expect(kernelRun([killSeccomp, bpf('ret ERRNO(1)')], [native(GETPID)])).toEqual([{ kind: 'install_failed', errno: 'SIGSYS' }]);
    // Alone, it installs (the probe's guard is the only filter before it).
    expect(runAndCompare([denySeccomp], [native(GETPID)])).toEqual([{ kind: 'allowed', logged: false }]);
  });

  it('a case that waits forever ends as timeout after timeoutMs, the next cases still run, and no child outlives the call', () => {
    const before = childPids();
    const stack = [bpf('ld [0]\njeq #39, n, e\nn: ret USER_NOTIF\ne: ret ERRNO(4)')];
    const t0 = Date.now();
    const got = kernelRun(stack, [native(GETPPID), native(GETPID), native(GETPPID)], { listener: true, timeoutMs: 300 });
    const took = Date.now() - t0;
    expect(got).toEqual([{ kind: 'errno', errno: 4 }, { kind: 'timeout' }, { kind: 'errno', errno: 4 }]);
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(5000);
    expect(childPids()).toEqual(before);
    // Without the listener the same case is ENOSYS at once.
    expect(runAndCompare(stack, [native(GETPID)], { timeoutMs: 300 })).toEqual([{ kind: 'enosys', errno: 38, action: 'USER_NOTIF' }]);
  });

  it('a probe child dies with its caller, even when the caller is killed mid-call', async () => {
    // A separate node process calls sc_run on a case that waits 60 s; we SIGKILL it once its probe child is waiting.
    const script = `
      const koffi = require('koffi');
      const f = koffi.load(process.argv[1]).func('int32_t sc_run(const void *insns, const uint32_t *lens, uint32_t n, const void *cases, uint32_t ncases, uint32_t opts, uint32_t timeout_ms, void *out)');
      const insns = Buffer.alloc(8); insns.writeUInt16LE(0x06, 0); insns.writeUInt32LE(0x7fc00000, 4);
      const cs = Buffer.alloc(56); cs.writeInt32LE(39, 4);
      process.stdout.write('calling\\n');
      f(insns, new Uint32Array([1]), 1, cs, 1, 4, 60000, Buffer.alloc(40));`;
    const { spawn } = await import('node:child_process');
    const caller = spawn(process.execPath, ['-e', script, join(here, 'build', 'libseccheck_probe.so')], { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => caller.on('exit', () => resolve()));
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const status = (pid: number): string => {
      try {
        return readFileSync(`/proc/${pid}/status`, 'utf8');
      } catch {
        return '';
      }
    };
    let probe = 0;
    for (let i = 0; i < 200 && !probe; i++) {
      await sleep(25);
      for (const t of existsSync(`/proc/${caller.pid}/task`) ? readdirSync(`/proc/${caller.pid}/task`) : []) {
        for (const p of readFileSync(`/proc/${caller.pid}/task/${t}/children`, 'utf8').trim().split(/\s+/)) {
          // Waiting in the listener case: filters installed, in pass 2.
          if (p && /Seccomp:\s+2/.test(status(Number(p))) && /TracerPid:\s+[1-9]/.test(status(Number(p)))) probe = Number(p);
        }
      }
    }
    expect(probe).toBeGreaterThan(0);
    caller.kill('SIGKILL');
    await exited;
    let alive = true;
    for (let i = 0; i < 200 && alive; i++) {
      const st = status(probe);
      alive = st !== '' && !/State:\s+Z/.test(st);
      if (alive) await sleep(25);
    }
    expect(alive).toBe(false);
  });

  it('a caller that is itself under a seccomp filter is refused (EALREADY): its children would inherit the filter', () => {
    // A separate node process installs an ALLOW-all filter on itself (never this test worker), then calls sc_run.
    const script = `
      const koffi = require('koffi');
      const libc = koffi.load('libc.so.6');
      const fprog = koffi.struct('sock_fprog_t', { len: 'uint16_t', filter: 'void *' });
      const nnp = libc.func('prctl', 'int', ['int', 'unsigned long', 'unsigned long', 'unsigned long', 'unsigned long']);
      const setSeccomp = libc.func('prctl', 'int', ['int', 'unsigned long', koffi.pointer(fprog), 'unsigned long', 'unsigned long']);
      const allow = Buffer.alloc(8); allow.writeUInt16LE(0x06, 0); allow.writeUInt32LE(0x7fff0000, 4);
      if (nnp(38, 1, 0, 0, 0) !== 0 || setSeccomp(22, 2, { len: 1, filter: allow }, 0, 0) !== 0) throw new Error('could not install');
      const f = koffi.load(process.argv[1]).func('int32_t sc_run(const void *insns, const uint32_t *lens, uint32_t n, const void *cases, uint32_t ncases, uint32_t opts, uint32_t timeout_ms, void *out)');
      const cs = Buffer.alloc(56); cs.writeInt32LE(39, 4);
      process.stdout.write(String(f(allow, new Uint32Array([1]), 1, cs, 1, 0, 1000, Buffer.alloc(40))));`;
    const r = execFileSync(process.execPath, ['-e', script, join(here, 'build', 'libseccheck_probe.so')], { cwd: join(here, '..'), encoding: 'utf8' });
    expect(Number(r)).toBe(-114); // -EALREADY
  });

  it('no child outlives a call that kills many children', () => {
    const before = childPids();
    kernelRun([bpf('ret KILL_PROCESS')], Array.from({ length: 20 }, () => native(GETPID)), { threads: 'multi' });
    kernelRun([bpf('ret KILL_THREAD')], Array.from({ length: 20 }, () => native(GETPID)), { threads: 'multi' });
    expect(childPids()).toEqual(before);
  });
});

describe('kernelRun: random programs against the emulator', () => {
  /** A case the kernel can make: native (nr may carry the x32 bit) or i386, any args; ip is the probe's own, so programs must not read it. */
  const kernelCase = fc.record({
    abi: fc.constantFrom<KernelCase['abi']>('native', 'native', 'i386', 'x32'),
    nr: fc.oneof(fc.constantFrom(0, 1, 39, 110, 231, 317, 0x7fffffff, -1), fc.integer({ min: -1, max: 600 }), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
    args: fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 6, maxLength: 6 }),
  }).map((k) => ({ ...k, nr: k.abi === 'x32' ? (k.nr | X32_BIT) : k.nr }) as KernelCase);
  const allowSeccomp = bpf('ld [0]\njeq #317, a, b\na: ret ALLOW\nb: ld #0'); // falls through into the program
  const readsIp = (p: Program): boolean => p.some((i) => i.code === OP.LD_W_ABS && (i.k === 8 || i.k === 12));

  it('every outcome equals the emulator\'s (single and multi)', () => {
    fc.assert(
      fc.property(
        fc.array(validProgram(24).filter((p) => !readsIp(p)), { minLength: 1, maxLength: 3 }),
        fc.array(kernelCase, { minLength: 1, maxLength: 24 }),
        fc.constantFrom<'single' | 'multi'>('single', 'multi'),
        (programs, cases, threads) => {
          // Every filter but the newest lets the next seccomp() through, or the stack could not be installed anywhere.
          const stack = programs.map((p, i) => (i === programs.length - 1 ? p : [...allowSeccomp, ...p]));
          const runnable = cases.filter((k) => !(k.abi === 'native' && (k.nr === 335 || k.nr === 336)));
          const got = runAndCompare(stack, runnable, { threads });
          // The emulator's checker accepted these programs; so must the kernel.
          for (const o of got) expect(o.kind).not.toBe('install_failed');
        },
      ),
      { numRuns: numRuns(60) },
    );
  });
});
