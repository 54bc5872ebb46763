// SEMANTICS.md §6: every case verified on a real kernel ([V], Linux 6.18.44
// x86_64), asserted through the emulator's public API. Checker rows assert
// the errno and the instruction the rule fired on; evaluator rows run each
// program on both engines (the interpreter and the compiled function) and
// assert the raw value, the decoded Action and, where the row says what the
// process sees, the Outcome. Where a row is about something the pure
// emulator does not model, the test name says what is left to the kernel
// engine and the test covers the part the emulator does model.
import { describe, expect, it } from 'vitest';
import {
  ACTION_VALUES, BPF_JUMP, BPF_MAXINSNS, BPF_STMT, BpfEmulator, DEFAULT_CONTEXT, FRESH_TASK, FilterStack, MAX_INSNS_PER_PATH,
  OP, PER_FILTER_PENALTY, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SECCOMP_MODE_FILTER, SECCOMP_MODE_STRICT, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF, SIGSYS, SKF_AD_OFF, SYS_SECCOMP,
  __X32_SYSCALL_BIT, actionOutcome, actionValue, archByName, bpfCheckClassic, checkFilter, checkLoadAndStores, checkStack,
  compileFilter, decodeAction, ebpfCost, insn, seccompData, seccompDataWords, seccompGetActionAvail, seccompSetModeFilter,
  type Action, type CheckRule, type ErrnoName, type Insn, type KernelVersion, type Outcome, type ProcessContext, type Program,
  type StackOptions, type StackResult, type TaskState,
} from '../emulator/src/index.js';

// ---------------------------------------------------------------- helpers

const X86_64 = archByName('x86_64')!.auditArch; // 0xc000003e
const I386 = archByName('x86')!.auditArch; // 0x40000003
const NR_GETPID = 39;
const ERRNO = (e: number): number => actionValue('ERRNO', e);
const ALLOW = SECCOMP_RET_ALLOW;

const stmt = BPF_STMT;
const jump = BPF_JUMP;
const RET = (k: number): Insn => stmt(OP.RET_K, k);
const RET_A = stmt(OP.RET_A, 0);
const RET_ALLOW = RET(ALLOW);

/** seccomp_data words for an x86_64 (by default) syscall. */
function data(nr: number, arch = X86_64, args: readonly (bigint | number)[] = [], ip: bigint | number = 0): Uint32Array {
  return seccompDataWords(seccompData(nr, arch, args, ip), 'little');
}
const GETPID = data(NR_GETPID);

/** Run on both engines, assert each returns `want`, and give the decoded action. */
function expectRet(program: Program, words: Uint32Array, want: number): Action {
  expect(new BpfEmulator(program).run(words), 'interpreter (BpfEmulator)').toBe(want >>> 0);
  expect(compileFilter(program)(words), 'compiled engine (compileFilter)').toBe(want >>> 0);
  return decodeAction(want);
}

/** What the process sees for one filter's value on `words`. */
function outcomeOf(raw: number, words: Uint32Array, ctx: ProcessContext = DEFAULT_CONTEXT): Outcome {
  return actionOutcome(decodeAction(raw), { nr: words[0] | 0, arch: words[1] >>> 0 }, ctx);
}

/**
 * A stack of filters (oldest first) loaded with checkStack and evaluated by
 * FilterStack on both engines; both results must agree.
 */
function runStack(programs: readonly Program[], words: Uint32Array, opts: StackOptions = {}): StackResult {
  const loaded = checkStack(programs);
  expect(loaded.every((r) => r.ok), 'every filter of the stack loads').toBe(true);
  const interp = new FilterStack(programs.map((p) => {
    const emu = new BpfEmulator(p);
    return (w: Uint32Array) => emu.run(w);
  }), opts).run(words);
  const compiled = new FilterStack(programs.map((p) => compileFilter(p)), opts).run(words);
  expect(compiled, 'compiled stack agrees with the interpreter stack').toEqual(interp);
  return interp;
}

function stackOutcome(programs: readonly Program[], words: Uint32Array, ctx: ProcessContext = DEFAULT_CONTEXT, opts: StackOptions = {}): Outcome {
  const interp = new FilterStack(programs.map((p) => {
    const emu = new BpfEmulator(p);
    return (w: Uint32Array) => emu.run(w);
  }), opts).outcome(words, ctx);
  const compiled = new FilterStack(programs.map((p) => compileFilter(p)), opts).outcome(words, ctx);
  expect(compiled).toEqual(interp);
  return interp;
}

/** The checker and the seccomp(2) pipeline both reject with this errno, at this instruction, by this rule. */
function expectRejected(program: Program, errno: ErrnoName, at: number | null, rule: CheckRule): void {
  expect(checkFilter(program)).toMatchObject({ accepted: false, errno, insn: at, rule });
  expect(seccompSetModeFilter(FRESH_TASK, 0, program)).toMatchObject({ ok: false, errno, insn: at, rule });
}

function expectAccepted(program: Program): void {
  expect(checkFilter(program)).toMatchObject({ accepted: true });
  expect(seccompSetModeFilter(FRESH_TASK, 0, program)).toMatchObject({ ok: true });
}

const KILLED_PROCESS: Outcome = { kind: 'killed', signal: SIGSYS, scope: 'process' };
const MULTI: ProcessContext = { ...DEFAULT_CONTEXT, threads: 'multi' };

/** Fill a fresh task with copies of `program` until the path is full; the task and how many fit. */
function fill(program: Program, task: TaskState = FRESH_TASK): { task: TaskState; fitted: number; refusal: string } {
  let fitted = 0;
  for (;;) {
    const r = seccompSetModeFilter(task, 0, program);
    if (!r.ok) return { task, fitted, refusal: String(r.errno) };
    task = r.task;
    fitted++;
  }
}

/** SEMANTICS §2.5: floor((32768 - L) / (L + 4)) + 1 identical filters of eBPF length L fit. */
const predictedFit = (L: number): number => Math.floor((MAX_INSNS_PER_PATH - L) / (L + PER_FILTER_PENALTY)) + 1;

/** 4096 classic instructions with eBPF length 4100: 4095 x LD IMM (1 each) + RET K (2) + prologue 3. */
const BIG: Program = [...Array.from({ length: BPF_MAXINSNS - 1 }, (_, i) => stmt(OP.LD_IMM, i)), RET_ALLOW];

// ---------------------------------------------------------------- 6.1 Checker

