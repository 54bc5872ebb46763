// SEMANTICS.md §6.2, the [V] rows about evaluation that a guarded probe can
// show (35-57, and 60: the uretprobe/uprobe bypass), run through the kernel
// engine (a real syscall in a forked child, on this kernel) AND the emulator
// engine; both must equal the row's stated result. Fails, with the reason,
// when the kernel engine is unavailable.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionValue, BPF_JUMP, BPF_STMT, OP, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG,
  SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF, type Insn, type Outcome, type Program,
} from 'unicorn-bpf-emulator';
import { compareOutcomes } from '../src/engines/compare.js';
import { emulator } from '../src/engines/emulator.js';
import type { EngineCase } from '../src/engines/engine.js';
import { kernel } from '../src/engines/kernel.js';
import { caseOf, requireKernelEngineForTests, sandboxStack } from './__test-helpers__/engines.js';

const RET = (k: number): Insn => BPF_STMT(OP.RET_K, k >>> 0);
const RET_A = BPF_STMT(OP.RET_A, 0);
const ERRNO = (e: number): number => actionValue('ERRNO', e);
const LD = (off: number): Insn => BPF_STMT(OP.LD_W_ABS, off);
const LD_IMM = (k: number): Insn => BPF_STMT(OP.LD_IMM, k >>> 0);
const LDX_IMM = (k: number): Insn => BPF_STMT(OP.LDX_IMM, k >>> 0);
const OR_ERRNO: Insn[] = [BPF_STMT(OP.ALU_OR_K, 0x00050000), RET_A];
/** if (A == k) ERRNO(1) else ERRNO(2): shows a value the filter computed or saw. */
const ERRNO1_IF_A_IS = (k: number): Insn[] => [BPF_JUMP(OP.JMP_JEQ_K, k >>> 0, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))];

const X86_64 = 0xc000003e;
const I386 = 0x40000003;
const GETPID = caseOf('x86_64', 39);

const killedProcess: Outcome = { kind: 'killed', signal: 31, scope: 'process' };
const killedThread: Outcome = { kind: 'killed', signal: 31, scope: 'thread' };
const errno = (e: number): Outcome => ({ kind: 'errno', errno: e });
const allowed: Outcome = { kind: 'allowed', logged: false };
const enosys = (action: 'TRACE' | 'USER_NOTIF'): Outcome => ({ kind: 'enosys', errno: 38, action });
const trap = (si_errno: number, si_syscall = 39, si_arch = X86_64): Outcome => ({ kind: 'trap', signal: 31, si_errno, si_syscall, si_arch });

interface Row {
  readonly title: string;
  /** Filters in installation order (oldest first). */
  readonly stack: readonly Program[];
  readonly case: EngineCase;
  readonly want: Outcome;
  readonly threads?: 'multi';
  /** Really run the syscall (a safe getter) when the stack allows it; see row 47. */
  readonly execute?: true;
}

/** Filters oldest first, each but the newest letting the next seccomp(2) call through (sandboxStack). */
const stackOf = (...filters: Program[]): Program[] => sandboxStack(filters);

const one = (title: string, program: Program, want: Outcome, c: EngineCase = GETPID): Row => ({ title, stack: [program], case: c, want });

