import { describe, expect, it } from 'vitest';
import { actionOutcome, decodeAction, formatAction, SECCOMP_RET_ALLOW } from './actions.js';
import { insn, OP } from './bpf.js';
import { compileFilter } from './compile.js';
import { parseKernelRelease } from './kernel_version.js';
import { checkStack, FRESH_TASK } from './install.js';
import { seccompData, seccompDataWords } from './seccomp_data.js';
import { combineResults, FilterStack } from './stack.js';

const ret = (k: number) => compileFilter([insn(OP.RET_K, 0, 0, k)]);
const words = (nr: number, arch = 0xc000003e) => seccompDataWords(seccompData(nr, arch));

describe('decodeAction', () => {
  it('caps ERRNO data at MAX_ERRNO and keeps TRAP/TRACE data', () => {
    expect(decodeAction(0x00051388)).toMatchObject({ kind: 'ERRNO', data: 4095 });
    expect(decodeAction(0x0005ffff)).toMatchObject({ kind: 'ERRNO', data: 4095 });
    expect(decodeAction(0x0003beef)).toMatchObject({ kind: 'TRAP', data: 0xbeef });
    expect(decodeAction(0x7ff00003)).toMatchObject({ kind: 'TRACE', data: 3 });
  });

  it('ignores data for KILL, LOG, ALLOW and USER_NOTIF', () => {
    expect(decodeAction(0x80000005)).toMatchObject({ kind: 'KILL_PROCESS', data: 0, unknown: false });
    expect(decodeAction(0x00000009)).toMatchObject({ kind: 'KILL_THREAD', data: 0 });
    expect(decodeAction(0x7fff1234)).toMatchObject({ kind: 'ALLOW', data: 0 });
    expect(decodeAction(0x7fc00001)).toMatchObject({ kind: 'USER_NOTIF', data: 0 });
  });

  it('treats every unknown action value as KILL_PROCESS', () => {
    for (const raw of [0x00010000, 0x7ffe0000, 0xffff0000, 0x00040000]) {
      expect(decodeAction(raw)).toMatchObject({ kind: 'KILL_PROCESS', unknown: true, raw });
    }
    expect(formatAction(0x00010000)).toMatch(/unknown/);
  });

  it('maps actions to what a process observes', () => {
    const d = { nr: 39, arch: 0xc000003e };
    expect(actionOutcome(decodeAction(0), d)).toEqual({ kind: 'killed', signal: 31, scope: 'process' });
    expect(actionOutcome(decodeAction(0), d, { threads: 'multi', tracer: false, listener: false })).toEqual({ kind: 'killed', signal: 31, scope: 'thread' });
    expect(actionOutcome(decodeAction(0x7ff00000), d)).toMatchObject({ kind: 'enosys', errno: 38, action: 'TRACE' });
    expect(actionOutcome(decodeAction(0x7fc00000), d)).toMatchObject({ kind: 'enosys', action: 'USER_NOTIF' });
    expect(actionOutcome(decodeAction(0x7fc00000), d, { threads: 'single', tracer: false, listener: true })).toEqual({ kind: 'notified' });
    expect(actionOutcome(decodeAction(0x00050000), d)).toEqual({ kind: 'errno', errno: 0 });
    expect(actionOutcome(decodeAction(0x7ffc0000), d)).toEqual({ kind: 'allowed', logged: true });
  });
});