describe('SEMANTICS §6.1 checker [V]', () => {
  it('6.1 #1 len = 0 -> EINVAL', () => {
    expectRejected([], 'EINVAL', null, 'len');
  });

  it('6.1 #2 len = 4097 -> EINVAL; len = 4096 accepted', () => {
    expectRejected(Array.from({ length: 4097 }, () => RET_ALLOW), 'EINVAL', null, 'len');
    expectAccepted(Array.from({ length: 4096 }, () => RET_ALLOW));
  });

  it('6.1 #3 JEQ #0 jt=1 jf=0; RET (jt target = len) -> EINVAL at 0', () => {
    expectRejected([jump(OP.JMP_JEQ_K, 0, 1, 0), RET_ALLOW], 'EINVAL', 0, 'jcond_range');
  });

  it('6.1 #4 JEQ jt=0 jf=1; RET (jf target = len) -> EINVAL at 0', () => {
    expectRejected([jump(OP.JMP_JEQ_K, 0, 0, 1), RET_ALLOW], 'EINVAL', 0, 'jcond_range');
  });

  it('6.1 #5 last instruction LD IMM after a RET -> EINVAL at the last instruction', () => {
    expectRejected([RET_ALLOW, stmt(OP.LD_IMM, 0)], 'EINVAL', 1, 'last_not_ret');
  });

  it('6.1 #6 LD M[3]; RET (read before any store) -> EINVAL at 0', () => {
    expectRejected([stmt(OP.LD_MEM, 3), RET_A], 'EINVAL', 0, 'check_load_and_stores');
  });

  it('6.1 #7 LD #x; ST M[3]; LDX M[3]; RET accepted (and X = x)', () => {
    const p = [stmt(OP.LD_IMM, 0x1234), stmt(OP.ST, 3), stmt(OP.LDX_MEM, 3), RET_ALLOW];
    expectAccepted(p);
    expectRet([...p.slice(0, 3), stmt(OP.MISC_TXA, 0), RET_A], GETPID, 0x1234);
  });

  it('6.1 #8 store on one branch only, read after the join -> EINVAL at the read', () => {
    const p = [
      stmt(OP.LD_W_ABS, 0), // 0
      jump(OP.JMP_JEQ_K, NR_GETPID, 0, 1), // 1: -> 2 / -> 3
      stmt(OP.ST, 0), // 2
      stmt(OP.LD_MEM, 0), // 3: join; M[0] unwritten on the path 1 -> 3
      RET_A,
    ];
    expectRejected(p, 'EINVAL', 3, 'check_load_and_stores');
  });

  it('6.1 #9 JA +1; LD M[5]; RET (dead read after a jump) accepted', () => {
    const p = [stmt(OP.JMP_JA, 1), stmt(OP.LD_MEM, 5), RET_ALLOW];
    expectAccepted(p);
    expectRet(p, GETPID, ALLOW);
  });

  it('6.1 #10 RET #ALLOW; LD M[0]; RET A (dead read after RET) -> EINVAL at 1', () => {
    expectRejected([RET_ALLOW, stmt(OP.LD_MEM, 0), RET_A], 'EINVAL', 1, 'check_load_and_stores');
  });

  it('6.1 #11 the RET-fall-through program of §2.2.1 (semantically safe) -> EINVAL at 4', () => {
    expectRejected(RET_FALLTHROUGH_QUIRK, 'EINVAL', 4, 'check_load_and_stores');
  });

  it('6.1 #12 DIV #0 -> EINVAL; DIV #1 accepted', () => {
    expectRejected([stmt(OP.ALU_DIV_K, 0), RET_A], 'EINVAL', 0, 'div_k_zero');
    expectAccepted([stmt(OP.ALU_DIV_K, 1), RET_A]);
  });

  it('6.1 #13 MOD #3 or MOD X -> EINVAL (classic allows, seccomp forbids)', () => {
    for (const code of [OP.ALU_MOD_K, OP.ALU_MOD_X]) {
      const p = [stmt(code, 3), RET_A];
      expect(bpfCheckClassic(p), 'bpf_check_classic accepts MOD').toBeNull();
      expectRejected(p, 'EINVAL', 0, 'seccomp_opcode');
    }
  });

  it('6.1 #14 LD [2] (unaligned) -> EINVAL at 0', () => {
    expectRejected([stmt(OP.LD_W_ABS, 2), RET_A], 'EINVAL', 0, 'seccomp_ld_abs_offset');
  });

  it('6.1 #15 LD [64] -> EINVAL; LD [60] accepted (reads args[5] high word)', () => {
    expectRejected([stmt(OP.LD_W_ABS, 64), RET_A], 'EINVAL', 0, 'seccomp_ld_abs_offset');
    const p = [stmt(OP.LD_W_ABS, 60), RET_A];
    expectAccepted(p);
    expectRet(p, data(NR_GETPID, X86_64, [0, 0, 0, 0, 0, 0xabcdef01_00000000n]), 0xabcdef01);
    // k is unsigned: 0xfffffffc is far out of bounds (and an unknown ancillary for the classic checker).
    expect(checkFilter([stmt(OP.LD_W_ABS, 0xfffffffc), RET_A])).toMatchObject({ accepted: false, errno: 'EINVAL', insn: 0 });
  });

  it('6.1 #16 LD [SKF_AD_OFF+SKF_AD_PROTOCOL] (valid ancillary) -> EINVAL (seccomp_check_filter); unknown ancillary -> EINVAL (bpf_check_classic)', () => {
    const proto = [stmt(OP.LD_W_ABS, SKF_AD_OFF + 0), RET_A];
    expect(bpfCheckClassic(proto), 'a known ancillary passes bpf_check_classic').toBeNull();
    expectRejected(proto, 'EINVAL', 0, 'seccomp_ld_abs_offset');
    // An offset in the ancillary area that bpf_anc_helper does not know is refused earlier, by bpf_check_classic.
    expectRejected([stmt(OP.LD_W_ABS, SKF_AD_OFF + 0x100), RET_A], 'EINVAL', 0, 'ld_abs_ancillary');
  });

  it('6.1 #17 LD H [0], LD B [0], LD IND (W/H/B), LDX MSH -> EINVAL each', () => {
    for (const code of [OP.LD_H_ABS, OP.LD_B_ABS, OP.LD_W_IND, OP.LD_H_IND, OP.LD_B_IND, OP.LDX_B_MSH]) {
      expectRejected([stmt(code, 0), RET_A], 'EINVAL', 0, 'seccomp_opcode');
    }
  });

  it('6.1 #18 raw code 0x21 from user space -> EINVAL (not in codes[])', () => {
    expectRejected([stmt(0x21, 0), RET_A], 'EINVAL', 0, 'chk_code_allowed');
  });

  it('6.1 #19 LSH #32 -> EINVAL; RSH #31 accepted', () => {
    expectRejected([stmt(OP.ALU_LSH_K, 32), RET_A], 'EINVAL', 0, 'shift_k_range');
    const p = [stmt(OP.LD_IMM, 0x80000000), stmt(OP.ALU_RSH_K, 31), RET_A];
    expectAccepted(p);
    expectRet(p, GETPID, 1);
  });

  it('6.1 #20 ST M[16] -> EINVAL at 0', () => {
    expectRejected([stmt(OP.ST, 16), RET_A], 'EINVAL', 0, 'mem_index');
  });

  it('6.1 #21 JA 1; RET (k = len-pc-1) -> EINVAL; JA 0; RET accepted; JA 0xffffffff -> EINVAL', () => {
    expectRejected([stmt(OP.JMP_JA, 1), RET_ALLOW], 'EINVAL', 0, 'ja_range');
    const ja0 = [stmt(OP.JMP_JA, 0), RET_ALLOW];
    expectAccepted(ja0);
    expectRet(ja0, GETPID, ALLOW);
    expectRejected([stmt(OP.JMP_JA, 0xffffffff), RET_ALLOW], 'EINVAL', 0, 'ja_range');
  });

  it('6.1 #22 codes 0x0e (RET X), 0x08, 0x0f, 0x8c (NEG X), 0x0106 -> EINVAL each', () => {
    for (const code of [0x0e, 0x08, 0x0f, 0x8c, 0x0106]) {
      expectRejected([insn(code, 0, 0, 0), RET_A], 'EINVAL', 0, 'chk_code_allowed');
    }
    // The full u16 is compared: 0x0106 is not RET K (0x06) with a high byte.
    expectRejected([RET_ALLOW, insn(0x0106, 0, 0, ALLOW)], 'EINVAL', 1, 'chk_code_allowed');
  });

  it('6.1 #23 garbage jt/jf on LD IMM, ADD K, JA accepted (ignored) and do not change evaluation', () => {
    const p = [insn(OP.LD_IMM, 7, 9, 5), insn(OP.ALU_ADD_K, 255, 255, 1), insn(OP.JMP_JA, 3, 4, 0), RET_A];
    expectAccepted(p);
    expectRet(p, GETPID, 6);
  });

  it('6.1 #24 LDX H LEN (0x89) -> EINVAL; LD W LEN and LDX W LEN accepted (load 64)', () => {
    expectRejected([stmt(0x89, 0), RET_A], 'EINVAL', 0, 'chk_code_allowed');
    const ldLen = [stmt(OP.LD_W_LEN, 0), RET_A];
    const ldxLen = [stmt(OP.LDX_W_LEN, 0), stmt(OP.MISC_TXA, 0), RET_A];
    expectAccepted(ldLen);
    expectAccepted(ldxLen);
    expectRet(ldLen, GETPID, 64); // [V r_ld_len]
    expectRet(ldxLen, GETPID, 64); // [V r_ldx_len]
  });

  it('6.1 #25 bad opcode in unreachable code after RET -> EINVAL at that instruction', () => {
    expectRejected([RET_ALLOW, insn(0x08, 0, 0, 0), RET_ALLOW], 'EINVAL', 1, 'chk_code_allowed');
  });

  it('6.1 #26 NULL uargs -> EFAULT (NULL insn pointer -> EINVAL and bad pointer -> EFAULT left to the kernel engine)', () => {
    expect(seccompSetModeFilter(FRESH_TASK, 0, null)).toMatchObject({ ok: false, errno: 'EFAULT', rule: 'fprog_fault' });
    // §2.1: flag checks come before the copy of struct sock_fprog.
    expect(seccompSetModeFilter(FRESH_TASK, 1 << 6, null)).toMatchObject({ ok: false, errno: 'EINVAL', rule: 'flags' });
  });

  it('6.1 #27 no NNP, no CAP_SYS_ADMIN, invalid program -> EACCES (permission before program); len 0 still EINVAL', () => {
    const unprivileged: TaskState = { ...FRESH_TASK, noNewPrivs: false, capSysAdmin: false };
    const invalid = [stmt(OP.LD_MEM, 0), RET_A];
    expect(seccompSetModeFilter(unprivileged, 0, invalid)).toMatchObject({ ok: false, errno: 'EACCES', rule: 'permission' });
    expect(seccompSetModeFilter(unprivileged, 0, [RET_ALLOW])).toMatchObject({ ok: false, errno: 'EACCES' });
    expect(seccompSetModeFilter(unprivileged, 0, [])).toMatchObject({ ok: false, errno: 'EINVAL', rule: 'len' }); // [V c_order_eacces]
    // Either NNP or CAP_SYS_ADMIN is enough.
    expect(seccompSetModeFilter({ ...unprivileged, capSysAdmin: true }, 0, [RET_ALLOW]).ok).toBe(true);
    expect(seccompSetModeFilter({ ...unprivileged, noNewPrivs: true }, 0, [RET_ALLOW]).ok).toBe(true);
    expect(seccompSetModeFilter({ ...unprivileged, capSysAdmin: true }, 0, invalid)).toMatchObject({ ok: false, errno: 'EINVAL', insn: 0 });
  });

  it('6.1 #28 chain already full, then an invalid program -> EINVAL (not ENOMEM)', () => {
    const full = fill([RET_ALLOW]);
    expect(full.refusal).toBe('ENOMEM');
    expect(seccompSetModeFilter(full.task, 0, [stmt(OP.LD_MEM, 0), RET_A])).toMatchObject({ ok: false, errno: 'EINVAL', insn: 0 });
    expect(seccompSetModeFilter(full.task, 0, [])).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(seccompSetModeFilter(full.task, 0, [RET_ALLOW])).toMatchObject({ ok: false, errno: 'ENOMEM', rule: 'path_length' });
  });

  it('6.1 #29 flags 1<<6 -> EINVAL; TSYNC|NEW_LISTENER -> EINVAL; WAIT_KILLABLE_RECV alone -> EINVAL; TSYNC_ESRCH alone -> 0', () => {
    const p = [RET_ALLOW];
    expect(seccompSetModeFilter(FRESH_TASK, 1 << 6, p)).toMatchObject({ ok: false, errno: 'EINVAL', rule: 'flags' });
    expect(seccompSetModeFilter(FRESH_TASK, 1 << 31, p)).toMatchObject({ ok: false, errno: 'EINVAL', rule: 'flags' });
    expect(seccompSetModeFilter(FRESH_TASK, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER, p))
      .toMatchObject({ ok: false, errno: 'EINVAL', rule: 'tsync_listener' });
    expect(seccompSetModeFilter(FRESH_TASK, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, p))
      .toMatchObject({ ok: false, errno: 'EINVAL', rule: 'wait_killable_recv' });
    expect(seccompSetModeFilter(FRESH_TASK, SECCOMP_FILTER_FLAG_TSYNC_ESRCH, p)).toMatchObject({ ok: true });
  });

  it('6.1 #30 second NEW_LISTENER -> EBUSY; same after closing the first fd -> accepted (the fd number is left to the kernel engine)', () => {
    const first = seccompSetModeFilter(FRESH_TASK, SECCOMP_FILTER_FLAG_NEW_LISTENER, [RET_ALLOW]);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.task.liveListener).toBe(true);
    expect(seccompSetModeFilter(first.task, SECCOMP_FILTER_FLAG_NEW_LISTENER, [RET_ALLOW]))
      .toMatchObject({ ok: false, errno: 'EBUSY', rule: 'listener_busy' });
    // A filter without a listener still stacks.
    expect(seccompSetModeFilter(first.task, 0, [RET_ALLOW]).ok).toBe(true);
    const closed: TaskState = { ...first.task, liveListener: false };
    expect(seccompSetModeFilter(closed, SECCOMP_FILTER_FLAG_NEW_LISTENER, [RET_ALLOW])).toMatchObject({ ok: true });
  });

  it('6.1 #31 3642nd RET #ALLOW filter (eBPF len 5 each) -> ENOMEM; 3641 fit', () => {
    const results = checkStack(Array.from({ length: 3642 }, () => [RET_ALLOW]));
    expect(results).toHaveLength(3642);
    expect(results.slice(0, 3641).every((r) => r.ok && r.ebpfLength === 5)).toBe(true);
    expect(results[3641]).toMatchObject({ ok: false, errno: 'ENOMEM', rule: 'path_length', index: 3641 });
  });

  it('6.1 #32 8th 4096-instruction filter -> ENOMEM; 7 fit', () => {
    expect(checkFilter(BIG)).toMatchObject({ accepted: true, ebpfLength: 4100 });
    const results = checkStack(Array.from({ length: 8 }, () => BIG));
    expect(results.slice(0, 7).every((r) => r.ok)).toBe(true);
    expect(results[7]).toMatchObject({ ok: false, errno: 'ENOMEM', index: 7 });
  });

  it('6.1 #33 TSYNC flags validated (TSYNC, TSYNC|TSYNC_ESRCH, TSYNC|NEW_LISTENER|TSYNC_ESRCH accepted); the sibling thread TID / -ESRCH result is left to the kernel engine', () => {
    for (const flags of [
      SECCOMP_FILTER_FLAG_TSYNC,
      SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
      SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
    ]) {
      expect(seccompSetModeFilter(FRESH_TASK, flags, [RET_ALLOW]), `flags 0x${flags.toString(16)}`).toMatchObject({ ok: true });
    }
  });

  it('6.1 #34 GET_ACTION_AVAIL of 0x7ffe0000 / 0x00050001 / KILL_PROCESS -> EOPNOTSUPP / EOPNOTSUPP / 0', () => {
    expect(seccompGetActionAvail(0x7ffe0000)).toEqual({ ok: false, errno: 'EOPNOTSUPP' });
    expect(seccompGetActionAvail(0x00050001)).toEqual({ ok: false, errno: 'EOPNOTSUPP' });
    expect(seccompGetActionAvail(SECCOMP_RET_KILL_PROCESS)).toEqual({ ok: true });
    // All eight actions of 6.18's actions_avail are available.
    for (const v of Object.values(ACTION_VALUES)) expect(seccompGetActionAvail(v)).toEqual({ ok: true });
  });
});

