// The kernel's seccomp(2) against the emulator's model of it. Every SEMANTICS
// §6.1 checker row about a program or flags (rows 1-25, 28, 29, 31, 32), the
// permission and listener rows (27, 30), and a few hundred random
// near-boundary programs are loaded into a forked child by kernelCheck; the
// emulator's seccompSetModeFilter (emulator/src/install.ts) must give the
// same result with the same errno for every filter of the stack. Then TSYNC
// (rows 33 and §4.3) through kernelTsync. Skipped, with the reason in the
// name, where the probe library is not built.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BPF_JUMP, BPF_MAXINSNS, BPF_STMT, FRESH_TASK, OP, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_NEW_LISTENER,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SECCOMP_RET_ALLOW, SKF_AD_OFF, actionValue, insn, seccompSetModeFilter,
  type Insn, type Program, type TaskState,
} from 'unicorn-bpf-emulator';
import { kernelCheck, kernelTsync, TSYNC_GUARD_ERRNO, TSYNC_OWN_ERRNO, type KernelInstallStep } from './install.js';
import { probeUnavailable } from './library.js';

const unavailable = probeUnavailable();
const kernelDescribe = unavailable === null ? describe : describe.skip;
const skipNote = unavailable === null ? '' : ` (skipped: ${unavailable})`;

const stmt = BPF_STMT;
const jump = BPF_JUMP;
const RET = (k: number): Insn => stmt(OP.RET_K, k);
const RET_A = stmt(OP.RET_A, 0);
const RET_ALLOW = RET(SECCOMP_RET_ALLOW);
const ERRNO = (e: number): number => actionValue('ERRNO', e);
const NR_GETPPID = 110;

/** The emulator's answer for the same stack, in kernelCheck's terms. */
function emulate(stack: readonly Program[], flags: readonly number[], task: TaskState = FRESH_TASK): { index: number; ok: boolean; errno: string | null }[] {
  const out: { index: number; ok: boolean; errno: string | null }[] = [];
  for (let i = 0; i < stack.length; i++) {
    const r = seccompSetModeFilter(task, flags[i] ?? 0, stack[i]);
    out.push({ index: i, ok: r.ok, errno: r.ok ? null : r.errno });
    if (!r.ok) break;
    task = r.task;
  }
  return out;
}

const brief = (steps: readonly KernelInstallStep[]): { index: number; ok: boolean; errno: string | null }[] =>
  steps.map((s) => ({ index: s.index, ok: s.ok, errno: s.errno }));

/** Load on the kernel and in the emulator; both must agree step by step. Returns the kernel's steps. */
function agree(stack: readonly Program[], flags: number | readonly number[] = 0, opts: { noNewPrivs?: boolean; task?: TaskState } = {}): KernelInstallStep[] {
  const perFilter = typeof flags === 'number' ? stack.map(() => flags) : flags;
  const kernel = kernelCheck(stack, { flags: perFilter, noNewPrivs: opts.noNewPrivs });
  expect(kernel.every((s) => s.signal === undefined && !s.timedOut), 'no step was killed or timed out').toBe(true);
  expect(brief(kernel)).toEqual(emulate(stack, perFilter, opts.task));
  return kernel;
}

/** One program: kernel and emulator agree, and the kernel says `errno` (null: accepted). */
function expectKernel(program: Program, errno: string | null, flags = 0): void {
  const [step] = agree([program], flags);
  expect(step.errno).toBe(errno);
}

/** 4096 classic instructions, eBPF length 4100 (SEMANTICS §2.5). */
const BIG: Program = [...Array.from({ length: BPF_MAXINSNS - 1 }, (_, i) => stmt(OP.LD_IMM, i)), RET_ALLOW];

// §2.2.1's RET fall-through program (6.1 #11).
const RET_FALLTHROUGH_QUIRK: Program = [
  jump(OP.JMP_JEQ_K, 0, 0, 2), stmt(OP.ST, 0), stmt(OP.JMP_JA, 1), RET_ALLOW, stmt(OP.LD_MEM, 0), RET_A,
];

/** Has this process CAP_SYS_ADMIN (bit 21 of CapEff)? */
function hasCapSysAdmin(): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m !== null && (BigInt('0x' + m[1]) & (1n << 21n)) !== 0n;
}

