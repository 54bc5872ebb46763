// vm:aarch64 end to end (issue 6): one boot of Debian 12's arm64 kernel under
// qemu-system-aarch64 with the cross-built probe as /init runs SEMANTICS-style
// rows rewritten for aarch64 (getpid 172, seccomp 277, AUDIT_ARCH_AARCH64)
// and the corpus's Docker aarch64 filters (cases.jsonl and fuzz.jsonl); every
// answer equals the emulator's for that kernel version (zero disagreements),
// and each row equals its stated outcome. Fails, with the reason, when qemu,
// the kernel (npm run setup:vm) or the aarch64 probe is missing.
// Also measures qemu start -> first result, and probes/s inside the VM.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actionValue, archByName, BPF_JUMP, BPF_STMT, OP, SECCOMP_RET_ALLOW, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_USER_NOTIF,
  type Insn, type Outcome, type Program,
} from 'unicorn-bpf-emulator';
import { bootBatch, qemuCommand, writeInitramfs } from '../../containers/vm/boot.js';
import { vmEngine, type VmEngine, type VmJob } from '../../containers/vm/engine.js';
import { loadCorpusFilters } from '../../emulator/src/__test-helpers__/corpus.js';
import { checkRequest, checkSteps, programsWord } from '../../native/probe_protocol.js';
import { compareCheckSteps, compareOutcomes, countComparisons, formatComparisonCounts } from '../../src/engines/compare.js';
import { emulatorEngine } from '../../src/engines/emulator.js';
import type { EngineCase, EngineOutcome } from '../../src/engines/engine.js';
import { formatEngineOutcome } from '../../src/engines/format.js';
import { formatCaseData } from '../../src/evaluate.js';
import { parseCase } from '../../src/formats/cases.js';
import { resolveKernel } from '../../src/kernel.js';

const AARCH64 = archByName('aarch64')!;
const AUDIT_ARCH_AARCH64 = 0xc00000b7;
const NR_GETPID = 172;
const NR_SECCOMP = 277;

const RET = (k: number): Insn => BPF_STMT(OP.RET_K, k >>> 0);
const RET_A = BPF_STMT(OP.RET_A, 0);
const ERRNO = (e: number): number => actionValue('ERRNO', e);
const LD = (off: number): Insn => BPF_STMT(OP.LD_W_ABS, off);
const ERRNO1_IF_A_IS = (k: number): Insn[] => [BPF_JUMP(OP.JMP_JEQ_K, k >>> 0, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))];
const aarch64 = (nr: number, args: readonly bigint[] = []): EngineCase => ({ arch: AARCH64, nr, args: [0, 1, 2, 3, 4, 5].map((i) => args[i] ?? 0n), ip: 0n });
const GETPID = aarch64(NR_GETPID);

/** Every filter but the newest lets the next seccomp(2) (aarch64 277) through, as a sandbox installing them would need. */
const sandboxStack = (...filters: Program[]): Program[] =>
  filters.map((p, i) => (i === filters.length - 1 ? [...p] : [LD(0), BPF_JUMP(OP.JMP_JEQ_K, NR_SECCOMP, 0, 1), RET(SECCOMP_RET_ALLOW), BPF_STMT(OP.LD_IMM, 0), ...p]));

const killed = (scope: 'process' | 'thread'): Outcome => ({ kind: 'killed', signal: 31, scope });
const errno = (e: number): Outcome => ({ kind: 'errno', errno: e });

interface Row {
  readonly title: string;
  readonly stack: Program[];
  readonly case?: EngineCase;
  readonly want: Outcome;
  readonly threads?: 'multi';
}

