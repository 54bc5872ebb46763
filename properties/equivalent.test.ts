import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OP, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, insn, seccompDataFromWords, type Insn } from 'unicorn-bpf-emulator';
import { equivalent, program, stack } from './index.js';

const X86_64 = 0xc000003e;
const head: Insn[] = [insn(OP.LD_W_ABS, 0, 0, 4), insn(OP.JMP_JEQ_K, 1, 0, X86_64), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS), insn(OP.LD_W_ABS, 0, 0, 0)];
const DENY = SECCOMP_RET_ERRNO | 1;

/** ioctl allowed only when args[1] == 0x5401 (TCGETS) as a full 64-bit value; everything else allowed. */
const qword: Insn[] = [
  ...head,
  insn(OP.JMP_JEQ_K, 0, 5, 16), // ioctl?
  insn(OP.LD_W_ABS, 0, 0, 28), // args[1] high half
  insn(OP.JMP_JEQ_K, 0, 2, 0), // high half not 0: deny
  insn(OP.LD_W_ABS, 0, 0, 24), // args[1] low half
  insn(OP.JMP_JEQ_K, 1, 0, 0x5401),
  insn(OP.RET_K, 0, 0, DENY),
  insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW),
];
/** The same with a dword comparison: the high half of args[1] is never looked at. */
const dword: Insn[] = [
  ...head,
  insn(OP.JMP_JEQ_K, 0, 3, 16),
  insn(OP.LD_W_ABS, 0, 0, 24),
  insn(OP.JMP_JEQ_K, 1, 0, 0x5401),
  insn(OP.RET_K, 0, 0, DENY),
  insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW),
];

/** An allowlist of read, write, getpid with ptrace killed; default ERRNO(1). */
const allow: Insn[] = [
  ...head,
  insn(OP.JMP_JEQ_K, 0, 1, 0), insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW),
  insn(OP.JMP_JEQ_K, 0, 1, 1), insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW),
  insn(OP.JMP_JEQ_K, 0, 1, 101), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
  insn(OP.JMP_JEQ_K, 0, 1, 39), insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW),
  insn(OP.RET_K, 0, 0, DENY),
];
/** The ptrace test's false branch lands one instruction off: on ptrace's own KILL. */
const offByOne = allow.slice();
offByOne[8] = insn(OP.JMP_JEQ_K, 0, 0, 101);

function mustFind(name: string, prop: fc.IProperty<[unknown]> | fc.IPropertyWithHooks<never>, numRuns = 10_000): fc.RunDetails<unknown> {
  const t0 = performance.now();
  const r = fc.check(prop as fc.IProperty<unknown[]>, { numRuns }) as fc.RunDetails<unknown>;
  const ms = performance.now() - t0;
  expect(r.failed).toBe(true);
  console.log(`${name}: found after ${r.numRuns} runs (${r.numShrinks} shrinks), ${ms.toFixed(0)} ms, seed ${r.seed}; counterexample ${fc.stringify(r.counterexample)}`);
  expect(ms).toBeLessThan(10_000);
  return r;
}

describe('equivalent', () => {
  it('finds a dword comparison that ignores the high half of a 64-bit argument', () => {
    const r = mustFind('dword vs qword', equivalent(qword, dword));
    const [d] = r.counterexample as [{ nr: number; args: bigint[] }];
    expect(d.nr).toBe(16);
    expect(d.args[1] & 0xffffffffn).toBe(0x5401n);
    expect(d.args[1] >> 32n).not.toBe(0n);
  });

  it('uniform random data does not find the dword bug', () => {
    const uniform = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 16, maxLength: 16 }).map((w) => {
      const words = Uint32Array.from(w);
      words[1] = X86_64;
      return seccompDataFromWords(words);
    });
    const e1 = equivalent(qword, dword);
    const r = fc.check(fc.property(uniform, (d) => e1.run([d]) === null), { numRuns: 10_000, seed: 1 });
    expect(r.failed).toBe(false);
  });

  it('finds a jump that lands one instruction off', () => {
    mustFind('jump one off', equivalent(allow, offByOne));
  });

  it('holds for a filter and itself, and for a stack and its programs in one stack', () => {
    fc.assert(equivalent(qword, qword), { numRuns: 2_000 });
    fc.assert(equivalent([allow, qword], [allow, qword]), { numRuns: 1_000 });
    fc.assert(fc.property(program(), (p) => { fc.assert(equivalent(p, p), { numRuns: 20 }); }), { numRuns: 30 });
    fc.assert(fc.property(stack({ maxFilters: 3 }), (s) => { fc.assert(equivalent(s, s), { numRuns: 20 }); }), { numRuns: 20 });
  });
});