const ROWS: Readonly<Record<string, readonly Row[]>> = {
  '35 RET A alone returns 0: KILL_THREAD kills the single-threaded process': [one('RET A', [RET_A], killedProcess)],
  '36 X starts at 0: TXA; OR #ERRNO|9; RET A': [one('TXA; OR; RET A', [BPF_STMT(OP.MISC_TXA, 0), BPF_STMT(OP.ALU_OR_K, ERRNO(9)), RET_A], errno(9))],
  '37 DIV by X = 0 returns 0 from the filter: killed, not errno 11': [
    one('LDX #0; LD #100; DIV X', [LDX_IMM(0), LD_IMM(100), BPF_STMT(OP.ALU_DIV_X, 0), RET(ERRNO(11))], killedProcess),
  ],
  '38 shifts by X use X & 31': [
    one('1 << (33 & 31) = 2', [LD_IMM(1), LDX_IMM(33), BPF_STMT(OP.ALU_LSH_X, 0), ...OR_ERRNO], errno(2)),
    one('7 >> (32 & 31) = 7', [LD_IMM(7), LDX_IMM(32), BPF_STMT(OP.ALU_RSH_X, 0), ...OR_ERRNO], errno(7)),
    one('0x70 >> (36 & 31) = 7', [LD_IMM(0x70), LDX_IMM(36), BPF_STMT(OP.ALU_RSH_X, 0), ...OR_ERRNO], errno(7)),
    one('0x80000000 >> (0xffffffff & 31) = 1', [LD_IMM(0x80000000), LDX_IMM(0xffffffff), BPF_STMT(OP.ALU_RSH_X, 0), ...OR_ERRNO], errno(1)),
  ],
  '39 arithmetic is modulo 2^32': [
    one('0xffffffff + 3 = 2', [LD_IMM(0xffffffff), BPF_STMT(OP.ALU_ADD_K, 3), ...ERRNO1_IF_A_IS(2)], errno(1)),
    one('1 - 2 = 0xffffffff', [LD_IMM(1), BPF_STMT(OP.ALU_SUB_K, 2), ...ERRNO1_IF_A_IS(0xffffffff)], errno(1)),
    one('0x10001 * 0x10001 = 0x00020001', [LD_IMM(0x10001), BPF_STMT(OP.ALU_MUL_K, 0x10001), ...ERRNO1_IF_A_IS(0x00020001)], errno(1)),
    one('NEG 5 = 0xfffffffb', [LD_IMM(5), BPF_STMT(OP.ALU_NEG, 0), ...ERRNO1_IF_A_IS(0xfffffffb)], errno(1)),
    one('0xffffffff / X=2 = 0x7fffffff (unsigned)', [LD_IMM(0xffffffff), LDX_IMM(2), BPF_STMT(OP.ALU_DIV_X, 0), ...ERRNO1_IF_A_IS(0x7fffffff)], errno(1)),
  ],
  '40 comparisons are unsigned': [
    one('0x90000000 > 1', [LD_IMM(0x90000000), BPF_JUMP(OP.JMP_JGT_K, 1, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))], errno(1)),
    one('0x90000000 >= 0x80000000', [LD_IMM(0x90000000), BPF_JUMP(OP.JMP_JGE_K, 0x80000000, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))], errno(1)),
  ],
  '41 errno from nr: LD [0]; OR #0x50000; RET A on getpid': [one('getpid -> errno 39', [LD(0), ...OR_ERRNO], errno(39))],
  '42 ERRNO data is capped at 4095': [
    one('ERRNO(5000)', [RET(ERRNO(5000))], errno(4095)),
    one('ERRNO(0xffff)', [RET(ERRNO(0xffff))], errno(4095)),
  ],
  '43 ERRNO(0): the syscall returns 0 without running': [one('ERRNO(0)', [RET(ERRNO(0))], errno(0))],
  '44 among equal actions the newest filter wins': [
    { title: 'ERRNO(1) then ERRNO(2)', stack: stackOf([RET(ERRNO(1))], [RET(ERRNO(2))]), case: GETPID, want: errno(2) },
    { title: 'ERRNO(2) then ERRNO(1)', stack: stackOf([RET(ERRNO(2))], [RET(ERRNO(1))]), case: GETPID, want: errno(1) },
  ],
  '45 a stronger action in an older filter wins': [
    { title: 'ERRNO(3) then ALLOW', stack: stackOf([RET(ERRNO(3))], [RET(SECCOMP_RET_ALLOW)]), case: GETPID, want: errno(3) },
  ],
  '46 precedence': [
    { title: 'TRAP vs ERRNO', stack: stackOf([RET(ERRNO(1))], [RET(SECCOMP_RET_TRAP)]), case: GETPID, want: trap(0) },
    { title: 'ERRNO vs TRAP', stack: stackOf([RET(SECCOMP_RET_TRAP)], [RET(ERRNO(1))]), case: GETPID, want: trap(0) },
    { title: 'LOG vs TRACE', stack: stackOf([RET(SECCOMP_RET_LOG)], [RET(SECCOMP_RET_TRACE)]), case: GETPID, want: enosys('TRACE') },
    { title: 'KILL_THREAD vs KILL_PROCESS', stack: stackOf([RET(SECCOMP_RET_KILL_THREAD)], [RET(SECCOMP_RET_KILL_PROCESS)]), case: GETPID, want: killedProcess },
    {
      title: 'KILL_THREAD vs KILL_PROCESS, multi-threaded',
      stack: stackOf([RET(SECCOMP_RET_KILL_THREAD)], [RET(SECCOMP_RET_KILL_PROCESS)]), case: GETPID, want: killedProcess, threads: 'multi',
    },
    {
      title: 'KILL_PROCESS vs KILL_THREAD, multi-threaded',
      stack: stackOf([RET(SECCOMP_RET_KILL_PROCESS)], [RET(SECCOMP_RET_KILL_THREAD)]), case: GETPID, want: killedProcess, threads: 'multi',
    },
  ],
  '47 unknown actions kill the process': [
    one('0x00010000', [RET(0x00010000)], killedProcess),
    one('0xffff0000', [RET(0xffff0000)], killedProcess),
    one('0x7fd00000 (between USER_NOTIF and TRACE)', [RET(0x7fd00000)], killedProcess),
    // Weaker than both of the probe's guards (ERRNO, TRACE): only a real run of a safe getter shows the kill.
    { ...one('0x7ffe0000, getpid really run', [RET(0x7ffe0000)], killedProcess), execute: true },
    { ...one('0x7ff10000, getppid really run', [RET(0x7ff10000)], killedProcess, caseOf('x86_64', 110)), execute: true },
  ],
  '48 unknown actions are ordered by their signed value': [
    { title: 'ERRNO(1) + 0x7ffe0000', stack: stackOf([RET(ERRNO(1))], [RET(0x7ffe0000)]), case: GETPID, want: errno(1) },
    { title: '0x7ffe0000 + ERRNO(1)', stack: stackOf([RET(0x7ffe0000)], [RET(ERRNO(1))]), case: GETPID, want: errno(1) },
  ],
  '49 ALLOW ignores its data': [
    one('0x7fff1234', [RET(0x7fff1234)], allowed),
    { ...one('0x7fff1234, getpid really run', [RET(0x7fff1234)], allowed), execute: true },
  ],
  '50 TRACE and USER_NOTIF with nobody attached: ENOSYS': [
    one('TRACE', [RET(SECCOMP_RET_TRACE | 5)], enosys('TRACE')),
    one('USER_NOTIF', [RET(SECCOMP_RET_USER_NOTIF)], enosys('USER_NOTIF')),
  ],
  '51 TRAP siginfo': [
    one('TRAP|0xbeef on getpid', [RET(SECCOMP_RET_TRAP | 0xbeef)], trap(0xbeef)),
    one('TRAP|1 on i386 getpid (20)', [RET(SECCOMP_RET_TRAP | 1)], trap(1, 20, I386), caseOf('x86', 20)),
    one('TRAP|2 on x32 getpid', [RET(SECCOMP_RET_TRAP | 2)], trap(2, 0x40000027), caseOf('x32', 0x40000027)),
  ],
  '53 KILL_THREAD vs KILL_PROCESS in a multi-threaded process': [
    { title: 'KILL_THREAD kills only the thread', stack: [[RET(SECCOMP_RET_KILL_THREAD)]], case: GETPID, want: killedThread, threads: 'multi' },
    { title: 'KILL_PROCESS kills all', stack: [[RET(SECCOMP_RET_KILL_PROCESS)]], case: GETPID, want: killedProcess, threads: 'multi' },
  ],
  '54 args are little-endian: args[0] = 0x1122334455667788': [
    one(
      'LD [16] = 0x55667788, LD [20] = 0x11223344',
      [LD(16), BPF_JUMP(OP.JMP_JEQ_K, 0x55667788, 0, 3), LD(20), BPF_JUMP(OP.JMP_JEQ_K, 0x11223344, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))],
      errno(1),
      caseOf('x86_64', 39, [0x1122334455667788n]),
    ),
  ],
  '55 the nr the filter sees': [
    one('syscall(-1) shows 0xffffffff', [LD(0), ...ERRNO1_IF_A_IS(0xffffffff)], errno(1), caseOf('x86_64', -1)),
    one('x32 getpid shows 0x40000027', [LD(0), ...ERRNO1_IF_A_IS(0x40000027)], errno(1), caseOf('x32', 0x40000027)),
    one('nr 100000 shows 100000', [LD(0), ...ERRNO1_IF_A_IS(100000)], errno(1), caseOf('x86_64', 100000)),
  ],
  '56 int 0x80: arch 0x40000003, nr 20; an arch-less deny of 39 is bypassed': [
    one('arch and nr', [LD(4), BPF_JUMP(OP.JMP_JEQ_K, I386, 0, 3), LD(0), BPF_JUMP(OP.JMP_JEQ_K, 20, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))], errno(1), caseOf('x86', 20)),
    one('deny 39: 64-bit getpid denied', [LD(0), BPF_JUMP(OP.JMP_JEQ_K, 39, 0, 1), RET(ERRNO(1)), RET(SECCOMP_RET_ALLOW)], errno(1)),
    one('deny 39: int 0x80 getpid (20) allowed', [LD(0), BPF_JUMP(OP.JMP_JEQ_K, 39, 0, 1), RET(ERRNO(1)), RET(SECCOMP_RET_ALLOW)], allowed, caseOf('x86', 20)),
  ],
  '57 int 0x80 with rbx = 0x00000abc_fedcba98: args[0] carries the high word': [
    one(
      'LD [20] = 0xabc, LD [16] = 0xfedcba98',
      [LD(20), BPF_JUMP(OP.JMP_JEQ_K, 0xabc, 0, 3), LD(16), BPF_JUMP(OP.JMP_JEQ_K, 0xfedcba98, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))],
      errno(1),
      caseOf('x86', 20, [0x00000abc_fedcba98n]),
    ),
  ],
};