// §2.2.1's example (also 6.1 #11).
const RET_FALLTHROUGH_QUIRK: Program = [
  jump(OP.JMP_JEQ_K, 0, 0, 2), // 0: -> 1 / -> 3
  stmt(OP.ST, 0), // 1
  stmt(OP.JMP_JA, 1), // 2: -> 4
  RET_ALLOW, // 3
  stmt(OP.LD_MEM, 0), // 4: only reached from 2, where M[0] is set
  RET_A, // 5
];

describe('SEMANTICS §2.2.1 check_load_and_stores [V]', () => {
  it('§2.2.1 RET fall-through quirk: the state after RET at 3 flows into 4 -> EINVAL at 4 [c_ret_fallthrough_quirk]', () => {
    expect(checkLoadAndStores(RET_FALLTHROUGH_QUIRK)).toMatchObject({ errno: 'EINVAL', insn: 4, rule: 'check_load_and_stores' });
    expect(bpfCheckClassic(RET_FALLTHROUGH_QUIRK)).toMatchObject({ errno: 'EINVAL', insn: 4 });
    expectRejected(RET_FALLTHROUGH_QUIRK, 'EINVAL', 4, 'check_load_and_stores');
  });

  it('§2.2.1 unreachable read after a jump accepted [c_unreachable_read]', () => {
    expect(checkLoadAndStores([stmt(OP.JMP_JA, 1), stmt(OP.LD_MEM, 5), RET_ALLOW])).toBeNull();
  });

  it('§2.2.1 dead read after RET -> EINVAL [c_dead_read_after_ret]; with ST M[0] before the RET accepted [c_dead_read_after_ret_stored]', () => {
    expectRejected([RET_ALLOW, stmt(OP.LD_MEM, 0), RET_A], 'EINVAL', 1, 'check_load_and_stores');
    expectAccepted([stmt(OP.ST, 0), RET_ALLOW, stmt(OP.LD_MEM, 0), RET_A]);
  });

  it('§2.2.1 store on one branch -> EINVAL [c_store_one_branch]; on both branches accepted [c_store_both_branches]', () => {
    expectRejected([stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, NR_GETPID, 0, 1), stmt(OP.ST, 0), stmt(OP.LD_MEM, 0), RET_A], 'EINVAL', 3, 'check_load_and_stores');
    const both = [
      stmt(OP.LD_W_ABS, 0), // 0
      jump(OP.JMP_JEQ_K, NR_GETPID, 0, 2), // 1: -> 2 / -> 4
      stmt(OP.ST, 0), // 2
      stmt(OP.JMP_JA, 1), // 3: -> 5
      stmt(OP.ST, 0), // 4
      stmt(OP.LD_MEM, 0), // 5
      RET_A, // 6
    ];
    expectAccepted(both);
    expectRet(both, GETPID, NR_GETPID);
    expectRet(both, data(1), 1);
  });

  it('§2.2.1 jt == jf targets work [c_jeq_same_target]', () => {
    const p = [stmt(OP.LD_IMM, 7), stmt(OP.ST, 2), stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, NR_GETPID, 1, 1), RET(ERRNO(1)), stmt(OP.LD_MEM, 2), RET_A];
    expectAccepted(p);
    expectRet(p, GETPID, 7);
    expectRet(p, data(1), 7);
  });
});

