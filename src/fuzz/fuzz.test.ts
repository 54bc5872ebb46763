import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OP, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, archByName, decodeProgram, insn, type ArchInfo, type Insn } from 'unicorn-bpf-emulator';
import { requireCorpus } from '../../emulator/src/__test-helpers__/corpus.js';
import type { Engine, EngineOutcome } from '../engines/engine.js';
import { parseSpec } from '../spec/spec.js';
import { DEFAULT_KERNEL_EVERY, defaultKernelEvery, kernelDifferential } from './differential.js';
import { batchSeed, defaultProperties, defaultPropertyPlan, dispatchedX32Numbers, fuzz, makeProperty, namedArches, x32Stance } from './fuzz.js';
import { interestingValues, specProperties } from './spec.js';

const X86_64 = 0xc000003e;
const x86_64 = archByName('x86_64') as ArchInfo;

/** An x86_64 allowlist whose dispatch clears the x32 bit; with `guard`, x32 numbers are killed first. */
function allowlist(guard: boolean): Insn[] {
  const p: Insn[] = [insn(OP.LD_W_ABS, 0, 0, 4), insn(OP.JMP_JEQ_K, 1, 0, X86_64), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS), insn(OP.LD_W_ABS, 0, 0, 0)];
  if (guard) p.push(insn(OP.JMP_JGE_K, 0, 1, 0x40000000), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS));
  p.push(insn(OP.ALU_AND_K, 0, 0, 0xbfffffff));
  for (const nr of [0, 1, 39, 231]) p.push(insn(OP.JMP_JEQ_K, 0, 1, nr), insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW));
  p.push(insn(OP.RET_K, 0, 0, SECCOMP_RET_ERRNO | 1));
  return p;
}

const run = (program: Insn[], seed: number, runs: number) =>
  fuzz(defaultProperties(x86_64).map((n) => makeProperty(n, [program], x86_64)), { seed, runs });

describe('fuzz', () => {
  it('finds a missing x32 guard, shrinks it, and the shrunk case has the x32 bit', () => {
    const r = run(allowlist(false), 7, 100_000);
    expect(r.failure).not.toBeNull();
    const f = r.failure!;
    expect(f.property).toBe('x32');
    expect(f.shrunk.data.nr & 0x40000000).not.toBe(0);
    expect(f.shrunk.message).toMatch(/got ALLOW/);
    expect(r.cases).toBe(f.caseIndex);
    expect(r.cases).toBeLessThan(10_000);
  });

  it('is deterministic, and a shorter budget replays a prefix', () => {
    const a = run(allowlist(false), 42, 50_000);
    const b = run(allowlist(false), 42, 50_000);
    expect(a.failure).not.toBeNull();
    expect(b.failure!.caseIndex).toBe(a.failure!.caseIndex);
    expect([...b.failure!.shrunk.words]).toEqual([...a.failure!.shrunk.words]);
    const c = run(allowlist(false), 42, a.failure!.caseIndex);
    expect(c.failure!.caseIndex).toBe(a.failure!.caseIndex);
    expect([...c.failure!.original.words]).toEqual([...a.failure!.original.words]);
  });

  it('passes on the guarded allowlist and measures edge coverage', () => {
    const r = run(allowlist(true), 1, 20_000);
    expect(r.failure).toBeNull();
    expect(r.cases).toBe(20_000);
    expect(r.edges.total).toBeGreaterThan(0);
    expect(r.edges.hit).toBeGreaterThan(0);
  });

  it('names the arches a filter compares against, and mixes batch seeds', () => {
    const p = allowlist(true);
    p.splice(1, 0, insn(OP.JMP_JEQ_K, 0, 0, 0x40000003));
    expect(namedArches([p]).map((a) => a.name).sort()).toEqual(['x86', 'x86_64']);
    expect(new Set([0, 1, 2, 3].map((b) => batchSeed(5, b))).size).toBe(4);
  });
});

const corpusFilter = (name: string): Insn[] =>
  decodeProgram(readFileSync(join(requireCorpus(), 'libseccomp', name, 'filter.bpf')));

/** An x86_64 filter that dispatches x32 numbers too: allowlist (unknown denied) or denylist (unknown allowed). */
function x32Aware(deny: boolean): Insn[] {
  const other = deny ? SECCOMP_RET_ALLOW : SECCOMP_RET_ERRNO | 1;
  const hit = deny ? SECCOMP_RET_ERRNO | 1 : SECCOMP_RET_ALLOW;
  return [
    insn(OP.LD_W_ABS, 0, 0, 4), insn(OP.JMP_JEQ_K, 1, 0, X86_64), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
    insn(OP.LD_W_ABS, 0, 0, 0),
    insn(OP.JMP_JEQ_K, 0, 1, 101), insn(OP.RET_K, 0, 0, hit), // ptrace
    insn(OP.JMP_JEQ_K, 0, 1, 0x40000000 | 521), insn(OP.RET_K, 0, 0, hit), // x32 ptrace
    insn(OP.RET_K, 0, 0, other),
  ];
}

