// The kernel probe end to end: the static executable (native/build/
// seccheck-probe) answers a batch of requests exactly as the shared library
// does through kernelCheck / kernelTsync / kernelFeatures; boxlite's vmm
// filter installed with TSYNC covers the threads started before it (and
// without TSYNC it does not); `seccheck kernel-info` prints the features
// and exits 0, or one line and 2 when the probe is not built.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BPF_STMT, OP, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
  SECCOMP_RET_ALLOW, actionValue, archByName, encodeProgram, type Program,
} from 'unicorn-bpf-emulator';
import { requireCorpus } from '../emulator/src/__test-helpers__/corpus.js';
import { kernelFeatures } from '../native/features.js';
import { kernelCheck, kernelTsync, type KernelTsyncOptions, type TsyncProbe } from '../native/install.js';
import { kernelProbeUnavailable, kernelRun, type KernelCase } from '../native/probe.js';
import { probeExecutablePath, probeUnavailable } from '../native/library.js';
import { loadFilter } from '../src/formats/load.js';
import { lines, runMain } from './__test-helpers__/cli.js';

const unavailable = probeUnavailable();
const kernelDescribe = unavailable === null ? describe : describe.skip;
const skipNote = unavailable === null ? '' : ` (skipped: ${unavailable})`;
const exe = probeExecutablePath();
const exeDescribe = unavailable === null && exe !== null ? describe : describe.skip;
const exeNote = exe === null ? ' (skipped: native/build/seccheck-probe is not built)' : skipNote;

const RET_ALLOW = BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW);
const RET_A = BPF_STMT(OP.RET_A, 0);
const NATIVE = endianness() === 'LE' ? 'little' : 'big';
const hex = (p: Program): string => (p.length === 0 ? '-' : Buffer.from(encodeProgram(p, NATIVE)).toString('hex'));
const progs = (stack: readonly Program[]): string => stack.map(hex).join(',');

