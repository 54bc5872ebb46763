// verifySpec on small filters: exact decisions on 64-bit argument
// conditions (ranges, masks, first-match order), the sampled fallback for
// conditions the analysis cannot decide, and counterexamples that the
// compiled filter confirms. --engine kernel|both with stand-in kernel
// engines (a faithful one, one that lies, one that skips), so every path of
// the kernel judgement runs without a kernel; test/verify.test.ts runs the
// real one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BPF_JUMP, BPF_STMT, encodeProgram, OP, SECCOMP_RET_LOG, type Insn } from 'unicorn-bpf-emulator';
import { emulatorEngine } from '../engines/emulator.js';
import type { Engine, EngineOutcome } from '../engines/engine.js';
import { parseSpec } from './spec.js';
import { formatEngineCounts, formatKernelCounts, formatResult, resultRecord, verifySpec, type VerifyOptions, type VerifyResult } from './verify.js';

const AUDIT_ARCH_X86_64 = 0xc000003e;
const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const KILL = 0x80000000;
const NR_IOCTL = 16;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'seccheck-spec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** x86_64 guard, then `body` for ioctl (jump offsets relative to the body), ALLOW for the rest. */
function ioctlFilter(body: Insn[]): Insn[] {
  return [
    BPF_STMT(OP.LD_W_ABS, 4),
    BPF_JUMP(OP.JMP_JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT(OP.RET_K, KILL),
    BPF_STMT(OP.LD_W_ABS, 0),
    BPF_JUMP(OP.JMP_JGE_K, 0x40000000, 0, 1),
    BPF_STMT(OP.RET_K, KILL),
    BPF_JUMP(OP.JMP_JEQ_K, NR_IOCTL, 1, 0),
    BPF_STMT(OP.RET_K, ALLOW),
    ...body,
  ];
}

function verify(program: Insn[], expect: string, opts: VerifyOptions = {}): VerifyResult {
  const filter = join(dir, 'f.bpf');
  writeFileSync(filter, encodeProgram(program, 'little'));
  const text = `filter: f.bpf\narches: [x86_64]\nexpect:\n${expect}`;
  return verifySpec(parseSpec(text, join(dir, 's.yaml')), opts);
}

const summary = (r: VerifyResult): string[] => r.results.map((x) => formatResult(x, 's.yaml'));

// ioctl: ALLOW when args[1] (full 64 bits) >= 0x10, else EPERM.
const GE_0X10 = ioctlFilter([
  BPF_STMT(OP.LD_W_ABS, 28), // args[1].hi
  BPF_JUMP(OP.JMP_JEQ_K, 0, 1, 0),
  BPF_STMT(OP.RET_K, ALLOW), // hi != 0: >= 2^32
  BPF_STMT(OP.LD_W_ABS, 24),
  BPF_JUMP(OP.JMP_JGE_K, 0x10, 0, 1),
  BPF_STMT(OP.RET_K, ALLOW),
  BPF_STMT(OP.RET_K, EPERM),
]);

describe('verifySpec: exact on argument conditions', () => {
  it('a correct 64-bit range check holds, exactly', () => {
    const r = verify(GE_0X10, [
      '  - syscalls: [ioctl]\n    args: {1: {ge: 0x10}}\n    action: ALLOW',
      '  - syscalls: [ioctl]\n    action: ERRNO(EPERM)',
      '  - default: ALLOW',
    ].join('\n'));
    expect(summary(r)).toEqual([
      'PASS s.yaml:4 ioctl args[1] >= 0x10: ALLOW',
      'PASS s.yaml:7 ioctl: ERRNO(EPERM)',
      'PASS s.yaml:9 default: ALLOW',
    ]);
  });

  it('an off-by-one boundary fails with the boundary value', () => {
    const r = verify(GE_0X10, [
      '  - syscalls: [ioctl]\n    args: {1: {gt: 0x10}}\n    action: ALLOW',
      '  - syscalls: [ioctl]\n    action: ERRNO(EPERM)',
    ].join('\n'));
    expect(r.pass).toBe(false);
    expect(r.results[0].pass).toBe(true);
    const bad = r.results[1];
    expect(bad.pass).toBe(false);
    expect(bad.sampled).toBe(false);
    expect(bad.counterexample?.data.args[1]).toBe(0x10n);
    expect(summary(r)[1]).toBe('FAIL s.yaml:7 ioctl: ERRNO(EPERM): got ALLOW; counterexample: arch=x86_64 nr=16 args[1]=0x10');
  });

  it('masks: a JSET on the low half against {mask, eq} over 64 bits', () => {
    const jset = ioctlFilter([
      BPF_STMT(OP.LD_W_ABS, 32), // args[2].lo
      BPF_JUMP(OP.JMP_JSET_K, 0x10, 0, 1),
      BPF_STMT(OP.RET_K, ALLOW),
      BPF_STMT(OP.RET_K, EPERM),
    ]);
    const ok = verify(jset, '  - syscalls: [ioctl]\n    args: {2: {mask: 0x10, eq: 0x10}}\n    action: ALLOW\n  - syscalls: [ioctl]\n    action: deny');
    expect(ok.pass).toBe(true);
    expect(ok.results.every((x) => !x.sampled)).toBe(true);
    // Bit 36 is in the high half, which the filter never reads.
    const bad = verify(jset, '  - syscalls: [ioctl]\n    args: {2: {mask: 0x1000000000, eq: 0x1000000000}}\n    action: ALLOW');
    expect(bad.pass).toBe(false);
    const cx = bad.results[0].counterexample!;
    expect(cx.data.args[2] & 0x1000000000n).toBe(0x1000000000n);
    expect(cx.data.args[2] & 0x10n).toBe(0n);
  });

  it('an expectation that earlier ones shadow is not checked', () => {
    const r = verify(GE_0X10, '  - syscalls: [ioctl]\n    action: deny\n  - syscalls: [ioctl]\n    args: {1: 5}\n    action: ALLOW');
    expect(r.results[0].pass).toBe(false);
    expect(r.results[1].pass).toBe(true);
    expect(r.results[1].cases).toBe(0);
    expect(summary(r)[1]).toBe('PASS s.yaml:6 ioctl args[1] == 0x5: ALLOW (no input reaches it)');
  });
});

describe('verifySpec: foreign arches', () => {
  it('fails a filter that lets unknown arches through, with an arch value no one names', () => {
    const open: Insn[] = [
      BPF_STMT(OP.LD_W_ABS, 4),
      BPF_JUMP(OP.JMP_JEQ_K, AUDIT_ARCH_X86_64, 0, 1),
      BPF_STMT(OP.RET_K, EPERM),
      BPF_STMT(OP.RET_K, ALLOW),
    ];
    const r = verify(open, '  - foreign_arch: KILL_PROCESS\n  - x32: deny');
    expect(r.results[0].pass).toBe(false);
    const cx = r.results[0].counterexample!;
    expect(cx.abi).toBe('foreign');
    expect(cx.data.arch).not.toBe(AUDIT_ARCH_X86_64);
    expect(summary(r)[0]).toMatch(/^FAIL s\.yaml:4 foreign_arch: KILL_PROCESS: got ALLOW; counterexample: arch=0x[0-9a-f]+ nr=\d+/);
    expect(r.results[1].pass).toBe(true); // x32 callers say AUDIT_ARCH_X86_64 and get EPERM
  });
});

describe('verifySpec: sampled when the analysis cannot decide', () => {
  // ioctl: ALLOW when args[0].lo + args[1].lo == 0x100 (a computed value), else EPERM.
  const SUM = ioctlFilter([
    BPF_STMT(OP.LD_W_ABS, 16),
    BPF_STMT(OP.MISC_TAX, 0),
    BPF_STMT(OP.LD_W_ABS, 24),
    BPF_STMT(OP.ALU_ADD_X, 0),
    BPF_JUMP(OP.JMP_JEQ_K, 0x100, 0, 1),
    BPF_STMT(OP.RET_K, ALLOW),
    BPF_STMT(OP.RET_K, EPERM),
  ]);

  it('says "sampled" and still finds a counterexample from the constants', () => {
    const r = verify(SUM, '  - syscalls: [ioctl]\n    args: {0: 0}\n    action: deny');
    const x = r.results[0];
    expect(x.pass).toBe(false);
    expect(x.sampled).toBe(true);
    expect(x.counterexample?.data.args[0]).toBe(0n);
    expect(x.counterexample!.data.args[1] & 0xffffffffn).toBe(0x100n);
    expect(summary(r)[0]).toMatch(/^FAIL s\.yaml:4 ioctl args\[0\] == 0x0: deny \(sampled\): got ALLOW; counterexample: arch=x86_64 nr=16 args\[1\]=0x100$/);
  });

  it('is deterministic', () => {
    const a = summary(verify(SUM, '  - syscalls: [ioctl]\n    args: {0: {ge: 0x80}}\n    action: deny'));
    const b = summary(verify(SUM, '  - syscalls: [ioctl]\n    args: {0: {ge: 0x80}}\n    action: deny'));
    expect(a).toEqual(b);
  });
});

describe('verifySpec --engine kernel|both (stand-in kernel engines)', () => {
  const emu = emulatorEngine();
  /** Like the real kernel engine: the emulator's outcomes, but LOG and ALLOW look alike (no audit log) and cases it counts are recorded. */
  const sent: number[] = [];
  const faithful: Engine = {
    name: 'kernel',
    check: (stack, flags) => emu.check(stack, flags),
    run: (stack, cases) => {
      sent.push(cases.length);
      return emu.run(stack, cases).map((o): EngineOutcome => (o.kind === 'allowed' ? { kind: 'allowed', logged: false } : o));
    },
  };
  const answering = (o: EngineOutcome): Engine => ({ name: 'kernel', check: () => [], run: (_s, cases) => cases.map(() => o) });
  const SPEC = [
    '  - syscalls: [ioctl]\n    args: {1: {ge: 0x10}}\n    action: ALLOW',
    '  - syscalls: [ioctl]\n    action: ERRNO(EPERM)',
    '  - foreign_arch: KILL_PROCESS',
    '  - default: ALLOW',
  ].join('\n');

  it('the default engine is the emulator: no kernel counts, same lines', () => {
    const r = verify(GE_0X10, SPEC);
    expect(r.engine).toBe('emulator');
    expect(r.kernel).toBeUndefined();
    expect(r.results.every((x) => x.kernel === undefined)).toBe(true);
    expect(summary(verify(GE_0X10, SPEC, { engine: 'emulator' }))).toEqual(summary(r));
  });

  it('both, with a kernel that agrees: the same verdicts, every concrete case sent in one call per arch', () => {
    sent.length = 0;
    const r = verify(GE_0X10, SPEC, { engine: 'both', kernelEngine: faithful });
    expect(summary(r)).toEqual(summary(verify(GE_0X10, SPEC)));
    expect(r.pass).toBe(true);
    expect(sent).toHaveLength(1);
    expect(r.kernel).toEqual({ cases: sent[0], skipped: 0, disagree: 0 });
    // ioctl: a witness on each side of the bound; foreign: one unnamed arch, plus the ABIs this kernel runs; default: every syscall.
    expect(r.results.map((x) => x.kernel!.cases)).toEqual([expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number)]);
    expect(r.results.every((x) => x.kernel!.cases > 0)).toBe(true);
    expect(r.results[3].kernel!.cases).toBeGreaterThan(300);
    expect(formatKernelCounts(r.kernel!, 'both')).toBe(`kernel: ${sent[0]} cases, 0 skipped, 0 disagree`);
  });

  it('a counterexample carries what the kernel showed', () => {
    const r = verify(GE_0X10, '  - syscalls: [ioctl]\n    args: {1: {gt: 0x10}}\n    action: ALLOW\n  - syscalls: [ioctl]\n    action: ERRNO(EPERM)', { engine: 'kernel', kernelEngine: faithful });
    expect(summary(r)[1]).toBe('FAIL s.yaml:7 ioctl: ERRNO(EPERM): got ALLOW; kernel: runs; counterexample: arch=x86_64 nr=16 args[1]=0x10');
    const rec = resultRecord(r.results[1]) as { counterexample: Record<string, unknown>; kernel: unknown };
    expect(rec.counterexample.kernel).toEqual({ kind: 'allowed', logged: false });
    expect(rec.kernel).toEqual(r.results[1].kernel);
  });

  it('both: a kernel that disagrees fails the expectation with the case and both outcomes', () => {
    const r = verify(GE_0X10, SPEC, { engine: 'both', kernelEngine: answering({ kind: 'errno', errno: 1 }) });
    expect(r.pass).toBe(false);
    expect(r.kernel!.disagree).toBeGreaterThan(0);
    const first = summary(r)[0];
    expect(first).toMatch(/^FAIL s\.yaml:4 ioctl args\[1\] >= 0x10: ALLOW: emulator and kernel disagree: emulator: ALLOW \(runs\); kernel: errno 1; counterexample: arch=x86_64 nr=16 args\[1\]=0x/);
    expect(r.results[0].counterexample?.disagreement).toBe(true);
    expect((resultRecord(r.results[0]) as { counterexample: Record<string, unknown> }).counterexample.disagreement).toBe(true);
  });

  it('kernel: the kernel\'s outcome judges, so the same lying kernel passes ERRNO(EPERM) and fails ALLOW', () => {
    const r = verify(GE_0X10, SPEC, { engine: 'kernel', kernelEngine: answering({ kind: 'errno', errno: 1 }) });
    expect(r.results.map((x) => x.pass)).toEqual([false, true, false, false]);
    expect(summary(r)[0]).toMatch(/: got ALLOW; kernel: errno 1; counterexample: /);
  });

  it('skipped cases are counted and keep the emulator\'s judgement', () => {
    const skip = answering({ kind: 'skipped', reason: 'cannot make it here' });
    const ok = verify(GE_0X10, SPEC, { engine: 'both', kernelEngine: skip });
    expect(ok.pass).toBe(true);
    expect(ok.kernel!.skipped).toBe(ok.kernel!.cases);
    expect(formatKernelCounts(ok.kernel!, 'kernel')).toBe(`kernel: ${ok.kernel!.cases} cases, ${ok.kernel!.cases} skipped`);
    const bad = verify(GE_0X10, '  - syscalls: [ioctl]\n    action: ERRNO(EPERM)', { engine: 'kernel', kernelEngine: skip });
    expect(summary(bad)[0]).toMatch(/: got ALLOW; kernel: skipped \(cannot make it here\); counterexample: arch=x86_64 nr=16 args\[1\]=0x/);
  });

  it('a timeout or a refused install is a kernel failure', () => {
    for (const [o, text] of [[{ kind: 'timeout' }, 'timed out'], [{ kind: 'install_failed', errno: 'EINVAL' }, 'seccomp\\(2\\) refused the stack: EINVAL']] as const) {
      const r = verify(GE_0X10, '  - default: ALLOW', { engine: 'kernel', kernelEngine: answering(o) });
      expect(r.pass).toBe(false);
      expect(summary(r)[0]).toMatch(new RegExp(`: got ALLOW; kernel: ${text}`));
    }
  });

  it('LOG and ALLOW look alike on the kernel: the emulator settles "not ALLOW" when it shows the same outcome', () => {
    const logIoctl = ioctlFilter([BPF_STMT(OP.RET_K, SECCOMP_RET_LOG)]);
    const notAllow = verify(logIoctl, '  - syscalls: [ioctl]\n    action: not ALLOW', { engine: 'both', kernelEngine: faithful });
    expect(notAllow.pass).toBe(true);
    expect(notAllow.kernel!.disagree).toBe(0);
    const allow = verify(logIoctl, '  - syscalls: [ioctl]\n    action: ALLOW', { engine: 'kernel', kernelEngine: faithful });
    expect(summary(allow)[0]).toBe('FAIL s.yaml:4 ioctl: ALLOW: got LOG; kernel: runs; counterexample: arch=x86_64 nr=16');
    // "deny" needs no help: the syscall runs either way.
    expect(verify(logIoctl, '  - syscalls: [ioctl]\n    action: deny', { engine: 'kernel', kernelEngine: faithful }).pass).toBe(false);
  });

  it('is deterministic', () => {
    const a = verify(GE_0X10, SPEC, { engine: 'both', kernelEngine: faithful });
    const b = verify(GE_0X10, SPEC, { engine: 'both', kernelEngine: faithful });
    expect(JSON.stringify(a.results.map(resultRecord))).toBe(JSON.stringify(b.results.map(resultRecord)));
  });

  it('several confirming engines: all must hold; one runMany call each; counts per engine; the failing engine is named', () => {
    const many: number[] = [];
    const vmA: Engine = {
      ...faithful, name: 'vm:a', kernelArch: 'x64',
      runMany: (jobs) => (many.push(jobs.length), jobs.map((j) => faithful.run(j.stack, j.cases))),
    };
    const vmB: Engine = { ...answering({ kind: 'errno', errno: 1 }), name: 'vm:b' };
    sent.length = 0;
    const r = verify(GE_0X10, SPEC, { engine: 'both', engines: [vmA, vmB] });
    expect(many).toEqual([1]);
    expect(sent).toHaveLength(1);
    expect(r.pass).toBe(false);
    expect(r.confirmedBy).toEqual(['vm:a', 'vm:b']);
    expect(Object.keys(r.engines!)).toEqual(['vm:a', 'vm:b']);
    expect(r.engines!['vm:a'].disagree).toBe(0);
    expect(r.engines!['vm:b'].disagree).toBeGreaterThan(0);
    expect(r.kernel!.cases).toBe(r.engines!['vm:a'].cases + r.engines!['vm:b'].cases);
    expect(summary(r)[0]).toMatch(/: emulator and vm:b disagree: emulator: ALLOW \(runs\); vm:b: errno 1; counterexample: /);
    expect(r.results[0].counterexample?.engine).toBe('vm:b');
    expect((resultRecord(r.results[0]) as { counterexample: Record<string, unknown> }).counterexample.engine).toBe('vm:b');
    expect(formatEngineCounts(r)).toEqual([
      `vm:a: ${r.engines!['vm:a'].cases} cases, 0 skipped, 0 disagree`,
      `vm:b: ${r.engines!['vm:b'].cases} cases, 0 skipped, ${r.engines!['vm:b'].disagree} disagree`,
    ]);
    // One engine alone that is not the kernel: its name on the counts line.
    const one = verify(GE_0X10, SPEC, { engine: 'both', engines: [vmA] });
    expect(one.pass).toBe(true);
    expect(one.engines).toBeUndefined();
    expect(formatEngineCounts(one)).toEqual([`vm:a: ${one.kernel!.cases} cases, 0 skipped, 0 disagree`]);
  });
});
