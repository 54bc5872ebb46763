// The [V] rows of SEMANTICS.md §6 as data, shared by the suites that run
// them on an engine: the host kernel (test/kernel_semantics.test.ts), the
// VMs (test/vm/semantics.vmtest.ts) and the container
// (test/containers/semantics.ctest.ts).
// - semanticsRunRows(target): the §6.2 rows a guarded probe can show (35-57),
//   written for a target arch: its getpid/getppid numbers, its seccomp(2)
//   number in the prefix that lets the next install through, its AUDIT_ARCH
//   in TRAP siginfo. x86_64 (the default) gives the rows exactly as
//   SEMANTICS states them; rows whose case is another x86 ABI (i386, x32)
//   keep that ABI on every target, so that a kernel that cannot make it
//   says so (an arch fact, not a translation).
// - bypassRows(): #60's neighbours of uretprobe/uprobe (x86_64 only).
// - SEMANTICS_CHECK_ROWS: the §6.1 rows that Engine.check can show (one
//   stack loaded with no_new_privs, per-call flags); the rows it cannot
//   (bad pointers, no_new_privs unset, TSYNC, GET_ACTION_AVAIL) are listed
//   in CHECK_ROWS_NOT_EXPRESSIBLE with the reason.
import {
  actionValue, BPF_JUMP, BPF_MAXINSNS, BPF_STMT, insn, OP, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG,
  SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF, SKF_AD_OFF, type Insn, type Outcome, type Program,
} from 'unicorn-bpf-emulator';
import type { EngineCase, EngineCheckStep } from '../../src/engines/engine.js';
import { caseOf, NR_SECCOMP_X86_64 } from './engines.js';

// ---------------------------------------------------------------- targets

/** The arch-dependent numbers the rows are written with. */
export interface SemanticsTarget {
  /** libseccomp's name of the native ABI. */
  readonly arch: 'x86_64' | 'aarch64';
  readonly auditArch: number;
  readonly getpid: number;
  readonly getppid: number;
  /** seccomp(2), which every filter but the newest lets through (sandboxStackFor). */
  readonly seccomp: number;
}

export const X86_64_TARGET: SemanticsTarget = { arch: 'x86_64', auditArch: 0xc000003e, getpid: 39, getppid: 110, seccomp: NR_SECCOMP_X86_64 };
export const AARCH64_TARGET: SemanticsTarget = { arch: 'aarch64', auditArch: 0xc00000b7, getpid: 172, getppid: 173, seccomp: 277 };

const I386 = 0x40000003;
const X86_64 = X86_64_TARGET.auditArch;

// ---------------------------------------------------------------- building blocks

export const RET = (k: number): Insn => BPF_STMT(OP.RET_K, k >>> 0);
export const RET_A = BPF_STMT(OP.RET_A, 0);
export const ERRNO = (e: number): number => actionValue('ERRNO', e);
const LD = (off: number): Insn => BPF_STMT(OP.LD_W_ABS, off);
const LD_IMM = (k: number): Insn => BPF_STMT(OP.LD_IMM, k >>> 0);
const LDX_IMM = (k: number): Insn => BPF_STMT(OP.LDX_IMM, k >>> 0);
const OR_ERRNO: Insn[] = [BPF_STMT(OP.ALU_OR_K, 0x00050000), RET_A];
/** if (A == k) ERRNO(1) else ERRNO(2): shows a value the filter computed or saw. */
const ERRNO1_IF_A_IS = (k: number): Insn[] => [BPF_JUMP(OP.JMP_JEQ_K, k >>> 0, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))];

export const killedProcess: Outcome = { kind: 'killed', signal: 31, scope: 'process' };
export const killedThread: Outcome = { kind: 'killed', signal: 31, scope: 'thread' };
export const errno = (e: number): Outcome => ({ kind: 'errno', errno: e });
export const allowed: Outcome = { kind: 'allowed', logged: false };
const enosys = (action: 'TRACE' | 'USER_NOTIF'): Outcome => ({ kind: 'enosys', errno: 38, action });
const trapOf = (si_errno: number, si_syscall: number, si_arch: number): Outcome => ({ kind: 'trap', signal: 31, si_errno, si_syscall, si_arch });

/**
 * A stack as a sandbox loads it: each filter is installed by a seccomp(2)
 * call that the filters before it see, so every filter but the newest lets
 * the target's seccomp through first (for x86_64 the same programs as
 * sandboxStack in engines.ts). The prefix leaves A = X = 0.
 */
