import { describe, expect, it } from 'vitest';
import {
  actionValue, archByName, BPF_JUMP, BPF_STMT, checkStack, OP, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
  SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRAP, type Insn,
} from 'unicorn-bpf-emulator';
import { emulatorEngine } from './emulator.js';

const RET = (k: number): Insn => BPF_STMT(OP.RET_K, k);
const x86_64 = archByName('x86_64')!;
const i386 = archByName('x86')!;
const x32 = archByName('x32')!;
const c = (arch = x86_64, nr = 39, args: bigint[] = [0n, 0n, 0n, 0n, 0n, 0n]) => ({ arch, nr, args, ip: 0n });
const eng = emulatorEngine({ kernel: { major: 6, minor: 18, patch: 0 } });

describe('emulator engine: check', () => {
  it('loads the stack as checkStack does: stops at the first failure, with errno, instruction and rule', () => {
    const bad = [BPF_JUMP(OP.JMP_JEQ_K, 0, 5, 0), RET(0)];
    const stack = [[RET(SECCOMP_RET_ALLOW)], bad, [RET(0)]];
    const steps = eng.check(stack);
    expect(steps.map((s) => [s.index, s.ok, s.errno])).toEqual([[0, true, null], [1, false, 'EINVAL']]);
    expect(steps[1].insn).toBe(checkStack(stack)[1].ok ? null : (checkStack(stack)[1] as { insn: number | null }).insn);
    expect(steps[1].rule).not.toBeNull();
  });

  it('flags: one for every call, or one per call', () => {
    const p = [RET(SECCOMP_RET_ALLOW)];
    expect(eng.check([p], SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)[0].errno).toBe('EINVAL');
    expect(eng.check([p, p], [SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_NEW_LISTENER]).map((s) => s.errno)).toEqual([null, 'EBUSY']);
    expect(eng.check([p, p], [SECCOMP_FILTER_FLAG_NEW_LISTENER, 0]).every((s) => s.ok)).toBe(true);
  });
});

describe('emulator engine: run', () => {
  it('maps the stack\'s action to the Outcome a single-threaded process without tracer or listener sees', () => {
    const echoNr = [BPF_STMT(OP.LD_W_ABS, 0), BPF_STMT(OP.ALU_OR_K, 0x00050000), BPF_STMT(OP.RET_A, 0)];
    expect(eng.run([echoNr], [c(), c(i386, 20)])).toEqual([{ kind: 'errno', errno: 39 }, { kind: 'errno', errno: 20 }]);
    expect(eng.run([[RET(SECCOMP_RET_TRAP | 7)]], [c(x32, 0x40000027)])).toEqual([
      { kind: 'trap', signal: 31, si_errno: 7, si_syscall: 0x40000027, si_arch: 0xc000003e },
    ]);
    expect(eng.run([[RET(0x7ff00000)], [RET(0x7fc00000)]], [c()])).toEqual([{ kind: 'enosys', errno: 38, action: 'USER_NOTIF' }]);
    expect(eng.run([[RET(SECCOMP_RET_LOG)]], [c()])).toEqual([{ kind: 'allowed', logged: true }]);
    expect(eng.run([], [c()])).toEqual([{ kind: 'allowed', logged: false }]);
  });

  it('KILL_THREAD kills the process when single-threaded, only the thread with threads: multi', () => {
    const kill = [[RET(SECCOMP_RET_KILL_THREAD)]];
    expect(eng.run(kill, [c()])[0]).toEqual({ kind: 'killed', signal: 31, scope: 'process' });
    expect(eng.run(kill, [c()], { threads: 'multi' })[0]).toEqual({ kind: 'killed', signal: 31, scope: 'thread' });
  });

  it('emulates its kernel version: uretprobe (335) skips every filter on 6.14+, not on 6.1', () => {
    const deny = [[RET(actionValue('ERRNO', 5))]];
    expect(eng.run(deny, [c(x86_64, 335), c(x86_64, 336), c(x86_64, 337)]).map((o) => o.kind)).toEqual(['allowed', 'allowed', 'errno']);
    const old = emulatorEngine({ kernel: { major: 6, minor: 1, patch: 0 } });
    expect(old.run(deny, [c(x86_64, 335)])[0]).toEqual({ kind: 'errno', errno: 5 });
    expect(eng.run(deny, [c(i386, 335)])[0]).toEqual({ kind: 'errno', errno: 5 });
  });
});
