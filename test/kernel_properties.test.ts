// The kernel-backed properties of seccheck/properties: installable() (every
// seccomp(2) call of a stack accepted, the kernel agreeing with the
// emulator step by step) and kernelAgrees() (same Outcome on generated
// seccomp_data, one kernel.run call per batch). Each must hold on corpus and
// random filters, and fail with a readable counterexample where it should.
// Fails, with the reason, when the kernel engine is unavailable.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BPF_JUMP, BPF_STMT, OP, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC_ESRCH, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SECCOMP_RET_ALLOW,
  SECCOMP_RET_ERRNO, type Insn, type Program, type SeccompData,
} from 'unicorn-bpf-emulator';
import { loadCorpusFilters } from '../emulator/src/__test-helpers__/corpus.js';
import { numRuns } from '../emulator/src/__test-helpers__/runs.js';
import { installable, installProblem } from '../properties/installable.js';
import { kernelAgrees, kernelAgreesBetween } from '../properties/kernelAgrees.js';
import { program, seccompData, stack } from '../properties/index.js';
import { requireKernelEngineForTests, sandboxStack } from './__test-helpers__/engines.js';

const corpus = loadCorpusFilters();
const byName = (name: string): Program => {
  const f = corpus.find((c) => c.name === name);
  if (!f) throw new Error(`corpus filter ${name} not found`);
  return f.program;
};
const DOCKER = 'docker-moby/x86_64/libseccomp-git-90d3f7d';
const ALLOW_ALL = 'libseccomp/01-sim-allow';

/** The message of a failed fc.check, or a failure of the test when the property held. */
function failureOf<T extends unknown[]>(p: fc.IPropertyWithHooks<T>, params: fc.Parameters<T> = {}): string {
  const r = fc.check(p, params);
  if (!r.failed) throw new Error(`the property held over ${r.numRuns} runs`);
  const e = r.errorInstance;
  return e instanceof Error ? e.message : String(e);
}

/** A valid program of `n` instructions that allows everything (n - 1 loads, then RET ALLOW). */
const allowOf = (n: number): Insn[] => [...Array.from({ length: n - 1 }, () => BPF_STMT(OP.LD_IMM, 0)), BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW)];

/** Cases kernelAgrees drew (including shrinking) and the time spent, for the figures printed at the end. */
const figures = { cases: 0, ms: 0 };
const counted = (arb: fc.Arbitrary<SeccompData>): fc.Arbitrary<SeccompData> => arb.map((d) => (figures.cases++, d));

beforeAll(() => {
  requireKernelEngineForTests();
});

afterAll(() => {
  if (figures.ms > 0) console.log(`kernelAgrees: ${figures.cases} seccomp_data in ${figures.ms.toFixed(0)} ms (${Math.round(figures.cases / (figures.ms / 1000))} cases/s, emulator and kernel)`);
});