/** Seccomp mode and filter count of this very process (the vitest worker). */
const selfSeccomp = (): string => /^Seccomp:.*$/m.exec(readFileSync('/proc/self/status', 'utf8'))![0] + ' ' + (/^Seccomp_filters:.*$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[0] ?? '');
const selfBefore = selfSeccomp();
afterAll(() => {
  // House rule: filters only ever exist in forked children, never in the worker.
  expect(selfSeccomp()).toBe(selfBefore);
});

kernelDescribe(`kernelCheck vs the emulator: SEMANTICS §6.1 checker rows${skipNote}`, () => {
  it('#1 len = 0 -> EINVAL', () => expectKernel([], 'EINVAL'));
  it('#2 len = 4097 -> EINVAL; 4096 accepted', () => {
    expectKernel(Array.from({ length: 4097 }, () => RET_ALLOW), 'EINVAL');
    expectKernel(Array.from({ length: 4096 }, () => RET_ALLOW), null);
  });
  it('#3 JEQ jt target = len -> EINVAL', () => expectKernel([jump(OP.JMP_JEQ_K, 0, 1, 0), RET_ALLOW], 'EINVAL'));
  it('#4 JEQ jf target = len -> EINVAL', () => expectKernel([jump(OP.JMP_JEQ_K, 0, 0, 1), RET_ALLOW], 'EINVAL'));
  it('#5 last instruction LD IMM after a RET -> EINVAL', () => expectKernel([RET_ALLOW, stmt(OP.LD_IMM, 0)], 'EINVAL'));
  it('#6 LD M[3] before any store -> EINVAL', () => expectKernel([stmt(OP.LD_MEM, 3), RET_A], 'EINVAL'));
  it('#7 LD #x; ST M[3]; LDX M[3]; RET accepted', () => expectKernel([stmt(OP.LD_IMM, 0x1234), stmt(OP.ST, 3), stmt(OP.LDX_MEM, 3), RET_ALLOW], null));
  it('#8 store on one branch only, read after the join -> EINVAL', () =>
    expectKernel([stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, 39, 0, 1), stmt(OP.ST, 0), stmt(OP.LD_MEM, 0), RET_A], 'EINVAL'));
  it('#9 JA +1; LD M[5]; RET accepted (dead read after a jump)', () => expectKernel([stmt(OP.JMP_JA, 1), stmt(OP.LD_MEM, 5), RET_ALLOW], null));
  it('#10 RET; LD M[0]; RET A -> EINVAL (dead read after RET)', () => expectKernel([RET_ALLOW, stmt(OP.LD_MEM, 0), RET_A], 'EINVAL'));
  it('#11 the RET fall-through quirk -> EINVAL', () => expectKernel(RET_FALLTHROUGH_QUIRK, 'EINVAL'));
  it('#12 DIV #0 -> EINVAL; DIV #1 accepted', () => {
    expectKernel([stmt(OP.ALU_DIV_K, 0), RET_A], 'EINVAL');
    expectKernel([stmt(OP.ALU_DIV_K, 1), RET_A], null);
  });
  it('#13 MOD #3, MOD X -> EINVAL', () => {
    expectKernel([stmt(OP.ALU_MOD_K, 3), RET_A], 'EINVAL');
    expectKernel([stmt(OP.ALU_MOD_X, 0), RET_A], 'EINVAL');
  });
  it('#14 LD [2] -> EINVAL', () => expectKernel([stmt(OP.LD_W_ABS, 2), RET_A], 'EINVAL'));
  it('#15 LD [64] -> EINVAL; LD [60] accepted', () => {
    expectKernel([stmt(OP.LD_W_ABS, 64), RET_A], 'EINVAL');
    expectKernel([stmt(OP.LD_W_ABS, 60), RET_A], null);
  });
  it('#16 LD [SKF_AD_OFF+SKF_AD_PROTOCOL] -> EINVAL; unknown ancillary -> EINVAL', () => {
    expectKernel([stmt(OP.LD_W_ABS, SKF_AD_OFF), RET_A], 'EINVAL');
    expectKernel([stmt(OP.LD_W_ABS, SKF_AD_OFF + 0x100), RET_A], 'EINVAL');
  });
  it('#17 LD H/B ABS, LD W/H/B IND, LDX MSH -> EINVAL each', () => {
    for (const code of [OP.LD_H_ABS, OP.LD_B_ABS, OP.LD_W_IND, OP.LD_H_IND, OP.LD_B_IND, OP.LDX_B_MSH]) expectKernel([stmt(code, 0), RET_A], 'EINVAL');
  });
  it('#18 raw code 0x21 -> EINVAL', () => expectKernel([stmt(0x21, 0), RET_A], 'EINVAL'));
  it('#19 LSH #32 -> EINVAL; RSH #31 accepted', () => {
    expectKernel([stmt(OP.ALU_LSH_K, 32), RET_A], 'EINVAL');
    expectKernel([stmt(OP.LD_IMM, 0x80000000), stmt(OP.ALU_RSH_K, 31), RET_A], null);
  });
  it('#20 ST M[16] -> EINVAL', () => expectKernel([stmt(OP.ST, 16), RET_A], 'EINVAL'));
  it('#21 JA 1; RET -> EINVAL; JA 0; RET accepted; JA 0xffffffff -> EINVAL', () => {
    expectKernel([stmt(OP.JMP_JA, 1), RET_ALLOW], 'EINVAL');
    expectKernel([stmt(OP.JMP_JA, 0), RET_ALLOW], null);
    expectKernel([stmt(OP.JMP_JA, 0xffffffff), RET_ALLOW], 'EINVAL');
  });
  it('#22 codes 0x0e, 0x08, 0x0f, 0x8c, 0x0106 -> EINVAL each', () => {
    for (const code of [0x0e, 0x08, 0x0f, 0x8c, 0x0106]) expectKernel([insn(code, 0, 0, 0), RET_A], 'EINVAL');
    expectKernel([RET_ALLOW, insn(0x0106, 0, 0, SECCOMP_RET_ALLOW)], 'EINVAL');
  });
  it('#23 garbage jt/jf on LD IMM, ADD K, JA accepted', () =>
    expectKernel([insn(OP.LD_IMM, 7, 9, 5), insn(OP.ALU_ADD_K, 255, 255, 1), insn(OP.JMP_JA, 3, 4, 0), RET_A], null));
  it('#24 LDX H LEN (0x89) -> EINVAL; LD/LDX W LEN accepted', () => {
    expectKernel([stmt(0x89, 0), RET_A], 'EINVAL');
    expectKernel([stmt(OP.LD_W_LEN, 0), RET_A], null);
    expectKernel([stmt(OP.LDX_W_LEN, 0), stmt(OP.MISC_TXA, 0), RET_A], null);
  });
  it('#25 bad opcode in unreachable code after RET -> EINVAL', () => expectKernel([RET_ALLOW, insn(0x08, 0, 0, 0), RET_ALLOW], 'EINVAL'));

  it('#27 no NNP, no CAP_SYS_ADMIN: EACCES before the program is checked; len 0 still EINVAL', () => {
    const unprivileged: TaskState = { ...FRESH_TASK, noNewPrivs: false, capSysAdmin: false };
    for (const program of [[RET_ALLOW], [stmt(OP.LD_MEM, 0), RET_A]]) {
      const [step] = agree([program], 0, { noNewPrivs: false, task: unprivileged });
      expect(step.errno).toBe('EACCES');
    }
    expect(agree([[]], 0, { noNewPrivs: false, task: unprivileged })[0].errno).toBe('EINVAL');
  });

  it.runIf(hasCapSysAdmin())('#27 no NNP but CAP_SYS_ADMIN kept (seccheck runs as root): accepted; an invalid program is EINVAL', () => {
    const admin: TaskState = { ...FRESH_TASK, noNewPrivs: false, capSysAdmin: true };
    const ok = kernelCheck([[RET_ALLOW]], { noNewPrivs: false, capSysAdmin: true });
    expect(brief(ok)).toEqual(emulate([[RET_ALLOW]], [0], admin));
    expect(ok[0].ok).toBe(true);
    const bad = kernelCheck([[stmt(OP.LD_MEM, 0), RET_A]], { noNewPrivs: false, capSysAdmin: true });
    expect(brief(bad)).toEqual(emulate([[stmt(OP.LD_MEM, 0), RET_A]], [0], admin));
    expect(bad[0].errno).toBe('EINVAL');
  });

  it('#28 chain full (3641 RET filters), then an invalid program -> EINVAL, then len 0 -> EINVAL, then a valid one -> ENOMEM', () => {
    const full = Array.from({ length: 3641 }, () => [RET_ALLOW]);
    expect(agree([...full, [stmt(OP.LD_MEM, 0), RET_A]]).at(-1)).toMatchObject({ index: 3641, errno: 'EINVAL' });
    expect(agree([...full, []]).at(-1)).toMatchObject({ index: 3641, errno: 'EINVAL' });
    expect(agree([...full, [RET_ALLOW]]).at(-1)).toMatchObject({ index: 3641, errno: 'ENOMEM' });
  });

  it('#29 flags 1<<6, 1<<31, TSYNC|NEW_LISTENER, WAIT_KILLABLE_RECV alone -> EINVAL; TSYNC_ESRCH alone -> 0', () => {
    expectKernel([RET_ALLOW], 'EINVAL', 1 << 6);
    expectKernel([RET_ALLOW], 'EINVAL', 1 << 31);
    expectKernel([RET_ALLOW], 'EINVAL', SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER);
    expectKernel([RET_ALLOW], 'EINVAL', SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
    const [esrch] = agree([[RET_ALLOW]], SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
    expect(esrch).toMatchObject({ ok: true, ret: 0 });
  });

  it('#29 every combination of the 6 flag bits and bit 6, on a valid and on an invalid program', () => {
    for (let flags = 0; flags < 0x80; flags++) {
      agree([[RET_ALLOW]], flags);
      agree([[stmt(OP.LD_MEM, 0), RET_A]], flags);
    }
  });

  it('#30 NEW_LISTENER returns an fd; a second NEW_LISTENER on the chain -> EBUSY; without a listener it stacks', () => {
    const L = SECCOMP_FILTER_FLAG_NEW_LISTENER;
    const steps = agree([[RET_ALLOW], [RET_ALLOW], [RET_ALLOW]], [L, 0, L]);
    expect(steps[0].ok && steps[0].ret > 2).toBe(true);
    expect(steps[1]).toMatchObject({ ok: true, ret: 0 });
    expect(steps[2]).toMatchObject({ ok: false, ret: -1, errno: 'EBUSY' });
    // With TSYNC|TSYNC_ESRCH the listener fd still comes back (a single-threaded child syncs trivially).
    const [fd] = agree([[RET_ALLOW]], L | SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
    expect(fd.ok && fd.ret > 2).toBe(true);
  });

  it('#31 3641 RET #ALLOW filters fit, the 3642nd -> ENOMEM', () => {
    const steps = agree(Array.from({ length: 3642 }, () => [RET_ALLOW]));
    expect(steps).toHaveLength(3642);
    expect(steps[3641]).toMatchObject({ ok: false, errno: 'ENOMEM' });
  });

  it('#32 seven 4096-instruction filters fit, the 8th -> ENOMEM; after the 7, 449 one-instruction filters fit and the 450th -> ENOMEM', () => {
    expect(agree(Array.from({ length: 8 }, () => BIG)).at(-1)).toMatchObject({ index: 7, ok: false, errno: 'ENOMEM' });
    const sevenBig = Array.from({ length: 7 }, () => BIG);
    const ones = (n: number): Program[] => Array.from({ length: n }, () => [RET_ALLOW]);
    expect(agree([...sevenBig, ...ones(449)]).every((s) => s.ok)).toBe(true);
    expect(agree([...sevenBig, ...ones(450)]).at(-1)).toMatchObject({ index: 7 + 449, ok: false, errno: 'ENOMEM' });
  });

  it('later installs run under the earlier filters, as in a sandbox: ERRNO for seccomp(2) is the next errno; KILL is a recorded death; a USER_NOTIF hold is a recorded timeout', () => {
    const forSeccomp = (action: number): Program => [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, 317 /* x86_64 seccomp */, 0, 1), RET(action), RET_ALLOW];
    if (process.arch === 'x64') {
      expect(kernelCheck([forSeccomp(ERRNO(1)), [RET_ALLOW]])).toEqual([
        { index: 0, ok: true, ret: 0, errno: null }, { index: 1, ok: false, ret: -1, errno: 'EPERM' },
      ]);
    }
    expect(kernelCheck([[RET(actionValue('KILL_PROCESS'))], [RET_ALLOW]])).toEqual([
      { index: 0, ok: true, ret: 0, errno: null }, { index: 1, ok: false, ret: -1, errno: null, signal: 31 },
    ]);
    const held = kernelCheck([[RET(actionValue('USER_NOTIF'))], [RET_ALLOW], [RET_ALLOW]], { flags: [SECCOMP_FILTER_FLAG_NEW_LISTENER, 0, 0], timeoutMs: 300 });
    expect(held).toHaveLength(2);
    expect(held[0].ok).toBe(true);
    expect(held[1]).toEqual({ index: 1, ok: false, ret: -1, errno: null, timedOut: true });
  });

  it('§2.1 EBUSY beats ENOMEM: a full chain with a live listener refuses another listener with EBUSY', () => {
    const L = SECCOMP_FILTER_FLAG_NEW_LISTENER;
    const stack = Array.from({ length: 3642 }, () => [RET_ALLOW]);
    const flags = stack.map((_, i) => (i === 0 || i === 3641 ? L : 0));
    expect(agree(stack, flags).at(-1)).toMatchObject({ index: 3641, errno: 'EBUSY' });
  });
});

// ---------------------------------------------------------------- random near-boundary programs

/** Instructions that sit on or next to a checker rule's boundary, at position pc of a program of length n. */
function edgyInsn(pc: number, n: number): fc.Arbitrary<Insn> {
  const room = n - pc - 1; // JA k must be < room; Jcond targets pc+1+j must be < n
  const nearEnd = fc.integer({ min: Math.max(0, room - 2), max: room + 1 });
  const jumpOff = fc.oneof(fc.constant(0), nearEnd.map((v) => Math.min(v, 255)));
  const mem = fc.integer({ min: 0, max: 17 });
  return fc.oneof(
    fc.oneof(fc.integer({ min: 0, max: 68 }), fc.constantFrom(0xfffffffc, SKF_AD_OFF, SKF_AD_OFF + 4, SKF_AD_OFF + 36, SKF_AD_OFF + 64, SKF_AD_OFF + 0x100))
      .map((k) => stmt(OP.LD_W_ABS, k)),
    fc.tuple(fc.constantFrom(OP.LD_MEM, OP.LDX_MEM, OP.ST, OP.STX), mem).map(([c, k]) => stmt(c, k)),
    fc.tuple(fc.constantFrom(OP.ALU_LSH_K, OP.ALU_RSH_K), fc.integer({ min: 31, max: 33 })).map(([c, k]) => stmt(c, k)),
    fc.tuple(fc.constantFrom(OP.ALU_DIV_K, OP.ALU_MOD_K), fc.constantFrom(0, 1, 3)).map(([c, k]) => stmt(c, k)),
    fc.constantFrom(OP.ALU_MOD_X, OP.ALU_DIV_X, OP.ALU_LSH_X, OP.LD_H_ABS, OP.LD_B_ABS, OP.LD_W_IND, OP.LD_H_IND, OP.LD_B_IND, OP.LDX_B_MSH,
      OP.LD_W_LEN, OP.LDX_W_LEN, OP.MISC_TAX, OP.MISC_TXA, OP.ALU_NEG, 0x21, 0x89, 0x0e, 0x0106).map((c) => stmt(c, 0)),
    nearEnd.map((k) => stmt(OP.JMP_JA, k)),
    fc.constant(stmt(OP.JMP_JA, 0xffffffff)),
    fc.tuple(fc.constantFrom(OP.JMP_JEQ_K, OP.JMP_JGT_X, OP.JMP_JGE_K, OP.JMP_JSET_K), jumpOff, jumpOff, fc.constantFrom(0, 39, 0x80000000))
      .map(([c, jt, jf, k]) => jump(c, k, jt, jf)),
    fc.integer({ min: 0, max: 0xb2 }).map((c) => insn(c, 0, 0, 1)),
    fc.constant(RET_ALLOW),
    fc.constant(RET_A),
    fc.constant(stmt(OP.LD_IMM, SECCOMP_RET_ALLOW)),
  );
}

/** A short program of edgy instructions that usually ends in a RET, or a 4095..4097-long one. */
const nearBoundaryProgram: fc.Arbitrary<Insn[]> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 10 }).chain((n) =>
    fc.tuple(fc.tuple(...Array.from({ length: n }, (_, pc) => edgyInsn(pc, n))), fc.boolean(), fc.boolean()).map(([body, endInRet, retA]) =>
      endInRet ? [...body.slice(0, -1), retA ? RET_A : RET_ALLOW] : body)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(4095, 4096, 4097), fc.integer({ min: 0, max: 4094 }), edgyInsn(0, 4096)).map(([n, at, odd]) => {
    const p: Insn[] = Array.from({ length: n }, () => stmt(OP.LD_IMM, 0));
    p[n - 1] = RET_ALLOW;
    p[at] = odd;
    return p;
  }) },
);