// ---------------------------------------------------------------- §2.5 accounting

describe('SEMANTICS §2.5 eBPF length accounting [V]', () => {
  /** [kind, instruction, eBPF instructions it converts to]. */
  const PER_KIND: [string, Insn, number][] = [
    ['LD W ABS', stmt(OP.LD_W_ABS, 4), 1],
    ['LD IMM', stmt(OP.LD_IMM, 1), 1],
    ['LDX IMM', stmt(OP.LDX_IMM, 1), 1],
    ['LD W LEN (rewritten to LD IMM 64)', stmt(OP.LD_W_LEN, 0), 1],
    ['LDX W LEN (rewritten to LDX IMM 64)', stmt(OP.LDX_W_LEN, 0), 1],
    ['LD MEM', stmt(OP.LD_MEM, 0), 1],
    ['LDX MEM', stmt(OP.LDX_MEM, 0), 1],
    ['ST', stmt(OP.ST, 0), 1],
    ['STX', stmt(OP.STX, 0), 1],
    ['TAX', stmt(OP.MISC_TAX, 0), 1],
    ['TXA', stmt(OP.MISC_TXA, 0), 1],
    ...([
      ['ADD', OP.ALU_ADD_K, OP.ALU_ADD_X], ['SUB', OP.ALU_SUB_K, OP.ALU_SUB_X], ['MUL', OP.ALU_MUL_K, OP.ALU_MUL_X],
      ['AND', OP.ALU_AND_K, OP.ALU_AND_X], ['OR', OP.ALU_OR_K, OP.ALU_OR_X], ['XOR', OP.ALU_XOR_K, OP.ALU_XOR_X],
      ['LSH', OP.ALU_LSH_K, OP.ALU_LSH_X], ['RSH', OP.ALU_RSH_K, OP.ALU_RSH_X],
    ] as const).flatMap(([name, k, x]): [string, Insn, number][] => [[`${name} K`, stmt(k, 3), 1], [`${name} X`, stmt(x, 0), 1]]),
    ['DIV K', stmt(OP.ALU_DIV_K, 3), 1],
    ['NEG', stmt(OP.ALU_NEG, 0), 1],
    ['DIV X', stmt(OP.ALU_DIV_X, 0), 5],
    ['JA', stmt(OP.JMP_JA, 0), 1],
    ['JEQ K jf == 0', jump(OP.JMP_JEQ_K, 1, 1, 0), 1],
    ['JSET K jf == 0', jump(OP.JMP_JSET_K, 1, 1, 0), 1],
    ['JEQ K jt == 0 (JNE)', jump(OP.JMP_JEQ_K, 1, 0, 1), 1],
    ['JGT K jt == 0 (JLE)', jump(OP.JMP_JGT_K, 1, 0, 1), 1],
    ['JGE K jt == 0 (JLT)', jump(OP.JMP_JGE_K, 1, 0, 1), 1],
    ['JSET K jt == 0 (Jxx + JA)', jump(OP.JMP_JSET_K, 1, 0, 1), 2],
    ['JEQ K jt, jf != 0 (Jxx + JA)', jump(OP.JMP_JEQ_K, 1, 1, 1), 2],
    ['JEQ K k >= 2^31, jf == 0 (+ temp)', jump(OP.JMP_JEQ_K, 0x80000000, 1, 0), 2],
    ['JGT K k >= 2^31, jt == 0 (+ temp)', jump(OP.JMP_JGT_K, 0xffffffff, 0, 1), 2],
    ['JEQ K k >= 2^31, jt, jf != 0 (+ temp)', jump(OP.JMP_JEQ_K, 0x80000000, 1, 1), 3],
    ['JEQ X k >= 2^31, jt, jf != 0 (no temp for X)', jump(OP.JMP_JEQ_X, 0x80000000, 1, 1), 2],
    ['JSET X jf == 0', jump(OP.JMP_JSET_X, 0, 1, 0), 1],
    ['RET K', RET_ALLOW, 2],
    ['RET A', RET_A, 1],
  ];

  for (const [kind, ins, cost] of PER_KIND) {
    it(`§2.5 ${kind}: ${cost} eBPF instruction${cost > 1 ? 's' : ''}`, () => {
      const rewritten = ins.code === OP.LD_W_ABS ? 0x21 : ins.code === OP.LD_W_LEN ? OP.LD_IMM : ins.code === OP.LDX_W_LEN ? OP.LDX_IMM : ins.code;
      expect(ebpfCost(rewritten, ins.jt, ins.jf, ins.k)).toBe(cost);
      if (ins.code === OP.RET_K || ins.code === OP.RET_A) {
        expect(checkFilter([ins])).toMatchObject({ accepted: true, ebpfLength: 3 + cost });
        return;
      }
      // The instruction, two RET A as jump targets (1 each), and a store first when it reads M[0].
      const program = [stmt(OP.ST, 0), ins, RET_A, RET_A];
      expect(checkFilter(program)).toMatchObject({ accepted: true, ebpfLength: 3 + 1 + cost + 1 + 1 });
    });
  }

  /** The [V l_*] programs: [name, program, eBPF length, filters that fit]. */
  const FILLS: [string, Program, number, number][] = [
    ['RET K', [RET_ALLOW], 5, 3641],
    ['LD IMM; RET A', [stmt(OP.LD_IMM, 1), RET_A], 5, 3641],
    ['DIV K', [stmt(OP.LD_IMM, 7), stmt(OP.ALU_DIV_K, 2), RET_ALLOW], 7, 2979],
    ['DIV X', [stmt(OP.LDX_IMM, 2), stmt(OP.ALU_DIV_X, 0), RET_ALLOW], 11, 2184],
    ['JEQ jt=0', [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, 39, 0, 1), RET_ALLOW, RET(ERRNO(1))], 9, 2520],
    ['JEQ jf=0', [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, 39, 1, 0), RET_ALLOW, RET(ERRNO(1))], 9, 2520],
    ['JSET jt=0', [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JSET_K, 1, 0, 1), RET_ALLOW, RET(ERRNO(1))], 10, 2340],
    ['JEQ both non-zero', [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, 39, 1, 2), RET_ALLOW, RET(ERRNO(1)), RET(ERRNO(2))], 12, 2048],
    ['negative K, both non-zero', [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, 0x80000000, 1, 2), RET_ALLOW, RET(ERRNO(1)), RET(ERRNO(2))], 13, 1927],
    ['negative K, jf=0', [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, 0x80000000, 1, 0), RET_ALLOW, RET(ERRNO(1))], 10, 2340],
    ['JEQ X with k >= 2^31', [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_X, 0x80000000, 1, 2), RET_ALLOW, RET(ERRNO(1)), RET(ERRNO(2))], 12, 2048],
    ['LEN/ST/LDX MEM/TXA/NEG mix', [stmt(OP.LD_W_LEN, 0), stmt(OP.ST, 0), stmt(OP.LDX_MEM, 0), stmt(OP.MISC_TXA, 0), stmt(OP.ALU_NEG, 0), RET_ALLOW], 10, 2340],
  ];

  for (const [name, program, L, fit] of FILLS) {
    it(`§2.5 ${name}: eBPF length ${L}, ${fit} filters fit, the next gets ENOMEM`, () => {
      expect(checkFilter(program)).toMatchObject({ accepted: true, ebpfLength: L });
      expect(predictedFit(L)).toBe(fit);
      const results = checkStack(Array.from({ length: fit + 1 }, () => program));
      expect(results.slice(0, fit).every((r) => r.ok)).toBe(true);
      expect(results[fit]).toMatchObject({ ok: false, errno: 'ENOMEM', index: fit });
    });
  }

  it('§2.5 seven 4096-instruction filters (L = 4100) fit, the 8th gets ENOMEM, then 449 one-instruction filters still fit [c_limit_big]', () => {
    let task = FRESH_TASK;
    for (let i = 0; i < 7; i++) {
      const r = seccompSetModeFilter(task, 0, BIG);
      expect(r.ok, `big filter ${i + 1}`).toBe(true);
      if (r.ok) task = r.task;
    }
    expect(seccompSetModeFilter(task, 0, BIG)).toMatchObject({ ok: false, errno: 'ENOMEM' });
    const small = fill([RET_ALLOW], task);
    expect(small.fitted).toBe(449);
    expect(small.refusal).toBe('ENOMEM');
  });
});