describe('FilterStack (seccomp_run_filters)', () => {
  it('lets the newest filter win a tie, data included', () => {
    expect(new FilterStack([ret(0x00050001), ret(0x00050002)]).run(words(39)).raw).toBe(0x00050002);
    expect(new FilterStack([ret(0x00050002), ret(0x00050001)]).run(words(39)).raw).toBe(0x00050001);
  });

  it('orders by the signed ACTION_FULL value: KILL_PROCESS beats an unknown 0xffff0000, which beats KILL_THREAD', () => {
    expect(combineResults([0x00000000, 0xffff0000])).toBe(0xffff0000);
    expect(combineResults([0x80000000, 0xffff0000])).toBe(0x80000000);
    expect(combineResults([0x00050001, 0x7ffe0000])).toBe(0x00050001);
  });

  it('returns exactly SECCOMP_RET_ALLOW with no match when every filter allows', () => {
    const r = new FilterStack([ret(0x7fff0005), ret(0x7fff0000)]).run(words(39));
    expect(r.match).toBeNull();
    expect(r.raw).toBe(SECCOMP_RET_ALLOW);
  });

  it('runs every filter and reports which one matched', () => {
    const r = new FilterStack([ret(0x00050003), ret(0x7fff0000), ret(0x00030000)]).run(words(39));
    expect(r.results).toEqual([0x00050003, 0x7fff0000, 0x00030000]);
    expect(r.match).toBe(2);
    expect(r.action.kind).toBe('TRAP');
  });

  it('skips every filter for x86_64 uretprobe (6.14+) and uprobe (6.18+), but not for i386 or older kernels', () => {
    const deny = [ret(0x00050005)];
    const k618 = { kernel: parseKernelRelease('6.18.44')! };
    const k61 = { kernel: parseKernelRelease('6.1.0-27-amd64')! };
    expect(new FilterStack(deny, k618).run(words(335)).bypassed).toBe(true);
    expect(new FilterStack(deny, k618).run(words(336)).raw).toBe(SECCOMP_RET_ALLOW);
    expect(new FilterStack(deny, k618).run(words(337)).raw).toBe(0x00050005);
    expect(new FilterStack(deny, k618).run(words(335, 0x40000003)).raw).toBe(0x00050005);
    expect(new FilterStack(deny, k61).run(words(335)).raw).toBe(0x00050005);
    expect(new FilterStack(deny, { kernel: parseKernelRelease('6.14')! }).run(words(336)).raw).toBe(0x00050005);
  });
});

describe('checkStack with a sandbox task: earlier filters judge the next seccomp(2) call', () => {
  const caller = { auditArch: 0xc000003e, endian: 'little' as const, nr: 317 };
  const task = { ...FRESH_TASK, installer: caller };
  const allowAll = [insn(OP.RET_K, 0, 0, 0x7fff0000)];

  it('an earlier ERRNO(1) for everything makes the next install fail with EPERM (as the kernel engine showed)', () => {
    const r = checkStack([[insn(OP.RET_K, 0, 0, 0x00050001)], allowAll], { task });
    expect(r.map((s) => s.ok)).toEqual([true, false]);
    expect(r[1]).toMatchObject({ errno: 'EPERM', rule: 'seccomp_filtered' });
  });

  it('an earlier KILL kills the caller inside seccomp(2): no errno, SIGSYS', () => {
    const r = checkStack([[insn(OP.RET_K, 0, 0, 0)], allowAll], { task });
    expect(r[1]).toMatchObject({ ok: false, errno: null, signal: 31 });
  });

  it('an earlier TRACE with nobody attached: ENOSYS', () => {
    expect(checkStack([[insn(OP.RET_K, 0, 0, 0x7ff00000)], allowAll], { task })[1]).toMatchObject({ ok: false, errno: 'ENOSYS' });
  });

  it('a filter that lets seccomp (317) through does not get in the way; without an installer nothing is judged', () => {
    const letSeccomp = [insn(OP.LD_W_ABS, 0, 0, 0), insn(OP.JMP_JEQ_K, 0, 1, 317), insn(OP.RET_K, 0, 0, 0x7fff0000), insn(OP.RET_K, 0, 0, 0x00050001)];
    expect(checkStack([letSeccomp, allowAll], { task }).map((s) => s.ok)).toEqual([true, true]);
    expect(checkStack([[insn(OP.RET_K, 0, 0, 0x00050001)], allowAll]).map((s) => s.ok)).toEqual([true, true]);
  });
});
