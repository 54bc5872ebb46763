import { describe, expect, it } from 'vitest';
import { OP, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, archByName, insn, type ArchInfo, type Insn } from 'unicorn-bpf-emulator';
import { batchSeed, defaultProperties, fuzz, makeProperty, namedArches } from './fuzz.js';

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
  fuzz([program], defaultProperties(x86_64).map((n) => makeProperty(n, [program], x86_64)), { seed, runs });

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