const ROWS: Row[] = [
  { title: 'RET A alone returns 0: KILL_THREAD kills the single-threaded process', stack: [[RET_A]], want: killed('process') },
  { title: 'KILL_THREAD in a multi-threaded process kills only the thread', stack: [[RET(0)]], want: killed('thread'), threads: 'multi' },
  { title: 'KILL_PROCESS', stack: [[RET(0x80000000)]], want: killed('process') },
  { title: 'X starts at 0: TXA; OR #ERRNO|9; RET A', stack: [[BPF_STMT(OP.MISC_TXA, 0), BPF_STMT(OP.ALU_OR_K, ERRNO(9)), RET_A]], want: errno(9) },
  { title: 'DIV by X = 0 ends the filter with 0', stack: [[BPF_STMT(OP.LDX_IMM, 0), BPF_STMT(OP.LD_IMM, 100), BPF_STMT(OP.ALU_DIV_X, 0), RET(ERRNO(11))]], want: killed('process') },
  { title: 'ERRNO data above 4095 is capped', stack: [[RET(ERRNO(5000))]], want: errno(4095) },
  { title: 'TRAP: si_errno is the data, si_syscall and si_arch the aarch64 call', stack: [[RET(actionValue('TRAP', 0x42))]], want: { kind: 'trap', signal: 31, si_errno: 0x42, si_syscall: NR_GETPID, si_arch: AUDIT_ARCH_AARCH64 } },
  { title: 'TRACE with no tracer: ENOSYS', stack: [[RET(SECCOMP_RET_TRACE | 7)]], want: { kind: 'enosys', errno: 38, action: 'TRACE' } },
  { title: 'USER_NOTIF with no listener: ENOSYS', stack: [[RET(SECCOMP_RET_USER_NOTIF)]], want: { kind: 'enosys', errno: 38, action: 'USER_NOTIF' } },
  { title: 'LOG runs the syscall like ALLOW', stack: [[RET(SECCOMP_RET_LOG)]], want: { kind: 'allowed', logged: false } },
  { title: 'ALLOW', stack: [[RET(SECCOMP_RET_ALLOW)]], want: { kind: 'allowed', logged: false } },
  { title: 'seccomp_data.arch is AUDIT_ARCH_AARCH64', stack: [[LD(4), ...ERRNO1_IF_A_IS(AUDIT_ARCH_AARCH64)]], want: errno(1) },
  { title: 'seccomp_data.nr is the aarch64 number', stack: [[LD(0), ...ERRNO1_IF_A_IS(NR_GETPID)]], want: errno(1) },
  {
    title: 'args[0] high half is at offset 20 (little-endian)', stack: [[LD(20), ...ERRNO1_IF_A_IS(0xdeadbeef)]],
    case: aarch64(NR_GETPID, [0xdeadbeef_00000001n]), want: errno(1),
  },
  { title: 'args[5] low half at offset 56', stack: [[LD(56), ...ERRNO1_IF_A_IS(0x12345678)]], case: aarch64(NR_GETPID, [0n, 0n, 0n, 0n, 0n, 0x12345678n]), want: errno(1) },
  { title: 'an unknown syscall number still reaches the filter', stack: [[LD(0), ...ERRNO1_IF_A_IS(999)]], case: aarch64(999), want: errno(1) },
  { title: 'stacked: the stronger action wins (TRAP over an older ERRNO)', stack: sandboxStack([RET(ERRNO(1))], [RET(actionValue('TRAP', 5))]), want: { kind: 'trap', signal: 31, si_errno: 5, si_syscall: NR_GETPID, si_arch: AUDIT_ARCH_AARCH64 } },
  { title: 'stacked: equal actions, the newest filter wins', stack: sandboxStack([RET(ERRNO(1))], [RET(ERRNO(2))]), want: errno(2) },
  { title: 'stacked: KILL_PROCESS in the older filter beats the newer ALLOW', stack: sandboxStack([RET(0x80000000)], [RET(SECCOMP_RET_ALLOW)]), want: killed('process') },
];

const DOCKER = loadCorpusFilters().filter((f) => f.name.startsWith('docker-moby/aarch64/'));
const dockerCases = DOCKER.map((f) => [...f.cases.map((c, i) => parseCase(c, i + 1, `${f.dir}/cases.jsonl`)), ...f.fuzz.map((c, i) => parseCase(c, i + 1, `${f.dir}/fuzz.jsonl`))]);