/**
 * Row 60 depends on the kernel version: uretprobe (335) skips every filter
 * from 6.14, uprobe (336) from 6.18. The emulator emulates the running
 * kernel; the probe never makes 335/336 (the kernel would run them for
 * real, past its guard), so the kernel engine skips them with that reason.
 */
function bypassRows(): Row[] {
  const deny = [RET(ERRNO(5))];
  return [
    one('337 is filtered', deny, errno(5), caseOf('x86_64', 337)),
    one('i386 335 is filtered', deny, errno(5), caseOf('x86', 335)),
    one('x32 335 (0x4000014f) is filtered', deny, errno(5), caseOf('x32', 0x4000014f)),
  ];
}

beforeAll(() => {
  requireKernelEngineForTests();
});

function expectRow(r: Row): void {
  const opts = { threads: r.threads ?? 'single', execute: r.execute ?? false } as const;
  const [onEmulator] = emulator.run(r.stack, [r.case], opts);
  const [onKernel] = kernel.run(r.stack, [r.case], opts);
  if (r.want.kind === 'allowed') expect(onKernel.kind === 'allowed' || onKernel.kind === 'executed', `kernel engine: ${JSON.stringify(onKernel, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`).toBe(true);
  else expect(onKernel, 'kernel engine').toEqual(r.want);
  expect(onEmulator, 'emulator engine').toEqual(r.want);
  expect(compareOutcomes(onEmulator, onKernel)).toEqual({ verdict: 'agree' });
}