describe('installable', () => {
  const names = corpus.filter((c) => c.name.startsWith('libseccomp/') || c.name.startsWith('docker-moby/x86_64/')).map((c) => c.name);
  it('holds for every libseccomp and x86_64 Docker corpus filter, emulator and kernel agreeing', () => {
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) fc.assert(installable([byName(n)], 0, { engine: 'both' }), { numRuns: 1 });
  });

  it('holds for a stack with per-program flags (allow-all with TSYNC, then Docker with LOG|SPEC_ALLOW)', () => {
    fc.assert(installable([byName(ALLOW_ALL), byName(DOCKER)], [SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW]));
  });

  it('holds for random stacks as a sandbox loads them (stack(), every filter but the newest lets seccomp through)', () => {
    fc.assert(installable(stack({ maxFilters: 4 }).map(sandboxStack)), { numRuns: numRuns(40) });
  });

  it('random stacks as drawn: refused or not, both engines say the same at every step', () => {
    // Earlier filters judge each later seccomp(2) call (KILL, TRAP, ERRNO of seccomp itself); the emulator must say what the kernel does.
    let refused = 0;
    fc.assert(
      fc.property(stack({ maxFilters: 4 }), (s) => {
        const problem = installProblem(s, 0, 'both');
        if (problem?.startsWith('emulator and kernel disagree')) throw new Error(problem);
        if (problem !== null) refused++;
      }),
      { numRuns: numRuns(60) },
    );
    console.log(`random stacks: ${refused} of ${numRuns(60)} refused (in both engines alike)`);
  });

  it('fails for a stack past MAX_INSNS_PER_PATH: ENOMEM at the same step in both', () => {
    const msg = failureOf(installable(Array.from({ length: 9 }, () => allowOf(4096))));
    expect(msg).toMatch(/^not installable: seccomp\(2\) refused in both: emulator: ENOMEM \(path_length: .*\); kernel: ENOMEM, at step \d \(program \d of 9, 4096 instructions, flags 0\)$/);
  });

  it('fails for TSYNC|NEW_LISTENER without TSYNC_ESRCH: EINVAL in both, with the flags named', () => {
    const msg = failureOf(installable([byName(DOCKER)], SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER));
    expect(msg).toBe(
      'not installable: seccomp(2) refused in both: emulator: EINVAL (tsync_listener: TSYNC with NEW_LISTENER needs TSYNC_ESRCH); kernel: EINVAL, '
        + `at step 0 (program 0 of 1, ${byName(DOCKER).length} instructions, flags 0x9 (TSYNC|NEW_LISTENER))`,
    );
    // With TSYNC_ESRCH the same call is accepted.
    fc.assert(installable([byName(DOCKER)], SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH));
  });

  it('fails at the step whose per-program flags are bad (WAIT_KILLABLE_RECV without NEW_LISTENER on the second call)', () => {
    const msg = failureOf(installable([byName(ALLOW_ALL), byName(ALLOW_ALL)], [0, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV]));
    expect(msg).toMatch(/refused in both: emulator: EINVAL \(wait_killable_recv: .*\); kernel: EINVAL, at step 1 \(program 1 of 2, .*flags 0x20 \(WAIT_KILLABLE_RECV\)\)$/);
  });

  it('engine: both by default where the kernel runs; kernel alone; emulator alone', () => {
    const bad = [byName(DOCKER)];
    const flags = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER;
    expect(failureOf(installable(bad, flags))).toMatch(/refused in both: emulator: EINVAL .*; kernel: EINVAL/);
    expect(failureOf(installable(bad, flags, { engine: 'kernel' }))).toMatch(/^not installable: seccomp\(2\) refused by the kernel: EINVAL, at step 0 /);
    expect(failureOf(installable(bad, flags, { engine: 'emulator' }))).toMatch(/^not installable: seccomp\(2\) refused by the emulator: EINVAL \(tsync_listener: /);
    // Unknown flag bits: EINVAL from both.
    expect(failureOf(installable(bad, 1 << 12))).toMatch(/refused in both: emulator: EINVAL \(flags: unknown filter flags 0x1000\); kernel: EINVAL, .*flags 0x1000 \(0x1000\)\)$/);
  });

  it('fails when an earlier filter denies seccomp(2) itself', () => {
    const denySeccomp: Insn[] = [BPF_STMT(OP.LD_W_ABS, 0), BPF_JUMP(OP.JMP_JEQ_K, 317, 0, 1), BPF_STMT(OP.RET_K, (SECCOMP_RET_ERRNO | 13) >>> 0), BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW)];
    const msg = failureOf(installable([denySeccomp, byName(ALLOW_ALL)], 0, { engine: 'both' }));
    expect(msg).toMatch(/refused in both: emulator: EACCES \(seccomp_filtered: .*\); kernel: EACCES, at step 1 /);
    expect(failureOf(installable([denySeccomp, byName(ALLOW_ALL)], 0, { engine: 'emulator' }))).toMatch(/refused by the emulator: EACCES/);
  });
});

