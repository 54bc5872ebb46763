// seccheck fuzz as a real process: a planted bug fails fast with a replayable
// counterexample, a correct filter passes, bad input exits 2, runs are
// deterministic; --spec turns a spec's expectations into properties;
// --engine both checks the emulator against the running kernel (and fails,
// with the reason, when the kernel engine is unavailable).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeProgram, insn, OP, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, type Insn } from 'unicorn-bpf-emulator';
import { requireCorpus } from '../emulator/src/__test-helpers__/corpus.js';
import type { Engine, EngineOutcome } from '../src/engines/engine.js';
import { ensureBuilt, lines, runCli } from './__test-helpers__/cli.js';
import { requireKernelEngineForTests } from './__test-helpers__/engines.js';

let dir: string;
let planted: string;
let dwordSpec: string;
let goodSpec: string;

/** An x86_64 allowlist that clears the x32 bit before dispatching, without killing x32 numbers first. */
function noX32Guard(): Insn[] {
  const p: Insn[] = [insn(OP.LD_W_ABS, 0, 0, 4), insn(OP.JMP_JEQ_K, 1, 0, 0xc000003e), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS), insn(OP.LD_W_ABS, 0, 0, 0), insn(OP.ALU_AND_K, 0, 0, 0xbfffffff)];
  for (const nr of [0, 1, 39, 60, 231]) p.push(insn(OP.JMP_JEQ_K, 0, 1, nr), insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW));
  p.push(insn(OP.RET_K, 0, 0, SECCOMP_RET_ERRNO | 1));
  return p;
}

/**
 * ioctl (16) on x86_64 behind an arch check and an x32 guard: allowed when
 * args[1] is 0x5401, else EPERM; every other syscall allowed. Without
 * `full`, only the low half of args[1] is compared (the dword bug).
 */
function ioctlFilter(full: boolean): Insn[] {
  const low = [insn(OP.LD_W_ABS, 0, 0, 24), insn(OP.JMP_JEQ_K, 0, 1, 0x5401), insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW), insn(OP.RET_K, 0, 0, SECCOMP_RET_ERRNO | 1)];
  const tail = full ? [insn(OP.LD_W_ABS, 0, 0, 28), insn(OP.JMP_JEQ_K, 0, 3, 0), ...low] : low;
  return [
    insn(OP.LD_W_ABS, 0, 0, 4), insn(OP.JMP_JEQ_K, 1, 0, 0xc000003e), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
    insn(OP.LD_W_ABS, 0, 0, 0), insn(OP.JMP_JGE_K, 0, 1, 0x40000000), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
    insn(OP.JMP_JEQ_K, 0, tail.length, 16),
    ...tail,
    insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW),
  ];
}

