// verifySpec on small filters: exact decisions on 64-bit argument
// conditions (ranges, masks, first-match order), the sampled fallback for
// conditions the analysis cannot decide, and counterexamples that the
// compiled filter confirms.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BPF_JUMP, BPF_STMT, encodeProgram, OP, type Insn } from 'unicorn-bpf-emulator';
import { parseSpec } from './spec.js';
import { formatResult, verifySpec, type VerifyResult } from './verify.js';

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

function verify(program: Insn[], expect: string): VerifyResult {
  const filter = join(dir, 'f.bpf');
  writeFileSync(filter, encodeProgram(program, 'little'));
  const text = `filter: f.bpf\narches: [x86_64]\nexpect:\n${expect}`;
  return verifySpec(parseSpec(text, join(dir, 's.yaml')));
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