describe('kernelAgrees', () => {
  const timed = (f: () => void): void => {
    const t = performance.now();
    f();
    figures.ms += performance.now() - t;
  };

  for (const name of [DOCKER, 'libseccomp/12-sim-basic_masked_ops', 'libseccomp/16-sim-arch_basic', 'libseccomp/30-sim-socket_syscalls']) {
    it(`holds for ${name} on x86_64 data guided by the filter`, () => {
      const p = byName(name);
      timed(() => fc.assert(kernelAgrees(p, { data: counted(seccompData({ arch: 'x86_64', filter: p })) }), { numRuns: numRuns(15) }));
    });
  }

  it('holds for the Docker filter on i386 (int 0x80) and x32 data', () => {
    const p = byName(DOCKER);
    timed(() => {
      for (const arch of ['x86', 'x32']) fc.assert(kernelAgrees(p, { arch, data: counted(seccompData({ arch, filter: p })) }), { numRuns: numRuns(8) });
    });
  });

  it('holds for random program() filters and stacks', () => {
    const programs = fc.sample(program({ maxRules: 10 }), { numRuns: 8, seed: 0x5ecc });
    const stacks = fc.sample(stack({ maxFilters: 3 }).map(sandboxStack), { numRuns: 4, seed: 0x5ecd });
    timed(() => {
      for (const p of [...programs.map((x) => [x]), ...stacks]) {
        fc.assert(kernelAgrees(p, { data: counted(seccompData({ arch: 'x86_64', filter: p })) }), { numRuns: numRuns(6) });
      }
    });
  });

  it('would fail if the emulator were wrong: a dword check that ignores the high half, found as a concrete seccomp_data', () => {
    // Kernel: ioctl(_, 0x5401) gets ERRNO(1) only when the whole 64-bit args[1] is 0x5401; the "emulator" side ignores the high half.
    const full: Insn[] = [
      BPF_STMT(OP.LD_W_ABS, 0), BPF_JUMP(OP.JMP_JEQ_K, 16, 0, 4),
      BPF_STMT(OP.LD_W_ABS, 0x1c), BPF_JUMP(OP.JMP_JEQ_K, 0, 0, 2),
      BPF_STMT(OP.LD_W_ABS, 0x18), BPF_JUMP(OP.JMP_JEQ_K, 0x5401, 1, 0),
      BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW), BPF_STMT(OP.RET_K, (SECCOMP_RET_ERRNO | 1) >>> 0),
    ];
    const lowOnly: Insn[] = [
      BPF_STMT(OP.LD_W_ABS, 0), BPF_JUMP(OP.JMP_JEQ_K, 16, 0, 2),
      BPF_STMT(OP.LD_W_ABS, 0x18), BPF_JUMP(OP.JMP_JEQ_K, 0x5401, 1, 0),
      BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW), BPF_STMT(OP.RET_K, (SECCOMP_RET_ERRNO | 1) >>> 0),
    ];
    const t = performance.now();
    const msg = failureOf(kernelAgreesBetween(full, lowOnly, { arch: 'x86_64' }), { seed: 42, numRuns: numRuns(100) });
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(msg).toMatch(/^emulator and kernel disagree on x86_64 nr=16 args=\[0x[0-9a-f]+,0x[0-9a-f]*5401,.*: emulator: errno 1; kernel: (allowed|.*)$/);
    const a1 = BigInt(/args=\[[^,]+,(0x[0-9a-f]+),/.exec(msg)![1]);
    expect(a1 & 0xffffffffn).toBe(0x5401n);
    expect(a1 >> 32n).not.toBe(0n);
    // And the same helper holds when both sides run the same filter.
    fc.assert(kernelAgreesBetween(full, full, { arch: 'x86_64' }), { seed: 42, numRuns: numRuns(20) });
  });

  it('refuses what the kernel cannot compare: a foreign arch, a filter that reads instruction_pointer, a stack that does not install', () => {
    expect(() => kernelAgrees(byName(DOCKER), { arch: 'aarch64' })).toThrow(/this kernel cannot make aarch64 syscalls \(it runs x86, x86_64, x32\)/);
    const readsIp = [BPF_STMT(OP.LD_W_ABS, 8), BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW)];
    expect(() => kernelAgrees(readsIp)).toThrow(/loads instruction_pointer/);
    expect(() => kernelAgrees([BPF_STMT(OP.LD_W_ABS, 1), BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW)])).toThrow(/does not install: program 0: EINVAL/);
  });
});