describe('fuzz: filters that handle x32 on purpose', () => {
  it('sees the x32 numbers a filter dispatches', () => {
    expect([...dispatchedX32Numbers([x32Aware(false)])]).toEqual([0x40000000 | 521]);
    expect(dispatchedX32Numbers([allowlist(false)]).size).toBe(0);
    expect(dispatchedX32Numbers([allowlist(true)]).size).toBe(0);
    expect(x32Stance([x32Aware(false)]).kind).toBe('allowlist');
    expect(x32Stance([x32Aware(true)]).kind).toBe('denylist');
    expect(x32Stance([allowlist(false)]).kind).toBe('unguarded');
  });

  it('passes the corpus filter that allows the x32 ABI deliberately (libseccomp 23) with the default properties', () => {
    const p = corpusFilter('23-sim-arch_all_le_basic');
    expect(x32Stance([p]).kind).toBe('allowlist');
    const plan = defaultPropertyPlan(x86_64, [p]);
    expect(plan.names).toEqual(['x32', 'arch', 'i386']);
    const r = fuzz(plan.names.map((n) => makeProperty(n, [p], x86_64)), { seed: 5, runs: 30_000 });
    expect(r.failure).toBeNull();
  });

  it('still fails an allowlist missing its x32 guard, and an x32-aware allowlist that lets undispatched x32 numbers through', () => {
    expect(run(allowlist(false), 3, 50_000).failure?.property).toBe('x32');
    const leaky = x32Aware(false);
    leaky[leaky.length - 1] = insn(OP.JMP_JGE_K, 0, 1, 0x40000000);
    leaky.push(insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW), insn(OP.RET_K, 0, 0, SECCOMP_RET_ERRNO | 1));
    const r = fuzz([makeProperty('x32', [leaky], x86_64)], { seed: 1, runs: 50_000 });
    expect(r.failure?.shrunk.message).toMatch(/^x32 nr 0x4[0-9a-f]+ got ALLOW, expected deny$/);
    expect(r.failure!.shrunk.data.nr).not.toBe(0x40000000 | 521);
  });

  it('leaves x32 out, with a note, for an x32-aware denylist', () => {
    const plan = defaultPropertyPlan(x86_64, [x32Aware(true)]);
    expect(plan.names).toEqual(['arch', 'i386']);
    expect(plan.notes.join('\n')).toMatch(/x32 left out: .*denylist/);
  });

  it('does not blame a filter for the kernel\'s uretprobe bypass (corpus 19 kills every x86 call)', () => {
    const p = corpusFilter('19-sim-missing_syscalls');
    expect(fuzz([makeProperty('arch', [p], archByName('x86') as ArchInfo)], { seed: 5, runs: 20_000 }).failure).toBeNull();
  });
});

const ioctlFilter = (tail: Insn[]): Insn[] => [
  insn(OP.LD_W_ABS, 0, 0, 4), insn(OP.JMP_JEQ_K, 1, 0, X86_64), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
  insn(OP.LD_W_ABS, 0, 0, 0), insn(OP.JMP_JGE_K, 0, 1, 0x40000000), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
  insn(OP.JMP_JEQ_K, 0, tail.length, 16), // ioctl
  ...tail,
  insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW),
];
/** The dword bug: ioctl allowed when the low half of args[1] is 0x5401 (the high half is never compared), else EPERM. */
const dwordBug = (): Insn[] => ioctlFilter([
  insn(OP.LD_W_ABS, 0, 0, 24), insn(OP.JMP_JEQ_K, 0, 1, 0x5401), insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW), insn(OP.RET_K, 0, 0, SECCOMP_RET_ERRNO | 1),
]);
/** The same with the high half compared too. */
const dwordRight = (): Insn[] => ioctlFilter([
  insn(OP.LD_W_ABS, 0, 0, 28), insn(OP.JMP_JEQ_K, 0, 3, 0),
  insn(OP.LD_W_ABS, 0, 0, 24), insn(OP.JMP_JEQ_K, 0, 1, 0x5401), insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW), insn(OP.RET_K, 0, 0, SECCOMP_RET_ERRNO | 1),
]);

const spec = (text: string) => parseSpec(text, 'mem.yaml');