export function sandboxStackFor(t: SemanticsTarget, filters: readonly Program[]): Program[] {
  const prefix: Insn[] = [LD(0), BPF_JUMP(OP.JMP_JEQ_K, t.seccomp, 0, 1), RET(SECCOMP_RET_ALLOW), LD_IMM(0)];
  return filters.map((p, i) => (i === filters.length - 1 ? [...p] : [...prefix, ...p]));
}

// ---------------------------------------------------------------- §6.2 run rows

export interface Row {
  readonly title: string;
  /** Filters in installation order (oldest first). */
  readonly stack: readonly Program[];
  readonly case: EngineCase;
  readonly want: Outcome;
  readonly threads?: 'multi';
  /** Really run the syscall (a safe getter) when the stack allows it; see row 47. */
  readonly execute?: true;
}

/** The §6.2 rows for `t`, by row number and title (see the file comment). */
export function semanticsRunRows(t: SemanticsTarget = X86_64_TARGET): Readonly<Record<string, readonly Row[]>> {
  const native = (nr: number, args: readonly (bigint | number)[] = []): EngineCase => caseOf(t.arch, nr, args);
  const GETPID = native(t.getpid);
  const trap = (si_errno: number, si_syscall = t.getpid, si_arch = t.auditArch): Outcome => trapOf(si_errno, si_syscall, si_arch);
  const stackOf = (...filters: Program[]): Program[] => sandboxStackFor(t, filters);
  const one = (title: string, program: Program, want: Outcome, c: EngineCase = GETPID): Row => ({ title, stack: [program], case: c, want });
  const deny = (nr: number): Program => [LD(0), BPF_JUMP(OP.JMP_JEQ_K, nr, 0, 1), RET(ERRNO(1)), RET(SECCOMP_RET_ALLOW)];

  return {
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
    // The errno is the getpid number: 39 on x86_64, 172 on aarch64.
    '41 errno from nr: LD [0]; OR #0x50000; RET A on getpid': [one('getpid -> errno = its nr', [LD(0), ...OR_ERRNO], errno(t.getpid))],
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
      { ...one('0x7ff10000, getppid really run', [RET(0x7ff10000)], killedProcess, native(t.getppid)), execute: true },
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
      one('TRAP|2 on x32 getpid', [RET(SECCOMP_RET_TRAP | 2)], trap(2, 0x40000027, X86_64), caseOf('x32', 0x40000027)),
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
        native(t.getpid, [0x1122334455667788n]),
      ),
    ],
    '55 the nr the filter sees': [
      one('syscall(-1) shows 0xffffffff', [LD(0), ...ERRNO1_IF_A_IS(0xffffffff)], errno(1), native(-1)),
      one('x32 getpid shows 0x40000027', [LD(0), ...ERRNO1_IF_A_IS(0x40000027)], errno(1), caseOf('x32', 0x40000027)),
      one('nr 100000 shows 100000', [LD(0), ...ERRNO1_IF_A_IS(100000)], errno(1), native(100000)),
    ],
    '56 int 0x80: arch 0x40000003, nr 20; an arch-less deny of 39 is bypassed': [
      one('arch and nr', [LD(4), BPF_JUMP(OP.JMP_JEQ_K, I386, 0, 3), LD(0), BPF_JUMP(OP.JMP_JEQ_K, 20, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))], errno(1), caseOf('x86', 20)),
      one('deny 39: 64-bit getpid denied', deny(39), errno(1), caseOf('x86_64', 39)),
      one('deny 39: int 0x80 getpid (20) allowed', deny(39), allowed, caseOf('x86', 20)),
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
}

/**
 * Row 60's neighbours: uretprobe (335) skips every filter from 6.14, uprobe
 * (336) from 6.18; these are filtered on every version. (335/336
 * themselves are never made by the probe: see kernel_semantics.test.ts.)
 */
export function bypassRows(): Row[] {
  const deny = [RET(ERRNO(5))];
  const one = (title: string, c: EngineCase): Row => ({ title, stack: [deny], case: c, want: errno(5) });
  return [
    one('337 is filtered', caseOf('x86_64', 337)),
    one('i386 335 is filtered', caseOf('x86', 335)),
    one('x32 335 (0x4000014f) is filtered', caseOf('x32', 0x4000014f)),
  ];
}

// ---------------------------------------------------------------- §6.1 check rows

/** What loading a stack gives: how many programs load, then the errno of the refusal (none: all load). */
export interface CheckWant {
  readonly loaded: number;
  readonly refused?: string;
}

export interface CheckRow {
  /** "6.1 #n ..." */
  readonly title: string;
  readonly stack: readonly Program[];
  /** seccomp(2) flags, one for all or one per program. */
  readonly flags?: number | readonly number[];
  readonly want: CheckWant;
}