describe('SEMANTICS §2.1 error precedence [V]', () => {
  it('§2.1 EBUSY beats ENOMEM [c_order_full]', () => {
    const listener = seccompSetModeFilter(FRESH_TASK, SECCOMP_FILTER_FLAG_NEW_LISTENER, [RET_ALLOW]);
    if (!listener.ok) throw new Error('listener filter refused');
    const full = fill([RET_ALLOW], listener.task);
    expect(full.refusal).toBe('ENOMEM');
    expect(seccompSetModeFilter(full.task, SECCOMP_FILTER_FLAG_NEW_LISTENER, [RET_ALLOW])).toMatchObject({ ok: false, errno: 'EBUSY' });
  });
});

// ---------------------------------------------------------------- 6.2 Evaluator and actions

describe('SEMANTICS §6.2 evaluator and actions [V]', () => {
  it('6.2 #35 RET A as the only instruction -> 0 = KILL_THREAD -> single-threaded process killed by SIGSYS', () => {
    const a = expectRet([RET_A], GETPID, 0);
    expect(a).toMatchObject({ kind: 'KILL_THREAD', raw: 0, unknown: false });
    expect(outcomeOf(0, GETPID)).toEqual(KILLED_PROCESS);
  });

  it('6.2 #36 TXA; OR #ERRNO|9; RET A -> errno 9 (X starts at 0)', () => {
    const a = expectRet([stmt(OP.MISC_TXA, 0), stmt(OP.ALU_OR_K, ERRNO(9)), RET_A], GETPID, ERRNO(9));
    expect(a).toMatchObject({ kind: 'ERRNO', data: 9 });
    expect(outcomeOf(ERRNO(9), GETPID)).toEqual({ kind: 'errno', errno: 9 });
  });

  it('6.2 #37 LDX #0; LD #100; DIV X; RET #ERRNO(11) -> filter returns 0 at the DIV -> SIGSYS kill, not errno 11', () => {
    const p = [stmt(OP.LDX_IMM, 0), stmt(OP.LD_IMM, 100), stmt(OP.ALU_DIV_X, 0), RET(ERRNO(11))];
    expect(expectRet(p, GETPID, 0).kind).toBe('KILL_THREAD');
    expect(outcomeOf(0, GETPID)).toEqual(KILLED_PROCESS);
    // With X != 0 the DIV continues to the RET.
    expectRet([stmt(OP.LDX_IMM, 3), ...p.slice(1)], GETPID, ERRNO(11));
  });

  it('6.2 #38 LD #1; LDX #33; LSH X -> A = 2 (shift by 33 & 31); RSH X with X = 32 leaves A unchanged', () => {
    expectRet([stmt(OP.LD_IMM, 1), stmt(OP.LDX_IMM, 33), stmt(OP.ALU_LSH_X, 0), RET_A], GETPID, 2);
    const rsh = (a: number, x: number): Program => [stmt(OP.LD_IMM, a), stmt(OP.LDX_IMM, x), stmt(OP.ALU_RSH_X, 0), RET_A];
    expectRet(rsh(0x12345678, 32), GETPID, 0x12345678); // [V r_rsh_x32]
    expectRet(rsh(0x12345678, 36), GETPID, 0x01234567); // [V r_rsh_x36] shift 4
    expectRet(rsh(0x80000000, 0xffffffff), GETPID, 1); // [V r_rsh_xffffffff] shift 31
    // As the kernel observed it: OR the shifted A into an ERRNO.
    const seen = [stmt(OP.LD_IMM, 1), stmt(OP.LDX_IMM, 33), stmt(OP.ALU_LSH_X, 0), stmt(OP.ALU_OR_K, ERRNO(0)), RET_A];
    expectRet(seen, GETPID, ERRNO(2));
    expect(outcomeOf(ERRNO(2), GETPID)).toEqual({ kind: 'errno', errno: 2 });
  });

  it('6.2 #39 LD #0xffffffff; ADD #3 / 1 - 2 / 0x10001 * 0x10001 / NEG 5 -> 2 / 0xffffffff / 0x00020001 / 0xfffffffb', () => {
    const alu = (a: number, op: number, k: number): Program => [stmt(OP.LD_IMM, a), stmt(op, k), RET_A];
    expect(expectRet(alu(0xffffffff, OP.ALU_ADD_K, 3), GETPID, 2).kind).toBe('KILL_THREAD');
    expect(expectRet(alu(1, OP.ALU_SUB_K, 2), GETPID, 0xffffffff)).toMatchObject({ kind: 'KILL_PROCESS', unknown: true });
    expect(expectRet(alu(0x10001, OP.ALU_MUL_K, 0x10001), GETPID, 0x00020001)).toMatchObject({ kind: 'KILL_PROCESS', unknown: true });
    expect(expectRet(alu(5, OP.ALU_NEG, 0), GETPID, 0xfffffffb)).toMatchObject({ kind: 'KILL_PROCESS', unknown: true });
    // The X forms wrap the same way.
    expectRet([stmt(OP.LD_IMM, 0xffffffff), stmt(OP.LDX_IMM, 3), stmt(OP.ALU_ADD_X, 0), RET_A], GETPID, 2);
    expectRet([stmt(OP.LD_IMM, 1), stmt(OP.LDX_IMM, 2), stmt(OP.ALU_SUB_X, 0), RET_A], GETPID, 0xffffffff);
    expectRet([stmt(OP.LD_IMM, 0x10001), stmt(OP.LDX_IMM, 0x10001), stmt(OP.ALU_MUL_X, 0), RET_A], GETPID, 0x00020001);
  });

  it('6.2 #40 LD #0x80000000; JGT #1 and JGE #0x80000000 with A = 0x90000000 -> both true (unsigned)', () => {
    const jgt = [stmt(OP.LD_IMM, 0x80000000), jump(OP.JMP_JGT_K, 1, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))];
    expect(expectRet(jgt, GETPID, ERRNO(1))).toMatchObject({ kind: 'ERRNO', data: 1 });
    const jge = [stmt(OP.LD_IMM, 0x90000000), jump(OP.JMP_JGE_K, 0x80000000, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))];
    expect(expectRet(jge, GETPID, ERRNO(1))).toMatchObject({ kind: 'ERRNO', data: 1 });
    // X forms compare unsigned too.
    expectRet([stmt(OP.LD_IMM, 0x80000000), stmt(OP.LDX_IMM, 1), jump(OP.JMP_JGT_X, 0, 0, 1), RET(ERRNO(1)), RET(ERRNO(2))], GETPID, ERRNO(1));
  });

  it('6.2 #41 LD [0]; OR #0x50000; RET A on getpid -> errno 39', () => {
    const a = expectRet([stmt(OP.LD_W_ABS, 0), stmt(OP.ALU_OR_K, 0x50000), RET_A], GETPID, 0x00050027);
    expect(a).toMatchObject({ kind: 'ERRNO', data: 39 });
    expect(outcomeOf(a.raw, GETPID)).toEqual({ kind: 'errno', errno: 39 });
  });

  it('6.2 #42 RET #ERRNO(5000); RET #ERRNO(0xffff) -> errno 4095', () => {
    for (const e of [5000, 0xffff]) {
      const a = expectRet([RET(ERRNO(e))], GETPID, ERRNO(e));
      expect(a).toMatchObject({ kind: 'ERRNO', data: 4095 });
      expect(outcomeOf(ERRNO(e), GETPID)).toEqual({ kind: 'errno', errno: 4095 });
    }
  });

  it('6.2 #43 RET #ERRNO(0) -> syscall not executed, returns 0', () => {
    expect(expectRet([RET(ERRNO(0))], GETPID, ERRNO(0))).toMatchObject({ kind: 'ERRNO', data: 0 });
    expect(outcomeOf(ERRNO(0), GETPID)).toEqual({ kind: 'errno', errno: 0 });
  });

  it('6.2 #44 filters installed in order ERRNO(1), ERRNO(2) -> errno 2 (newest wins a tie); reverse order -> 1', () => {
    const e1 = [RET(ERRNO(1))], e2 = [RET(ERRNO(2))];
    expect(runStack([e1, e2], GETPID)).toMatchObject({ raw: ERRNO(2), match: 1, results: [ERRNO(1), ERRNO(2)] });
    expect(stackOutcome([e1, e2], GETPID)).toEqual({ kind: 'errno', errno: 2 });
    expect(runStack([e2, e1], GETPID)).toMatchObject({ raw: ERRNO(1), match: 1 });
    expect(stackOutcome([e2, e1], GETPID)).toEqual({ kind: 'errno', errno: 1 });
  });

  it('6.2 #45 ERRNO(3) filter then an ALLOW filter -> errno 3', () => {
    expect(runStack([[RET(ERRNO(3))], [RET_ALLOW]], GETPID)).toMatchObject({ raw: ERRNO(3), match: 0 });
    expect(stackOutcome([[RET(ERRNO(3))], [RET_ALLOW]], GETPID)).toEqual({ kind: 'errno', errno: 3 });
  });

  it('6.2 #46 TRAP vs ERRNO -> TRAP; LOG vs TRACE -> TRACE (-> ENOSYS without tracer); KILL_THREAD vs KILL_PROCESS -> KILL_PROCESS [S]', () => {
    const trap = [RET(SECCOMP_RET_TRAP)], errno = [RET(ERRNO(1))];
    for (const order of [[trap, errno], [errno, trap]]) {
      expect(runStack(order, GETPID).action.kind).toBe('TRAP');
      expect(stackOutcome(order, GETPID)).toMatchObject({ kind: 'trap', signal: SIGSYS });
    }
    const log = [RET(SECCOMP_RET_LOG)], trace = [RET(SECCOMP_RET_TRACE)];
    for (const order of [[log, trace], [trace, log]]) {
      expect(runStack(order, GETPID).action.kind).toBe('TRACE');
      expect(stackOutcome(order, GETPID)).toEqual({ kind: 'enosys', errno: 38, action: 'TRACE' });
    }
    const kt = [RET(SECCOMP_RET_KILL_THREAD)], kp = [RET(SECCOMP_RET_KILL_PROCESS)];
    for (const order of [[kt, kp], [kp, kt]]) {
      expect(runStack(order, GETPID).action.kind).toBe('KILL_PROCESS');
      expect(stackOutcome(order, GETPID, MULTI)).toEqual(KILLED_PROCESS);
    }
  });

  it('6.2 #47 RET #0x00010000, #0x7ffe0000, #0xffff0000 -> process killed by SIGSYS (unknown => KILL_PROCESS)', () => {
    for (const v of [0x00010000, 0x7ffe0000, 0xffff0000]) {
      expect(expectRet([RET(v)], GETPID, v)).toEqual({ kind: 'KILL_PROCESS', data: 0, raw: v, unknown: true });
      expect(outcomeOf(v, GETPID)).toEqual(KILLED_PROCESS);
      expect(outcomeOf(v, GETPID, MULTI)).toEqual(KILLED_PROCESS);
    }
  });

  it('6.2 #48 ERRNO(1) filter + 0x7ffe0000 filter -> errno 1 (unknown ordered by signed value)', () => {
    const e1 = [RET(ERRNO(1))], unknown = [RET(0x7ffe0000)];
    for (const order of [[e1, unknown], [unknown, e1]]) {
      expect(runStack(order, GETPID)).toMatchObject({ raw: ERRNO(1) });
      expect(stackOutcome(order, GETPID)).toEqual({ kind: 'errno', errno: 1 });
    }
  });

  it('6.2 #49 RET #0x7fff1234 -> allowed', () => {
    expect(expectRet([RET(0x7fff1234)], GETPID, 0x7fff1234)).toMatchObject({ kind: 'ALLOW', unknown: false });
    expect(outcomeOf(0x7fff1234, GETPID)).toEqual({ kind: 'allowed', logged: false });
  });

  it('6.2 #50 TRACE without tracer -> ENOSYS; USER_NOTIF without listener -> ENOSYS', () => {
    expect(expectRet([RET(SECCOMP_RET_TRACE)], GETPID, SECCOMP_RET_TRACE).kind).toBe('TRACE');
    expect(outcomeOf(SECCOMP_RET_TRACE, GETPID)).toEqual({ kind: 'enosys', errno: 38, action: 'TRACE' });
    expect(expectRet([RET(SECCOMP_RET_USER_NOTIF)], GETPID, SECCOMP_RET_USER_NOTIF).kind).toBe('USER_NOTIF');
    expect(outcomeOf(SECCOMP_RET_USER_NOTIF, GETPID)).toEqual({ kind: 'enosys', errno: 38, action: 'USER_NOTIF' });
    // With someone attached the thread stops / waits instead.
    expect(outcomeOf(SECCOMP_RET_TRACE | 7, GETPID, { ...DEFAULT_CONTEXT, tracer: true })).toEqual({ kind: 'traced', data: 7 });
    expect(outcomeOf(SECCOMP_RET_USER_NOTIF, GETPID, { ...DEFAULT_CONTEXT, listener: true })).toEqual({ kind: 'notified' });
  });

  it('6.2 #51 RET #TRAP|0xbeef with a SIGSYS handler -> si_signo 31, si_code SYS_SECCOMP (1), si_errno 0xbeef, si_syscall 39, si_arch 0xc000003e (si_call_addr and the return value 39 left to the kernel engine)', () => {
    const w = data(NR_GETPID, X86_64, [], 0x401234);
    const raw = (SECCOMP_RET_TRAP | 0xbeef) >>> 0;
    expect(expectRet([RET(raw)], w, raw)).toEqual({ kind: 'TRAP', data: 0xbeef, raw, unknown: false });
    const expected: Outcome = { kind: 'trap', signal: 31, si_errno: 0xbeef, si_syscall: 39, si_arch: 0xc000003e };
    expect(outcomeOf(raw, w)).toEqual(expected);
    expect(stackOutcome([[RET(raw)]], w)).toEqual(expected);
    expect(SYS_SECCOMP).toBe(1); // every seccomp SIGSYS carries this si_code
  });

  it('6.2 #52 TRAP with SIGSYS ignored / blocked -> killed by SIGSYS', () => {
    const raw = (SECCOMP_RET_TRAP | 1) >>> 0;
    expect(expectRet([RET(raw)], GETPID, raw).kind).toBe('TRAP');
    for (const sigsys of ['ignored', 'blocked', 'default'] as const) {
      expect(outcomeOf(raw, GETPID, { ...DEFAULT_CONTEXT, sigsys }), sigsys).toEqual(KILLED_PROCESS);
      expect(outcomeOf(raw, GETPID, { ...MULTI, sigsys }), `${sigsys}, multi-threaded`).toEqual(KILLED_PROCESS);
    }
    expect(outcomeOf(raw, GETPID, { ...DEFAULT_CONTEXT, sigsys: 'handler' })).toMatchObject({ kind: 'trap' });
  });

  it('6.2 #53 KILL_THREAD from a non-main thread -> only that thread exits; KILL_PROCESS kills all', () => {
    expect(outcomeOf(SECCOMP_RET_KILL_THREAD, GETPID, MULTI)).toEqual({ kind: 'killed', signal: SIGSYS, scope: 'thread' });
    expect(outcomeOf(SECCOMP_RET_KILL_PROCESS, GETPID, MULTI)).toEqual(KILLED_PROCESS);
    expect(stackOutcome([[RET(SECCOMP_RET_KILL_THREAD)]], GETPID, MULTI)).toEqual({ kind: 'killed', signal: SIGSYS, scope: 'thread' });
    expect(stackOutcome([[RET(SECCOMP_RET_KILL_PROCESS)]], GETPID, MULTI)).toEqual(KILLED_PROCESS);
  });

  it('6.2 #54 args[0] = 0x1122334455667788: LD [16], LD [20] -> 0x55667788, 0x11223344 (little-endian)', () => {
    const w = data(NR_GETPID, X86_64, [0x1122334455667788n]);
    expectRet([stmt(OP.LD_W_ABS, 16), RET_A], w, 0x55667788);
    expectRet([stmt(OP.LD_W_ABS, 20), RET_A], w, 0x11223344);
  });

  it('6.2 #55 syscall(-1); rax = 0x1_00000027; x32 getpid; nr 100000 -> filter sees 0xffffffff; 39; 0x40000027; 100000', () => {
    const ldNr = [stmt(OP.LD_W_ABS, 0), RET_A];
    const cases: [number, number][] = [
      [-1, 0xffffffff],
      [0x1_00000027, 39], // orig_ax's low 32 bits
      [NR_GETPID | __X32_SYSCALL_BIT, 0x40000027],
      [100000, 100000],
    ];
    for (const [nr, seen] of cases) {
      const w = data(nr);
      expect(w[0], `nr ${nr}`).toBe(seen);
      expect(w[1]).toBe(X86_64); // x32 shares AUDIT_ARCH_X86_64
      expectRet(ldNr, w, seen);
    }
    expect(archByName('x32')).toMatchObject({ auditArch: 0xc000003e, nrBits: 0x40000000 });
  });

  it('6.2 #56 int 0x80, eax = 20 -> arch = 0x40000003, nr = 20; an arch-less deny of 39 is bypassed (register entry left to the kernel engine)', () => {
    const w = data(20, I386);
    expect(I386).toBe(0x40000003);
    expectRet([stmt(OP.LD_W_ABS, 4), RET_A], w, 0x40000003);
    expectRet([stmt(OP.LD_W_ABS, 0), RET_A], w, 20);
    const denyGetpid = [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, NR_GETPID, 0, 1), RET(ERRNO(1)), RET_ALLOW];
    expect(outcomeOf(expectRet(denyGetpid, GETPID, ERRNO(1)).raw, GETPID)).toEqual({ kind: 'errno', errno: 1 });
    expect(outcomeOf(expectRet(denyGetpid, w, ALLOW).raw, w)).toEqual({ kind: 'allowed', logged: false });
  });

  it('6.2 #57 int 0x80 with rbx = 0x00000abc_fedcba98 -> args[0] high word = 0xabc (register copy left to the kernel engine)', () => {
    const w = data(20, I386, [0x00000abc_fedcba98n]);
    expectRet([stmt(OP.LD_W_ABS, 20), RET_A], w, 0xabc);
    expectRet([stmt(OP.LD_W_ABS, 16), RET_A], w, 0xfedcba98);
  });

  it('6.2 #58 USER_NOTIF with a listener -> the thread waits (reply {error: 5, val: 1} -> syscall returns 5 left to the kernel engine)', () => {
    expect(expectRet([RET(SECCOMP_RET_USER_NOTIF)], GETPID, SECCOMP_RET_USER_NOTIF).kind).toBe('USER_NOTIF');
    expect(outcomeOf(SECCOMP_RET_USER_NOTIF, GETPID, { ...DEFAULT_CONTEXT, listener: true })).toEqual({ kind: 'notified' });
  });

  it('6.2 #59 strict mode then exit_group -> SIGKILL (strict mode syscall list left to the kernel engine); emulator: a STRICT task cannot add a filter (EINVAL)', () => {
    const strict: TaskState = { ...FRESH_TASK, mode: SECCOMP_MODE_STRICT };
    expect(seccompSetModeFilter(strict, 0, [RET_ALLOW])).toMatchObject({ ok: false, errno: 'EINVAL', rule: 'mode' });
  });

  it('6.2 #60 x86_64, ERRNO(5) for all: syscall(335) / (336) bypass every filter on 6.18, (337) errno 5; all filtered on 6.1 (SIGILL / -ENXIO of the bypassed calls left to the kernel engine)', () => {
    const errno5 = [[RET(ERRNO(5))]];
    const v618: KernelVersion = { major: 6, minor: 18, patch: 44 };
    const v61: KernelVersion = { major: 6, minor: 1, patch: 0 };
    for (const nr of [335, 336]) {
      expect(runStack(errno5, data(nr), { kernel: v618 }), `6.18 nr ${nr}`).toMatchObject({ raw: ALLOW, bypassed: true, match: null, results: [] });
      expect(stackOutcome(errno5, data(nr), DEFAULT_CONTEXT, { kernel: v618 })).toEqual({ kind: 'allowed', logged: false });
      expect(runStack(errno5, data(nr), { kernel: v61 }), `6.1 nr ${nr}`).toMatchObject({ raw: ERRNO(5), bypassed: false });
    }
    for (const nr of [334, 337]) {
      expect(runStack(errno5, data(nr), { kernel: v618 })).toMatchObject({ raw: ERRNO(5), bypassed: false });
      expect(stackOutcome(errno5, data(nr), DEFAULT_CONTEXT, { kernel: v618 })).toEqual({ kind: 'errno', errno: 5 });
    }
    // i386 int 0x80 with nr 335 is filtered [V r_uretprobe_i386_int80].
    expect(runStack(errno5, data(335, I386), { kernel: v618 })).toMatchObject({ raw: ERRNO(5), bypassed: false });
    // The default kernel is 6.18.
    expect(runStack(errno5, data(336))).toMatchObject({ bypassed: true });
  });

  it('6.2 #61 filter present, child forks / execs -> child filtered identically (fork/exec left to the kernel engine; emulator: the inherited chain evaluates the same and counts toward the child path length)', () => {
    const deny = [stmt(OP.LD_W_ABS, 0), jump(OP.JMP_JEQ_K, NR_GETPID, 0, 1), RET(ERRNO(1)), RET_ALLOW];
    const parent = seccompSetModeFilter(FRESH_TASK, 0, deny);
    if (!parent.ok) throw new Error('parent filter refused');
    const child: TaskState = { ...parent.task }; // copy_seccomp: same chain, mode and NNP
    expect(child).toEqual(parent.task);
    expect(child.mode).toBe(SECCOMP_MODE_FILTER);
    for (const nr of [NR_GETPID, 1, 60]) expect(runStack([deny], data(nr))).toEqual(runStack([deny], data(nr)));
    expect(stackOutcome([deny], GETPID)).toEqual({ kind: 'errno', errno: 1 });
    // The child's own filters stack on the inherited one (eBPF length 9, + 4 penalty):
    // RET K filters (5 each) fit while 5 + 13 + (n - 1) * 9 <= 32768, i.e. 3639 instead of 3641.
    expect(checkFilter(deny)).toMatchObject({ ebpfLength: 9 });
    expect(fill([RET_ALLOW], child).fitted).toBe(3639);
    expect(fill([RET_ALLOW]).fitted).toBe(3641);
  });
});