describe('fuzz --spec properties', () => {
  const text = [
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
  ].join('\n');

  it('finds the dword bug as a break of the expectation that decides it, and names its line', () => {
    const p = dwordBug();
    const props = specProperties(spec(text), [{ abi: x86_64, stack: [p] }], 'mem.yaml');
    expect(props.properties.map((x) => x.name)).toEqual(['mem.yaml:3', 'mem.yaml:6', 'mem.yaml:8', 'mem.yaml:9', 'mem.yaml:10']);
    const t0 = performance.now();
    const r = fuzz(props.properties, { seed: 11, runs: 200_000 });
    expect(performance.now() - t0).toBeLessThan(10_000);
    const f = r.failure!;
    expect(f.headline).toBe('mem.yaml:6 ioctl: ERRNO(EPERM) (on x86_64)');
    expect(f.shrunk.data.nr).toBe(16);
    expect(f.shrunk.data.args[1] & 0xffffffffn).toBe(0x5401n);
    expect(f.shrunk.data.args[1] >> 32n).not.toBe(0n);
    expect(f.shrunk.message).toBe('x86_64 nr 16 got ALLOW, expected ERRNO(EPERM)');
  });

  it('holds on a filter that does what the spec says, and counts what each expectation decided', () => {
    const good = dwordRight();
    const props = specProperties(spec(text), [{ abi: x86_64, stack: [good] }], 'mem.yaml');
    const r = fuzz(props.properties, { seed: 2, runs: 30_000 });
    expect(r.failure).toBeNull();
    for (const n of props.decided) expect(n).toBeGreaterThan(100);
    expect(props.notes).toEqual([]);
  });

  it('notes expectations that cannot be reached (x32 off x86_64, a second default)', () => {
    const s = spec('arches: [aarch64]\nexpect:\n  - x32: deny\n  - default: ALLOW\n  - default: KILL_PROCESS\n');
    const props = specProperties(s, [{ abi: archByName('aarch64') as ArchInfo, stack: [[insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW)]] }], 's.yaml');
    expect(props.properties.map((p) => p.name)).toEqual(['s.yaml:4']);
    expect(props.notes).toEqual([
      's.yaml:3 x32: deny: not fuzzed (no x32 ABI on these arches)',
      's.yaml:5 default: KILL_PROCESS: not fuzzed (an earlier default expectation decides first)',
    ]);
  });

  it('tries each argument constant with ±1 and the other half changed', () => {
    const vs = interestingValues([{ kind: 'cmp', op: 'eq', value: 0x5401n }]);
    for (const v of [0x5401n, 0x5400n, 0x5402n, 0x100005401n, 0xffffffff00005401n, 0x540100005401n]) expect(vs).toContain(v);
  });
});

describe('fuzz with a second engine', () => {
  const allowAll: Insn[] = [insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW)];
  const allowed = { kind: 'allowed', logged: false } as EngineOutcome;
  /** A stand-in kernel: agrees with the emulator (allow all) except, with `bad`, on x86_64 getpid (nr 39), which it kills; skips i386. */
  const fakeKernel = (bad: boolean): Engine => ({
    name: 'kernel',
    check: () => [],
    run: (_stack, cases) => cases.map((c): EngineOutcome => (c.arch.name === 'x86' ? { kind: 'skipped', reason: 'test' }
      : bad && c.nr === 39 && c.arch.name === 'x86_64' ? ({ kind: 'killed', scope: 'process', signal: 31 } as EngineOutcome) : allowed)),
  });
  const allowSpec = (arches: string) => specProperties(spec(`arches: [${arches}]\nexpect:\n  - foreign_arch: ALLOW\n  - default: ALLOW\n`),
    arches.split(', ').map((a) => ({ abi: archByName(a) as ArchInfo, stack: [allowAll] })), 'm.yaml');

  it('selects whole rounds of batches, by index only', () => {
    const d = kernelDifferential(fakeKernel(false), 4);
    expect([0, 1, 2, 3, 4, 5, 12, 13].map((b) => d.selects(b, 2))).toEqual([true, true, false, false, false, false, false, false]);
    expect(d.selects(8, 2) && d.selects(9, 2)).toBe(true);
    expect(defaultKernelEvery(10_000)).toBe(1);
    expect(defaultKernelEvery(1_000_000)).toBe(DEFAULT_KERNEL_EVERY);
    expect(defaultKernelEvery(undefined)).toBe(DEFAULT_KERNEL_EVERY);
  });

  it('compares host-ABI cases only, and counts what it compared and skipped', () => {
    const d = kernelDifferential(fakeKernel(false), 1);
    const r = fuzz(allowSpec('x86_64, x86').properties, { seed: 1, runs: 8192, second: d });
    expect(r.failure).toBeNull();
    const skipped = d.stats.skipped.get('test') ?? 0;
    expect(skipped).toBeGreaterThan(1000); // the x86 run's default batches
    expect(d.stats.compared).toBeGreaterThan(1000);
    expect(d.stats.notHost).toBeGreaterThan(0); // foreign arches
    expect(d.stats.compared + skipped + d.stats.notHost).toBe(8192);
  });

  it('reports a disagreement as a failure with both outcomes, shrunk', () => {
    const d = kernelDifferential(fakeKernel(true), 1);
    const r = fuzz(allowSpec('x86_64').properties, { seed: 1, runs: 50_000, second: d });
    const f = r.failure!;
    expect(f.kind).toBe('disagreement');
    expect(f.original.data.nr).toBe(39);
    expect(f.shrunk.data.nr).toBe(39);
    expect(f.shrunk.data.args).toEqual([0n, 0n, 0n, 0n, 0n, 0n]);
    expect(f.shrunk.message).toMatch(/^x86_64 case: emulator runs.*, kernel killed/);
  });
});