/** Run the static probe on `requests` (one per line); its JSON lines. */
function runProbe(requests: readonly string[]): Record<string, unknown>[] {
  const r = spawnSync(exe!, [], { input: requests.join('\n') + '\n', encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

const L = SECCOMP_FILTER_FLAG_NEW_LISTENER;
const T = SECCOMP_FILTER_FLAG_TSYNC;
const ESRCH = SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
const KILL_ALL: Program = [BPF_STMT(OP.RET_K, actionValue('KILL_PROCESS'))];

/** check requests: the stack, per-filter flags and options, as both faces take them. */
const CHECKS: { stack: Program[]; flags?: number[]; nnp?: boolean }[] = [
  { stack: [[RET_ALLOW], [RET_ALLOW]] },
  { stack: [[RET_ALLOW], [RET_ALLOW], [RET_ALLOW]], flags: [L, 0, L] }, // EBUSY at 2
  { stack: [[RET_ALLOW]], nnp: false }, // EACCES
  { stack: [[]] }, // EINVAL (len 0)
  { stack: [[BPF_STMT(OP.LD_MEM, 0), RET_A]] }, // EINVAL (check_load_and_stores)
  { stack: [[RET_ALLOW]], flags: [1 << 6] }, // EINVAL (flags)
  { stack: [KILL_ALL, [RET_ALLOW]] }, // the second seccomp(2) is killed by the first filter: signal 31
  { stack: Array.from({ length: 3642 }, () => [RET_ALLOW]) }, // ENOMEM at 3641
];

const TSYNCS: KernelTsyncOptions[] = [
  { threads: 3, flags: 0 },
  { threads: 3, flags: T },
  { threads: 3, flags: T, diverge: [2] },
  { threads: 3, flags: T | ESRCH, diverge: [2] },
  { threads: 2, flags: T | L },
  { threads: 2, flags: T | L | ESRCH },
];

const PROBE_KIND: Record<string, TsyncProbe['kind'] | 'returned'> = { not_run: 'not_run', returned: 'returned', trapped: 'trapped', gone: 'killed', blocked: 'blocked' };

exeDescribe(`the static seccheck-probe executable agrees with the library${exeNote}`, () => {
  it('check, tsync and features requests in one batch', () => {
    const requests = [
      ...CHECKS.map((c, i) => `check id=c${i}${c.flags ? ` flags=${c.flags.join(',')}` : ''}${c.nnp === false ? ' nnp=0' : ''} ${progs(c.stack)}`),
      ...TSYNCS.map((t, i) => `tsync id=t${i} threads=${t.threads} flags=${t.flags}${t.diverge ? ` diverge=${t.diverge.join(',')}` : ''} ${hex([RET_ALLOW])}`),
      'features id=f',
    ];
    const out = runProbe(requests);
    expect(out.map((o) => o.id)).toEqual([...CHECKS.map((_, i) => `c${i}`), ...TSYNCS.map((_, i) => `t${i}`), 'f']);

    CHECKS.forEach((c, i) => {
      const lib = kernelCheck(c.stack, { flags: c.flags, noNewPrivs: c.nnp });
      const steps = out[i].steps as { index: number; ok: boolean; ret: number; errno: string | null; signal?: number }[];
      expect(out[i].result, `c${i}`).toBe(steps.length);
      // Listener fds are numbered per process: compare ret only where it is not an fd.
      const comparable = (s: { index: number; ok: boolean; ret: number; errno: string | null; signal?: number }) =>
        ({ index: s.index, ok: s.ok, errno: s.errno, signal: s.signal, ret: (c.flags?.[s.index] ?? 0) & L && s.ok ? 'fd' : s.ret });
      expect(steps.map(comparable), `c${i}`).toEqual(lib.map(comparable));
    });

    TSYNCS.forEach((t, j) => {
      const o = out[CHECKS.length + j] as { ok: boolean; ret: number; errno: string | null; signal: number; threads: { tid: number; state: string; probe_ret: number }[] };
      const lib = kernelTsync([RET_ALLOW], t);
      expect({ ok: o.ok, errno: o.errno }, `t${j}`).toEqual({ ok: lib.ok, errno: lib.errno });
      expect(o.signal === 0 ? null : o.signal).toBe(lib.signal);
      const blocking = o.ret > 0 && !o.ok ? o.threads.findIndex((th) => th.tid === o.ret) : null;
      expect(blocking, `t${j} blocking thread`).toBe(lib.blockingThread);
      const exeProbes = o.threads.map((th) => {
        const kind = PROBE_KIND[th.state];
        if (kind !== 'returned') return kind;
        return th.probe_ret < 0 ? `errno ${-th.probe_ret}` : 'executed';
      });
      const libProbes = lib.threads.map((th) => (th.probe.kind === 'errno' ? `errno ${th.probe.errno}` : th.probe.kind));
      expect(exeProbes, `t${j} probes`).toEqual(libProbes);
    });

    const f = out.at(-1) as Record<string, unknown>;
    const lib = kernelFeatures();
    expect(f).toMatchObject({
      op: 'features',
      result: 0,
      release: lib.release,
      machine: lib.machine,
      seccomp_errno: lib.seccompErrno,
      flags: lib.flags,
      actions_avail: lib.actionsAvail?.join(' ') ?? null,
      actions_logged: lib.actionsLogged?.join(' ') ?? null,
      notif_sizes: lib.notifSizes ? [lib.notifSizes.seccompNotif, lib.notifSizes.seccompNotifResp, lib.notifSizes.seccompData] : null,
    });
    expect(f.action_avail).toEqual(lib.actionAvail.map((a) => ({ value: a.value >>> 0, errno: a.errno })));
    for (const abi of ['x32', 'i386'] as const) {
      const e = f[abi] as { state: string; ret: number; pid: number };
      const l = lib[abi];
      const exeView = e.state === 'returned' ? (e.ret === e.pid ? 'works' : e.ret < 0 ? `refused ${-e.ret}` : 'returned') : e.state;
      const libView = l.state === 'refused' ? `refused ${{ ENOSYS: 38, EFAULT: 14, EINVAL: 22 }[l.errno] ?? l.errno}` : l.state === 'signalled' ? 'signalled' : l.state;
      expect(exeView, abi).toBe(libView);
    }
  });

  it.runIf(kernelProbeUnavailable() === null)('run requests: the same outcomes as kernelRun', () => {
    const ERRNO = (e: number): number => actionValue('ERRNO', e);
    const stacks: Program[][] = [
      [[BPF_STMT(OP.LD_W_ABS, 0), BPF_STMT(OP.ALU_OR_K, ERRNO(0)), RET_A]], // errno = nr
      [[BPF_STMT(OP.RET_K, ERRNO(1))], [BPF_STMT(OP.RET_K, actionValue('TRAP', 0xbeef))]],
      [[BPF_STMT(OP.RET_K, actionValue('KILL_THREAD'))]],
      [[RET_ALLOW]],
    ];
    const cases: KernelCase[] = [
      { abi: 'native', nr: 39, args: [] },
      { abi: 'native', nr: 110, args: [7n, 0xffffffff_00000001n] },
      { abi: 'i386', nr: 20, args: [] },
    ];
    const caseText = cases.map((c) => [c.abi, c.nr, ...c.args.map((a) => '0x' + a.toString(16))].join(':')).join(' ');
    const out = runProbe(stacks.map((s, i) => `run id=r${i} ${progs(s)} ${caseText}`));
    const KIND: Record<string, string> = {
      killed_process: 'killed', killed_thread: 'killed', trap: 'trap', errno: 'errno', enosys_trace: 'enosys', enosys_notif: 'enosys',
      allowed: 'allowed', traced: 'traced', notified: 'notified', timeout: 'timeout', install_failed: 'install_failed', executed: 'executed',
    };
    stacks.forEach((stack, i) => {
      const lib = kernelRun(stack, cases);
      const outcomes = out[i].outcomes as { kind: string; errno_val: number; si_errno: number }[];
      expect(outcomes.map((o) => [KIND[o.kind], o.kind === 'errno' ? o.errno_val : o.kind === 'trap' ? o.si_errno : null]), `r${i}`)
        .toEqual(lib.map((o) => [o.kind, o.kind === 'errno' ? o.errno : o.kind === 'trap' ? o.si_errno : null]));
    });
  });

  it('a malformed line gives an error object and exit status 1; the other lines are still answered', () => {
    const r = spawnSync(exe!, [], { input: `check id=a ${hex([RET_ALLOW])}\ncheck id=b 0600\nfrobnicate\n`, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.map((o) => [o.op, o.id])).toEqual([['check', 'a'], ['error', 'b'], ['error', undefined]]);
    expect(out[1].error).toMatch(/multiple of 16/);
  });
});

kernelDescribe(`boxlite's vmm filter with TSYNC covers the threads started before it${skipNote}`, () => {
  const archName = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  const arch = archByName(archName)!;
  const file = join(requireCorpus(), 'policies', 'boxlite', `${archName}-unknown-linux-gnu.json`);
  const vmm = loadFilter(file, { arch }).programs.find((p) => p.thread === 'vmm')!.program;

  it('the kernel accepts the vmm filter', () => {
    expect(kernelCheck([vmm])).toMatchObject([{ index: 0, ok: true, ret: 0, errno: null }]);
  });

  it('apply_filter_all_threads (TSYNC): every earlier thread is filtered; apply_filter (no flags): only the caller', () => {
    const withTsync = kernelTsync(vmm, { threads: 3, flags: T });
    expect(withTsync.ok).toBe(true);
    expect(withTsync.threads.map((t) => t.filtered)).toEqual([true, true, true, true]);
    expect(withTsync.threads.every((t) => t.seccompMode === 2)).toBe(true);
    const without = kernelTsync(vmm, { threads: 3, flags: 0 });
    expect(without.ok).toBe(true);
    expect(without.threads.map((t) => t.filtered)).toEqual([true, false, false, false]);
  });

  it('a thread that installed its own filter first makes boxlite\'s TSYNC install fail with that thread\'s TID (InstallationError::TsyncFailed)', () => {
    const r = kernelTsync(vmm, { threads: 3, flags: T, diverge: [3] });
    expect(r).toMatchObject({ ok: false, blockingThread: 3, errno: null });
    expect(r.ret).toBe(r.threads[3].tid);
  });
});

kernelDescribe(`seccheck kernel-info${skipNote}`, () => {
  it('prints one line per feature and exits 0', async () => {
    const r = await runMain(['kernel-info']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    const f = kernelFeatures();
    expect(out[0]).toBe(`kernel: ${f.release} ${f.machine}`);
    expect(out.find((l) => l.startsWith('filter flags: '))).toBe(`filter flags: 0x${f.flags.toString(16)} ${f.flagNames.join(' ')}`);
    expect(out.find((l) => l.startsWith('actions (GET_ACTION_AVAIL): '))).toMatch(/0x7ffe0000 EOPNOTSUPP, 0x00050001 EOPNOTSUPP$/);
    expect(out.some((l) => l.startsWith('x32 system calls: '))).toBe(true);
    expect(out.some((l) => l.startsWith('i386 int $0x80: '))).toBe(true);
    expect(out.some((l) => l.startsWith('this process: seccomp '))).toBe(true);
  });

  it('--json prints one document: kernelFeatures()', async () => {
    const r = await runMain(['kernel-info', '--json']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    const doc = JSON.parse(r.stdout) as ReturnType<typeof kernelFeatures>;
    const f = kernelFeatures();
    // The pids in the ABI probes differ from run to run.
    const stable = (x: typeof f): unknown => ({ ...x, x32: x.x32.state, i386: x.i386.state });
    expect(stable(doc)).toEqual(stable(f));
  });
});

describe('seccheck kernel-info without the probe', () => {
  it('one line that says why, and exit 2', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'seccheck-noprobe-'));
    const saved = process.env.SECCHECK_PROBE_DIR;
    process.env.SECCHECK_PROBE_DIR = empty;
    try {
      const r = await runMain(['kernel-info']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/^seccheck: the kernel probe is not built .*native\/build\.mjs/);
    } finally {
      if (saved === undefined) delete process.env.SECCHECK_PROBE_DIR;
      else process.env.SECCHECK_PROBE_DIR = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