/** The steps an engine reported, in the shape of CheckWant. */
export function checkSummary(steps: readonly EngineCheckStep[]): CheckWant {
  const last = steps.at(-1);
  if (last === undefined || last.ok) return { loaded: steps.length };
  return { loaded: steps.length - 1, refused: last.errno ?? (last.signal !== undefined ? `signal ${last.signal}` : last.timedOut ? 'timeout' : '?') };
}

const RET_ALLOW = RET(SECCOMP_RET_ALLOW);
const ok: CheckWant = { loaded: 1 };
const einval: CheckWant = { loaded: 0, refused: 'EINVAL' };
const stmt = BPF_STMT;
const jump = BPF_JUMP;
/** 4096 classic instructions with eBPF length 4100 (SEMANTICS §2.5). */
const BIG: Program = [...Array.from({ length: BPF_MAXINSNS - 1 }, (_, i) => stmt(OP.LD_IMM, i)), RET_ALLOW];
const TSYNC = 1;
const NEW_LISTENER = 8;
const TSYNC_ESRCH = 16;
const WAIT_KILLABLE_RECV = 32;

const single = (title: string, program: Program, want: CheckWant, flags?: number): CheckRow => ({ title, stack: [program], want, ...(flags === undefined ? {} : { flags }) });

/** §6.1's rows as Engine.check calls, in SEMANTICS order (several rows give several calls). */
export const SEMANTICS_CHECK_ROWS: readonly CheckRow[] = [
  single('6.1 #1 len = 0', [], einval),
  single('6.1 #2 len = 4097', Array.from({ length: 4097 }, () => RET_ALLOW), einval),
  single('6.1 #2 len = 4096 accepted', Array.from({ length: 4096 }, () => RET_ALLOW), ok),
  single('6.1 #3 JEQ #0 jt=1 jf=0; RET (target = len)', [jump(OP.JMP_JEQ_K, 0, 1, 0), RET_ALLOW], einval),
  single('6.1 #4 JEQ jt=0 jf=1; RET', [jump(OP.JMP_JEQ_K, 0, 0, 1), RET_ALLOW], einval),
  single('6.1 #5 last instruction LD IMM after a RET', [RET_ALLOW, stmt(OP.LD_IMM, 0)], einval),
  single('6.1 #6 LD M[3]; RET (read before any store)', [stmt(OP.LD_MEM, 3), RET_A], einval),
  single('6.1 #7 LD #x; ST M[3]; LDX M[3]; RET accepted', [stmt(OP.LD_IMM, 0x1234), stmt(OP.ST, 3), stmt(OP.LDX_MEM, 3), RET_ALLOW], ok),
  single('6.1 #8 store on one branch only, read after the join', [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, 39, 0, 1), stmt(OP.ST, 0), stmt(OP.LD_MEM, 0), RET_A], einval),
  single('6.1 #9 JA +1; LD M[5]; RET (dead read after a jump) accepted', [stmt(OP.JMP_JA, 1), stmt(OP.LD_MEM, 5), RET_ALLOW], ok),
  single('6.1 #10 RET #ALLOW; LD M[0]; RET A (dead read after RET)', [RET_ALLOW, stmt(OP.LD_MEM, 0), RET_A], einval),
  single('6.1 #11 the RET-fall-through program of §2.2.1', [
    jump(OP.JMP_JEQ_K, 0, 0, 2), stmt(OP.ST, 0), stmt(OP.JMP_JA, 1), RET_ALLOW, stmt(OP.LD_MEM, 0), RET_A,
  ], einval),
  single('6.1 #12 DIV #0', [stmt(OP.ALU_DIV_K, 0), RET_A], einval),
  single('6.1 #12 DIV #1 accepted', [stmt(OP.ALU_DIV_K, 1), RET_A], ok),
  single('6.1 #13 MOD #3', [stmt(OP.ALU_MOD_K, 3), RET_A], einval),
  single('6.1 #13 MOD X', [stmt(OP.ALU_MOD_X, 0), RET_A], einval),
  single('6.1 #14 LD [2] (unaligned)', [stmt(OP.LD_W_ABS, 2), RET_A], einval),
  single('6.1 #15 LD [64]', [stmt(OP.LD_W_ABS, 64), RET_A], einval),
  single('6.1 #15 LD [60] accepted', [stmt(OP.LD_W_ABS, 60), RET_A], ok),
  single('6.1 #16 LD [SKF_AD_OFF+SKF_AD_PROTOCOL]', [stmt(OP.LD_W_ABS, (SKF_AD_OFF + 0) >>> 0), RET_A], einval),
  ...([['LD H [0]', OP.LD_H_ABS], ['LD B [0]', OP.LD_B_ABS], ['LD W IND', OP.LD_W_IND], ['LD H IND', OP.LD_H_IND], ['LD B IND', OP.LD_B_IND], ['LDX MSH', OP.LDX_B_MSH]] as const)
    .map(([name, code]) => single(`6.1 #17 ${name}`, [stmt(code, 0), RET_A], einval)),
  single('6.1 #18 raw code 0x21', [stmt(0x21, 0), RET_A], einval),
  single('6.1 #19 LSH #32', [stmt(OP.ALU_LSH_K, 32), RET_A], einval),
  single('6.1 #19 RSH #31 accepted', [stmt(OP.LD_IMM, 0x80000000), stmt(OP.ALU_RSH_K, 31), RET_A], ok),
  single('6.1 #20 ST M[16]', [stmt(OP.ST, 16), RET_A], einval),
  single('6.1 #21 JA 1; RET (k = len-pc-1)', [stmt(OP.JMP_JA, 1), RET_ALLOW], einval),
  single('6.1 #21 JA 0; RET accepted', [stmt(OP.JMP_JA, 0), RET_ALLOW], ok),
  single('6.1 #21 JA 0xffffffff', [stmt(OP.JMP_JA, 0xffffffff), RET_ALLOW], einval),
  ...[0x0e, 0x08, 0x0f, 0x8c, 0x0106].map((code) => single(`6.1 #22 code 0x${code.toString(16).padStart(2, '0')}`, [insn(code, 0, 0, 0), RET_A], einval)),
  single('6.1 #23 garbage jt/jf on LD IMM, ADD K, JA accepted', [insn(OP.LD_IMM, 7, 9, 5), insn(OP.ALU_ADD_K, 255, 255, 1), insn(OP.JMP_JA, 3, 4, 0), RET_A], ok),
  single('6.1 #24 LDX H LEN (0x89)', [stmt(0x89, 0), RET_A], einval),
  single('6.1 #24 LD W LEN accepted', [stmt(OP.LD_W_LEN, 0), RET_A], ok),
  single('6.1 #24 LDX W LEN accepted', [stmt(OP.LDX_W_LEN, 0), stmt(OP.MISC_TXA, 0), RET_A], ok),
  single('6.1 #25 bad opcode in unreachable code after RET', [RET_ALLOW, insn(0x08, 0, 0, 0), RET_ALLOW], einval),
  {
    title: '6.1 #28 chain already full (3641 filters), then an invalid program: EINVAL, not ENOMEM',
    stack: [...Array.from({ length: 3641 }, () => [RET_ALLOW]), [stmt(OP.LD_MEM, 0), RET_A]], want: { loaded: 3641, refused: 'EINVAL' },
  },
  single('6.1 #29 flags 1<<6', [RET_ALLOW], einval, 1 << 6),
  single('6.1 #29 TSYNC|NEW_LISTENER', [RET_ALLOW], einval, TSYNC | NEW_LISTENER),
  single('6.1 #29 WAIT_KILLABLE_RECV alone', [RET_ALLOW], einval, WAIT_KILLABLE_RECV),
  single('6.1 #29 TSYNC_ESRCH alone accepted', [RET_ALLOW], ok, TSYNC_ESRCH),
  { title: '6.1 #30 second NEW_LISTENER: EBUSY', stack: [[RET_ALLOW], [RET_ALLOW]], flags: [NEW_LISTENER, NEW_LISTENER], want: { loaded: 1, refused: 'EBUSY' } },
  { title: '6.1 #31 3642nd RET #ALLOW filter: ENOMEM (3641 fit)', stack: Array.from({ length: 3642 }, () => [RET_ALLOW]), want: { loaded: 3641, refused: 'ENOMEM' } },
  { title: '6.1 #32 8th 4096-instruction filter: ENOMEM (7 fit)', stack: Array.from({ length: 8 }, () => BIG), want: { loaded: 7, refused: 'ENOMEM' } },
];

/** §6.1 [V] rows that Engine.check cannot express, and why (the VM and container suites show 27, 33 and 34 with raw probe requests). */
export const CHECK_ROWS_NOT_EXPRESSIBLE: Readonly<Record<string, string>> = {
  '6.1 #26': 'a NULL or bad instruction pointer / NULL uargs: the probe always passes a valid struct sock_fprog',
  '6.1 #27': 'no NNP and no CAP_SYS_ADMIN: Engine.check always sets no_new_privs (probe: check nnp=0)',
  '6.1 #30b': 'a NEW_LISTENER after closing the first fd: the probe keeps every listener open',
  '6.1 #33': 'TSYNC against another thread\'s filter: a single-threaded check cannot show it (probe: tsync)',
  '6.1 #34': 'SECCOMP_GET_ACTION_AVAIL is not a filter install (probe: features)',
};
