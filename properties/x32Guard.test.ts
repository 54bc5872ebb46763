import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OP, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, insn, type Insn } from 'unicorn-bpf-emulator';
import { alwaysAction, archGuard, i386Handled, x32Guard } from './index.js';

const X86_64 = 0xc000003e;
/**
 * An allowlist for x86_64 (read, write, getpid, exit_group; default
 * ERRNO(1)) whose dispatch clears the x32 bit first (as filters sharing rules
 * with x32 numbers do). With `guard`, x32 numbers are killed before that.
 */
function allowlist(guard: boolean): Insn[] {
  const p: Insn[] = [
    insn(OP.LD_W_ABS, 0, 0, 4),
    insn(OP.JMP_JEQ_K, 1, 0, X86_64),
    insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
    insn(OP.LD_W_ABS, 0, 0, 0),
  ];
  if (guard) p.push(insn(OP.JMP_JGE_K, 0, 1, 0x40000000), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS));
  p.push(insn(OP.ALU_AND_K, 0, 0, 0xbfffffff));
  for (const nr of [0, 1, 39, 231]) p.push(insn(OP.JMP_JEQ_K, 0, 1, nr), insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW));
  p.push(insn(OP.RET_K, 0, 0, SECCOMP_RET_ERRNO | 1));
  return p;
}

describe('x32Guard', () => {
  it('finds an allowlist missing its x32 guard', () => {
    const t0 = performance.now();
    const r = fc.check(x32Guard(allowlist(false)), { numRuns: 10_000 });
    const ms = performance.now() - t0;
    expect(r.failed).toBe(true);
    console.log(`x32Guard: found after ${r.numRuns} runs, ${ms.toFixed(0)} ms, seed ${r.seed}; counterexample ${fc.stringify(r.counterexample)}`);
    expect(ms).toBeLessThan(10_000);
  });

  it('passes on the allowlist with its x32 guard, and the other guards hold', () => {
    const f = allowlist(true);
    fc.assert(x32Guard(f), { numRuns: 2_000 });
    fc.assert(archGuard(f, { allowed: ['x86_64'], action: 'KILL_PROCESS' }), { numRuns: 2_000 });
    fc.assert(i386Handled(f), { numRuns: 1_000 });
    fc.assert(alwaysAction(f, { arch: 'x86_64', syscall: 'getpid' }, 'ALLOW'), { numRuns: 1_000 });
    fc.assert(alwaysAction(f, { arch: 'x86_64', syscall: 'ptrace' }, 'ERRNO(EPERM)'), { numRuns: 1_000 });
    fc.assert(alwaysAction(f, { arch: 'x86_64', syscall: 'execve' }, 'deny'), { numRuns: 1_000 });
  });

  it('alwaysAction and i386Handled fail where they should', () => {
    const f = allowlist(true);
    expect(fc.check(alwaysAction(f, { arch: 'x86_64', syscall: 'ptrace' }, 'ALLOW'), { numRuns: 100 }).failed).toBe(true);
    // Letting i386 through to the x86_64 dispatch: i386 numbers judged as x86_64 ones.
    const loose = f.slice();
    loose[1] = insn(OP.JMP_JEQ_K, 2, 0, X86_64);
    loose.splice(2, 0, insn(OP.JMP_JEQ_K, 1, 0, 0x40000003));
    const r = fc.check(i386Handled(loose), { numRuns: 2_000 });
    expect(r.failed).toBe(true);
    console.log(`i386Handled: found after ${r.numRuns} runs; counterexample ${fc.stringify(r.counterexample)}`);
  });
});