let vm: VmEngine;
let results: EngineOutcome[][] = [];
const report: string[] = [];

beforeAll(() => {
  vm = vmEngine('aarch64', { bootDeadlineMs: 120_000 });
  const jobs: VmJob[] = [
    ...ROWS.map((r) => ({ stack: r.stack, cases: [r.case ?? GETPID], opts: r.threads ? { threads: r.threads } : undefined })),
    ...DOCKER.map((f, i) => ({ stack: [f.program], cases: dockerCases[i] })),
  ];
  results = vm.runMany(jobs);
  const b = vm.lastBoot!;
  report.push(
    `vm:aarch64 (${vm.machine.kernelPackage} ${vm.machine.kernelVersion}): one boot, ${jobs.length} stacks, ${b.probes} probes: ` +
      `qemu wall ${b.wallMs.toFixed(0)} ms, guest boot to /init ${b.guestBootMs} ms, batch ${b.batchMs} ms in the VM = ${(b.probes / (b.batchMs / 1000)).toFixed(0)} probes/s`,
  );
});

afterAll(() => {
  console.log(report.join('\n'));
});

describe('vm:aarch64: one boot, SEMANTICS rows for aarch64 and Docker aarch64 filters, against the emulator for the same kernel', () => {
  it('has the two Docker aarch64 builds', () => {
    expect(DOCKER.map((f) => f.name)).toHaveLength(2);
  });

  // The emulator for the VM's kernel (6.1), not the host's.
  const onEmulator = () => emulatorEngine({ kernel: resolveKernel(vm.machine.release) });

  ROWS.forEach((row, i) => {
    it(row.title, () => {
      const got = results[i][0];
      const emu = onEmulator().run(row.stack, [row.case ?? GETPID], row.threads ? { threads: row.threads } : {})[0];
      expect(got).toEqual(row.want);
      expect(compareOutcomes(emu, got)).toEqual({ verdict: 'agree' });
    });
  });

  DOCKER.forEach((f, j) => {
    it(`${f.name}: zero disagreements; only the arm (AArch32) cases are skipped`, () => {
      const cases = dockerCases[j];
      const got = results[ROWS.length + j];
      const emu = onEmulator().run([f.program], cases);
      const cmps = cases.map((_, i) => compareOutcomes(emu[i], got[i]));
      report.push(`vm:aarch64 ${f.name}: ${formatComparisonCounts(countComparisons(cmps), 'case')}`);
      const disagreements = cases.flatMap((c, i) =>
        cmps[i].verdict === 'disagree' ? [`${c.line}: ${formatCaseData(c)}: emulator ${formatEngineOutcome(emu[i])}, vm ${formatEngineOutcome(got[i])}`] : [],
      );
      expect(disagreements).toEqual([]);
      const wronglySkipped = cases.filter((c, i) => cmps[i].verdict === 'skipped' && c.arch.name === 'aarch64').map(formatCaseData);
      expect(wronglySkipped).toEqual([]);
      expect(cases.filter((c) => c.arch.name === 'aarch64').length).toBeGreaterThan(0);
    });
  });

  it('check: the kernel in the VM loads a Docker filter and refuses an empty program with EINVAL', () => {
    expect(vm.check([DOCKER[0].program, []])).toEqual([
      { index: 0, ok: true, ret: 0, errno: null },
      { index: 1, ok: false, ret: -1, errno: 'EINVAL' },
    ]);
  });

  it('install checks agree with the emulator, and TSYNC covers the threads started before it (one boot)', () => {
    const ALLOW: Program = [RET(SECCOMP_RET_ALLOW)];
    const L = 8; // SECCOMP_FILTER_FLAG_NEW_LISTENER
    const T = 1; // SECCOMP_FILTER_FLAG_TSYNC
    const ESRCH = 16; // SECCOMP_FILTER_FLAG_TSYNC_ESRCH
    const checks: { stack: Program[]; flags?: number[] }[] = [
      { stack: [ALLOW, ALLOW] },
      { stack: [ALLOW, ALLOW, ALLOW], flags: [L, 0, L] }, // EBUSY at 2
      { stack: [[]] }, // EINVAL
      { stack: [[BPF_STMT(OP.LD_MEM, 0), RET_A]] }, // EINVAL (check_load_and_stores)
      { stack: [[RET(0x80000000)], ALLOW] }, // killed inside the second seccomp(2)
      { stack: Array.from({ length: 3642 }, () => ALLOW) }, // ENOMEM at 3641
    ];
    const hexAllow = programsWord([ALLOW], 'little');
    const requests = [
      ...checks.map((c, i) => checkRequest(`c${i}`, c.stack, 'little', c.flags)),
      `tsync id=t0 threads=3 flags=0 ${hexAllow}`,
      `tsync id=t1 threads=3 flags=${T} ${hexAllow}`,
      `tsync id=t2 threads=3 flags=${T} diverge=2 ${hexAllow}`,
      `tsync id=t3 threads=3 flags=${T | ESRCH} diverge=2 ${hexAllow}`,
    ];
    const { answers } = bootBatch(vm.machine, requests, { deadlineMs: 120_000 });
    const emu = onEmulator();
    checks.forEach((c, i) => {
      const got = checkSteps(answers[i]);
      const want = emu.check(c.stack, c.flags);
      const n = Math.max(got.length, want.length);
      const verdicts = Array.from({ length: n }, (_, k) => compareCheckSteps(want[k], got[k]).verdict);
      expect(verdicts.filter((v) => v === 'disagree'), `c${i}: vm ${JSON.stringify(got.slice(-1))}, emulator ${JSON.stringify(want.slice(-1))}`).toEqual([]);
    });
    type Th = { tid: number; state: string; probe_ret: number };
    const tsync = (k: number) => answers[checks.length + k] as unknown as { ok: boolean; ret: number; errno: string | null; threads: Th[] };
    const filtered = (t: { threads: Th[] }) => t.threads.map((th) => th.state === 'returned' && th.probe_ret === -3001); // the guard's errno
    expect(filtered(tsync(0))).toEqual([true, false, false, false]);
    expect(tsync(1).ok).toBe(true);
    expect(filtered(tsync(1))).toEqual([true, true, true, true]);
    // A sibling with its own filter blocks TSYNC: seccomp(2) returns its TID; with TSYNC_ESRCH, ESRCH instead.
    expect(tsync(2)).toMatchObject({ ok: false, errno: null, ret: tsync(2).threads[2].tid });
    expect(tsync(3)).toMatchObject({ ok: false, errno: 'ESRCH' });
  });

  it('a boot that misses its deadline: qemu is killed and the error is one line', () => {
    expect(() => bootBatch(vm.machine, ['features id=f'], { deadlineMs: 300 })).toThrow(/^vm:aarch64: no result within 300 ms; qemu killed \(.*\)$/);
  });

  it('qemu start -> first result (features), with a deadline', async () => {
    const { dir, initrd } = writeInitramfs(vm.machine, ['features id=f']);
    const { command, args } = qemuCommand(vm.machine, initrd);
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const deadline = setTimeout(() => child.kill('SIGKILL'), 120_000); // kills this qemu (its PID) only
    try {
      const firstMs = await new Promise<number>((resolve, reject) => {
        let seen = '';
        child.stdout.on('data', (d: Buffer) => {
          seen += d.toString('latin1');
          if (seen.includes('{"op":"features"')) resolve(performance.now() - t0);
        });
        child.on('exit', () => reject(new Error(`qemu exited without a result: ${seen.slice(-200)}`)));
      });
      const totalMs = await new Promise<number>((resolve) => {
        if (child.exitCode !== null) resolve(performance.now() - t0);
        else child.on('exit', () => resolve(performance.now() - t0));
      });
      report.push(`vm:aarch64: qemu start -> first result ${firstMs.toFixed(0)} ms, -> power off ${totalMs.toFixed(0)} ms`);
      expect(firstMs).toBeLessThan(60_000);
    } finally {
      clearTimeout(deadline);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