/** Everything after "replay: seccheck " as argv (the test's paths need no quoting). */
const replayArgs = (stdout: string): string[] => {
  const m = /replay: seccheck (.*)$/m.exec(stdout);
  expect(m).not.toBeNull();
  return m![1].split(' ');
};
const withoutTiming = (s: string): string => s.replace(/[0-9,]+ cases\/s/g, 'N cases/s').replace(/\(\d+ ms\)/g, '(N ms)');

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'seccheck-fuzz-'));
  planted = join(dir, 'no-x32-guard.bpf');
  writeFileSync(planted, encodeProgram(noX32Guard()));
  // A spec beside its filters in a folder of its own: "filter" is relative to the spec file.
  mkdirSync(join(dir, 'specs'));
  writeFileSync(join(dir, 'specs', 'dword-bug.bpf'), encodeProgram(ioctlFilter(false)));
  writeFileSync(join(dir, 'specs', 'dword-right.bpf'), encodeProgram(ioctlFilter(true)));
  const specText = (filter: string): string => [
    `filter: ${filter}`,
    'arches: [x86_64]',
    'expect:',
    '  - syscalls: [ioctl]',
    '    args: {1: 0x5401}',
    '    action: ALLOW',
    '  - syscalls: [ioctl]',
    '    action: ERRNO(EPERM)',
    '  - foreign_arch: KILL_PROCESS',
    '  - x32: deny',
    '  - default: ALLOW',
    '',
  ].join('\n');
  dwordSpec = join(dir, 'specs', 'dword.yaml');
  writeFileSync(dwordSpec, specText('dword-bug.bpf'));
  goodSpec = join(dir, 'specs', 'right.yaml');
  writeFileSync(goodSpec, specText('dword-right.bpf'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seccheck fuzz', () => {
  it('finds a missing x32 guard quickly, with a shrunk counterexample and a replay command', () => {
    const t0 = Date.now();
    const r = runCli(['fuzz', planted, '--seed', '12345', '--runs', '100000']);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL x32: /);
    const m = /counterexample \(shrunk in \d+ steps\): nr=(0x[0-9a-f]+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1]) & 0x40000000).not.toBe(0);
    const args = replayArgs(r.stdout);
    expect(args).toEqual(expect.arrayContaining(['--seed', '12345', '--runs']));
    const again = runCli(args);
    expect(again.code).toBe(1);
    const counter = (s: string): string => /counterexample.*\n.*\n.*first failing case.*/.exec(s)![0];
    expect(counter(again.stdout)).toBe(counter(r.stdout));
    expect(replayArgs(again.stdout)).toEqual(args);
  });

  it('passes a correct filter', () => {
    const r = runCli(['fuzz', 'examples/deny-getpid.bpf', '--runs', '2000', '--seed', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: x32, arch, i386 held on 2000 cases \(seed 3, /);
    expect(r.stdout).toMatch(/coverage: \d+\/\d+ branch edges/);
  });

  it('is deterministic for a seed', () => {
    const a = runCli(['fuzz', planted, '--seed', '99', '--runs', '50000']);
    const b = runCli(['fuzz', planted, '--seed', '99', '--runs', '50000']);
    expect(a.code).toBe(1);
    expect(withoutTiming(b.stdout)).toBe(withoutTiming(a.stdout));
    const c = runCli(['fuzz', 'examples/deny-getpid.bpf', '--seed', '99', '--runs', '3000', '--properties', 'x32,arch']);
    const d = runCli(['fuzz', 'examples/deny-getpid.bpf', '--seed', '99', '--runs', '3000', '--properties', 'x32,arch']);
    expect(c.code).toBe(0);
    expect(withoutTiming(d.stdout)).toBe(withoutTiming(c.stdout));
  });

  it('exits 2 on bad input, with one line on stderr', () => {
    const bad = (args: string[], pattern: RegExp): void => {
      const r = runCli(['fuzz', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    };
    bad([join(dir, 'missing.bpf')], /^seccheck: /);
    bad(['examples/deny-getpid.bpf', '--runs', 'lots'], /--runs/);
    bad(['examples/deny-getpid.bpf', '--time', 'soon'], /--time/);
    bad(['examples/deny-getpid.bpf', '--time', '1s', '--runs', '5'], /not both/);
    bad(['examples/deny-getpid.bpf', '--seed', 'x'], /--seed/);
    bad(['examples/deny-getpid.bpf', '--properties', 'x32,nope'], /unknown property "nope"/);
    bad(['examples/deny-getpid.bpf', '--arch', 'vax'], /--arch/);
    bad(['examples/deny-getpid.bpf', '--engine', 'kernel'], /--engine.*'kernel' is invalid/);
    bad(['examples/deny-getpid.bpf', '--kernel-every', '2'], /--kernel-every: only with --engine both/);
    bad(['examples/deny-getpid.bpf', '--properties', 'spec'], /spec needs --spec/);
    bad([], /missing the filter/);
    bad(['--spec', join(dir, 'missing.yaml')], /missing\.yaml: cannot read/);
    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'arches: [x86_64]\nexpect:\n  - syscalls: [nosuch]\n    action: ALLOW\n');
    bad(['examples/deny-getpid.bpf', '--spec', unknown], /unknown\.yaml:3: unknown syscall "nosuch"/);
    const noFilter = join(dir, 'no-filter.yaml');
    writeFileSync(noFilter, 'arches: [x86_64]\nexpect:\n  - default: ALLOW\n');
    bad(['--spec', noFilter], /no-filter\.yaml: the spec names no filter/);
    bad(['--spec', goodSpec, '--arch', 'x86_64'], /--arch: not with --spec/);
  });

  it('passes the corpus filter that handles x32 on purpose (libseccomp 23), also with x32 named explicitly', () => {
    const f = join(requireCorpus(), 'libseccomp', '23-sim-arch_all_le_basic', 'filter.bpf');
    const r = runCli(['fuzz', f, '--runs', '30000', '--seed', '4']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: x32, arch, i386 held on 30000 cases/);
    const x32 = runCli(['fuzz', f, '--runs', '3000', '--seed', '4', '--properties', 'x32']);
    expect(x32.code).toBe(0);
  });

  it('draws the progress bar on stderr with --progress', () => {
    const r = runCli(['fuzz', 'examples/deny-getpid.bpf', '--runs', '3000', '--seed', '1', '--progress']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/fuzz \|.*\| 3,000 of 3,000 cases \| [0-9,]+ cases\/s \| edges \d+\/\d+ /);
  });
});

describe('seccheck fuzz --spec', () => {
  it('finds the dword bug as a break of the expectation, with its line, in under 10 s; the replay reproduces it', () => {
    const t0 = Date.now();
    const r = runCli(['fuzz', '--spec', dwordSpec, '--seed', '8', '--runs', '200000']);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL .*dword\.yaml:7 ioctl: ERRNO\(EPERM\) \(on x86_64\)\n/);
    const m = /counterexample \(shrunk in \d+ steps\): nr=0x10 \(16\) arch=0xc000003e \(x86_64\) ip=0x0 args=\[0x0, (0x[0-9a-f]+),/.exec(r.stdout);
    expect(m).not.toBeNull();
    const a1 = BigInt(m![1]);
    expect(a1 & 0xffffffffn).toBe(0x5401n);
    expect(a1 >> 32n).not.toBe(0n);
    expect(r.stdout).toMatch(/x86_64 nr 16 got ALLOW, expected ERRNO\(EPERM\)/);
    const args = replayArgs(r.stdout);
    expect(args.slice(0, 3)).toEqual(['fuzz', '--spec', dwordSpec]);
    const again = runCli(args);
    expect(again.code).toBe(1);
    const counter = (s: string): string => /counterexample.*\n.*\n.*first failing case.*/.exec(s)![0];
    expect(counter(again.stdout)).toBe(counter(r.stdout));
  });

  it('passes a filter that does what its spec says, with the cases each expectation decided; FILTER overrides the spec\'s', () => {
    const r = runCli(['fuzz', '--spec', goodSpec, '--seed', '3', '--runs', '20000']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: 5 expectations of .*right\.yaml held on 20000 cases \(seed 3, /);
    expect(r.stdout).toMatch(/right\.yaml:4 ioctl args\[1\] == 0x5401: ALLOW: [1-9][0-9,]* cases/);
    expect(r.stdout).toMatch(/right\.yaml:10 x32: deny: [1-9][0-9,]* cases/);
    const override = runCli(['fuzz', join(dir, 'specs', 'dword-bug.bpf'), '--spec', goodSpec, '--seed', '3', '--runs', '200000']);
    expect(override.code).toBe(1);
    expect(override.stdout).toMatch(/replay: seccheck fuzz \S+dword-bug\.bpf --spec /);
  });

  it('is deterministic for a seed, and runs the built-in properties only when named', () => {
    const a = runCli(['fuzz', '--spec', goodSpec, '--seed', '77', '--runs', '10000']);
    const b = runCli(['fuzz', '--spec', goodSpec, '--seed', '77', '--runs', '10000']);
    expect(a.code).toBe(0);
    expect(withoutTiming(b.stdout)).toBe(withoutTiming(a.stdout));
    const both = runCli(['fuzz', '--spec', goodSpec, '--seed', '77', '--runs', '10000', '--properties', 'spec,x32,i386']);
    expect(both.code).toBe(0);
    expect(both.stdout).toMatch(/^ok: 5 expectations of \S+, x32, i386 held/);
  });
});

describe('seccheck fuzz --engine both', () => {
  beforeAll(() => requireKernelEngineForTests());

  it('agrees with the kernel on a corpus filter and reports the kernel cases', () => {
    const f = join(requireCorpus(), 'compiled', 'docker-moby', 'x86_64', 'libseccomp-git-90d3f7d', 'filter.bpf');
    const r = runCli(['fuzz', f, '--engine', 'both', '--runs', '6144', '--seed', '21']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = /kernel: ([0-9,]+) cases compared with the kernel, 0 disagree, [0-9,]+ cases\/s on the kernel; skipped: ([0-9,]+) not a host ABI, ([0-9,]+) by the kernel engine/.exec(r.stdout);
    expect(m).not.toBeNull();
    const n = (s: string): number => Number(s.replace(/,/g, ''));
    expect(n(m![1])).toBeGreaterThan(2000);
    expect(n(m![1]) + n(m![2]) + n(m![3])).toBe(6144); // --runs this small: every case goes to the kernel
    expect(r.stdout).toMatch(/replay: .* --engine both --kernel-every 1/);
  });

  it('checks a spec\'s inputs on the kernel too', () => {
    const r = runCli(['fuzz', '--spec', goodSpec, '--engine', 'both', '--runs', '4096', '--seed', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kernel: [1-9][0-9,]* cases compared with the kernel, 0 disagree/);
  });
});

describe('seccheck fuzz --engine both, in process with a stand-in kernel', () => {
  afterEach(() => {
    vi.doUnmock('../src/engines/kernel.js');
    vi.resetModules();
  });
  const mainWith = async (mock: (real: typeof import('../src/engines/kernel.js')) => Record<string, unknown>, args: string[]) => {
    vi.resetModules();
    vi.doMock('../src/engines/kernel.js', async (importOriginal) => {
      const real = await importOriginal<typeof import('../src/engines/kernel.js')>();
      return { ...real, ...mock(real) };
    });
    const { main } = await import('../src/cli/main.js');
    let out = '';
    let err = '';
    const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
    return { code, out, err };
  };

  it('exits 2 with one line when the kernel engine is unavailable', async () => {
    const r = await mainWith(() => ({ kernelAvailability: () => ({ ok: false, reason: 'no probe here (test)' }) }), ['fuzz', 'examples/deny-getpid.bpf', '--engine', 'both', '--runs', '100']);
    expect(r.code).toBe(2);
    expect(lines(r.err)).toEqual(['seccheck: the kernel engine is unavailable: no probe here (test)']);
    expect(r.out).toBe('');
  });

  it('fails on a disagreement with the concrete seccomp_data and both outcomes', async () => {
    // A kernel that answers i386 calls 0..63 with EPERM, where the filter kills every i386 call; agrees on everything else.
    const crafted: Engine = {
      name: 'kernel',
      check: () => [],
      run: (stack, cases) => {
        return cases.map((c): EngineOutcome => (c.arch.name === 'x86' && c.nr >= 0 && c.nr < 64 ? { kind: 'errno', errno: 1 } as EngineOutcome : realRun(stack, [c])[0]));
      },
    };
    const { emulator } = await import('../src/engines/emulator.js');
    const realRun = (stack: Parameters<Engine['run']>[0], cases: Parameters<Engine['run']>[1]) => emulator.run(stack, cases);
    const r = await mainWith(() => ({ kernel: crafted, kernelAvailability: () => ({ ok: true }) }), ['fuzz', 'examples/deny-getpid.bpf', '--engine', 'both', '--runs', '8192', '--seed', '5']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL emulator and kernel disagree \(property \w+'s inputs\)\n/);
    expect(r.out).toMatch(/counterexample \(shrunk in \d+ steps\): nr=0x0 \(0\) arch=0x40000003 \(x86\) ip=0x0 args=\[0x0, 0x0, 0x0, 0x0, 0x0, 0x0\]\n    x86 case: emulator killed by SIGSYS \(process\), kernel errno 1/);
    expect(r.out).toMatch(/replay: seccheck fuzz examples\/deny-getpid\.bpf --seed 5 --runs \d+ .*--engine both --kernel-every 1/);
  });
});