const someFlags = fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(
  SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 1 << 6) });

kernelDescribe(`kernelCheck vs the emulator: random near-boundary programs${skipNote}`, () => {
  it('the kernel and the emulator give the same errno (300 runs)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(nearBoundaryProgram, someFlags, (program, flags) => {
        const kernel = kernelCheck([program], { flags });
        const emu = emulate([program], [flags]);
        expect(brief(kernel)).toEqual(emu);
        if (kernel[0].ok) accepted++;
      }),
      { numRuns: 300 },
    );
    // The generator is meant to straddle the rules: some programs must pass.
    expect(accepted).toBeGreaterThan(10);
  });
});

// ---------------------------------------------------------------- TSYNC

const T = SECCOMP_FILTER_FLAG_TSYNC;
const ESRCH_FLAG = SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
const LISTENER = SECCOMP_FILTER_FLAG_NEW_LISTENER;

kernelDescribe(`kernelTsync: threads started before the install${skipNote}`, () => {
  it('without TSYNC only the installing thread is filtered: the earlier threads really run the probe', () => {
    const r = kernelTsync([RET_ALLOW], { threads: 3, flags: 0 });
    expect(r).toMatchObject({ ok: true, ret: 0, errno: null, blockingThread: null, signal: null, guard: { ret: 0, errno: null } });
    expect(r.threads.map((t) => t.filtered)).toEqual([true, false, false, false]);
    expect(r.threads[0].probe).toEqual({ kind: 'errno', errno: TSYNC_GUARD_ERRNO });
    for (const t of r.threads.slice(1)) {
      expect(t.probe.kind).toBe('executed');
      expect(t.seccompMode).toBe(0);
    }
    expect(new Set(r.threads.map((t) => t.tid)).size).toBe(4);
  });

  it('with TSYNC every earlier thread gets the filter (and /proc shows mode 2 and the same chain length)', () => {
    const r = kernelTsync([RET_ALLOW], { threads: 3, flags: T });
    expect(r).toMatchObject({ ok: true, ret: 0, blockingThread: null });
    expect(r.threads.map((t) => t.filtered)).toEqual([true, true, true, true]);
    for (const t of r.threads) {
      expect(t.probe).toEqual({ kind: 'errno', errno: TSYNC_GUARD_ERRNO });
      expect(t.seccompMode).toBe(2);
      expect(t.seccompFilters).toBe(2); // the guard and the program
    }
  });

  it('the program decides what synced threads see: ERRNO(1) wins the tie with the guard, TRAP delivers SIGSYS to each', () => {
    const denyGetppid = (action: number): Program => [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, NR_GETPPID, 0, 1), RET(action), RET_ALLOW];
    const e = kernelTsync(denyGetppid(ERRNO(1)), { threads: 2, flags: T });
    expect(e.threads.map((t) => t.probe)).toEqual([0, 1, 2].map(() => ({ kind: 'errno', errno: 1 })));
    const trap = kernelTsync(denyGetppid(actionValue('TRAP', 0xbee)), { threads: 2, flags: T });
    expect(trap.threads.map((t) => t.probe)).toEqual([0, 1, 2].map(() => ({ kind: 'trapped', data: 0xbee })));
    expect(trap.threads.every((t) => t.filtered)).toBe(true);
  });

  it('KILL_THREAD kills each synced thread on its own; KILL_PROCESS ends the process at the first probe', () => {
    const kill = (action: number): Program => [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, NR_GETPPID, 0, 1), RET(action), RET_ALLOW];
    const kt = kernelTsync(kill(actionValue('KILL_THREAD')), { threads: 2, flags: T });
    expect(kt.threads.map((t) => t.probe.kind)).toEqual(['killed', 'killed', 'killed']);
    const kp = kernelTsync(kill(actionValue('KILL_PROCESS')), { threads: 2, flags: T });
    expect(kp.signal).toBe(31);
    expect(kp.threads.map((t) => t.probe.kind)).toEqual(['not_run', 'killed', 'not_run']);
  });

  it('#33 a sibling with its own filter: TSYNC returns its TID and installs nothing; with TSYNC_ESRCH -1/ESRCH', () => {
    const r = kernelTsync([RET_ALLOW], { threads: 3, flags: T, diverge: [2] });
    expect(r.ok).toBe(false);
    expect(r.ret).toBe(r.threads[2].tid);
    expect(r.blockingThread).toBe(2);
    expect(r.errno).toBeNull();
    expect(r.threads[2]).toMatchObject({ diverged: true, ownInstall: { ret: 0, errno: null }, probe: { kind: 'errno', errno: TSYNC_OWN_ERRNO }, filtered: false });
    // Nothing was installed: the main thread only has the guard; the other siblings have nothing.
    expect(r.threads[0]).toMatchObject({ filtered: false, seccompFilters: 1 });
    expect(r.threads.map((t) => t.probe.kind)).toEqual(['errno', 'executed', 'errno', 'executed']);

    const e = kernelTsync([RET_ALLOW], { threads: 3, flags: T | ESRCH_FLAG, diverge: [2] });
    expect(e).toMatchObject({ ok: false, ret: -1, errno: 'ESRCH', blockingThread: null });
    // Two diverged siblings: the TID is one of theirs.
    const two = kernelTsync([RET_ALLOW], { threads: 3, flags: T, diverge: [1, 3] });
    expect([1, 3]).toContain(two.blockingThread);
  });

  it('without TSYNC a diverged sibling does not matter: the install succeeds, the sibling keeps only its own filter', () => {
    const r = kernelTsync([RET_ALLOW], { threads: 2, flags: 0, diverge: [1] });
    expect(r.ok).toBe(true);
    expect(r.threads.map((t) => t.probe)).toEqual([
      { kind: 'errno', errno: TSYNC_GUARD_ERRNO }, { kind: 'errno', errno: TSYNC_OWN_ERRNO }, expect.objectContaining({ kind: 'executed' }),
    ]);
    expect(r.threads.map((t) => t.filtered)).toEqual([true, false, false]);
  });

  it('TSYNC|NEW_LISTENER without TSYNC_ESRCH -> EINVAL (nothing installed); with it -> a listener fd and every thread filtered', () => {
    const bad = kernelTsync([RET_ALLOW], { threads: 2, flags: T | LISTENER });
    expect(bad).toMatchObject({ ok: false, ret: -1, errno: 'EINVAL' });
    expect(bad.threads.map((t) => t.filtered)).toEqual([false, false, false]);
    const good = kernelTsync([RET_ALLOW], { threads: 2, flags: T | LISTENER | ESRCH_FLAG });
    expect(good.ok).toBe(true);
    expect(good.ret).toBeGreaterThan(2);
    expect(good.threads.map((t) => t.filtered)).toEqual([true, true, true]);
    // And a diverged sibling makes it fail with ESRCH (never a TID: the return value is the fd's slot).
    const diverged = kernelTsync([RET_ALLOW], { threads: 2, flags: T | LISTENER | ESRCH_FLAG, diverge: [2] });
    expect(diverged).toMatchObject({ ok: false, ret: -1, errno: 'ESRCH' });
  });

  it('rejects bad arguments before forking', () => {
    expect(() => kernelTsync([RET_ALLOW], { threads: 17 })).toThrow(RangeError);
    expect(() => kernelTsync([RET_ALLOW], { threads: 2, diverge: [3] })).toThrow(RangeError);
    expect(() => kernelTsync([RET_ALLOW], { probeNr: 59 /* execve */ })).toThrow(/harmless/);
  });
});