describe('SEMANTICS §6.2 on the kernel engine and the emulator', () => {
  for (const [row, rows] of Object.entries(ROWS)) {
    describe(`#${row}`, () => {
      for (const r of rows) it(r.title, () => expectRow(r));
    });
  }
  describe('#60 the neighbours of uretprobe/uprobe are filtered', () => {
    for (const r of bypassRows()) it(r.title, () => expectRow(r));
  });
});

describe('#60 uretprobe/uprobe on x86_64: the emulator emulates the running kernel; the probe does not make them', () => {
  const { major, minor } = emulator.kernel;
  const since = (a: number, b: number): boolean => major > a || (major === a && minor >= b);
  const deny = [RET(ERRNO(5))];
  for (const [nr, name, from] of [[335, 'uretprobe', [6, 14]], [336, 'uprobe', [6, 18]]] as const) {
    it(`${nr} (${name}) on ${major}.${minor}: ${since(from[0], from[1]) ? 'skips every filter' : 'filtered'} on the emulator; skipped by the kernel engine`, () => {
      expect(emulator.run([deny], [caseOf('x86_64', nr)])[0]).toEqual(since(from[0], from[1]) ? allowed : errno(5));
      const [onKernel] = kernel.run([deny], [caseOf('x86_64', nr), caseOf('x32', nr)]);
      expect(onKernel).toMatchObject({ kind: 'skipped', reason: expect.stringMatching(name) as string });
      // An "x32" case without the x32 bit is the same seccomp_data: skipped the same way.
      expect(kernel.run([deny], [caseOf('x32', nr)])[0]).toEqual(onKernel);
    });
  }
});

describe('#47 without running the syscall, an unknown action weaker than TRACE cannot be told from ALLOW', () => {
  it('the kernel engine skips such cases, with the reason; a real run of a safe getter resolves them (above)', () => {
    for (const stack of [[[RET(0x7ffe0000)]], [[LD_IMM(0x7fff0000), RET_A]]]) {
      const [onKernel] = kernel.run(stack, [GETPID]);
      expect(onKernel).toMatchObject({ kind: 'skipped', reason: expect.stringMatching(/weaker than TRACE/) as string });
      expect(compareOutcomes(emulator.run(stack, [GETPID])[0], onKernel).verdict).toBe('skipped');
    }
    // A stack that cannot return such a value is compared: ALLOW is allowed.
    expect(kernel.run([[RET(SECCOMP_RET_ALLOW)]], [GETPID])[0]).toEqual(allowed);
  });
});
