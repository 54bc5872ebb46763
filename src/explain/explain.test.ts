import { describe, expect, it } from 'vitest';
import { archByName, assemble, compileFilter, seccompDataWords, type ArchInfo, type Insn } from 'unicorn-bpf-emulator';
import { syscallNumber } from '../arch/syscalls.js';
import { explainProgram, explainSyscall, type Entry, type Explanation, type Verdict, type Witness } from './explain.js';
import { explanationRecord, formatExplanation } from './format.js';

const X86_64 = archByName('x86_64')!;
const S390X = archByName('s390x')!;
const nr = (name: string, arch = 'x86_64'): number => syscallNumber(arch, name)!;

/** Entries as {conditions, action} for compact comparisons. */
const shape = (v: Verdict): unknown =>
  v.kind === 'action' ? v.action : v.entries.map((e) => ({ conditions: e.conditions, action: e.action }));

/** A witness is a seccomp_data the compiled filter really gives the entry's action. */
function expectWitness(program: Insn[], arch: ArchInfo, e: Entry): Witness {
  expect(e.witness).not.toBe(null);
  const w = e.witness!;
  expect(w.verified).toBe(true);
  expect(compileFilter(program)(seccompDataWords(w.data, arch.endian)) >>> 0).toBe(w.raw);
  if (e.raw !== null) expect(w.raw).toBe(e.raw);
  return w;
}

function expectAllWitnessesVerified(e: Explanation): void {
  expect(e.selfCheck.failures).toEqual([]);
  expect(e.selfCheck.witnesses).toBeGreaterThan(0);
}

describe('explain: whole ABIs', () => {
  it('a pure allowlist: two syscalls ALLOW, every other one, foreign arches, x32 and i386 KILL_PROCESS; no findings', () => {
    const p = assemble(`
      ld [4]
      jeq #AUDIT_ARCH_X86_64, ok, kill
    ok: ld [0]
      jeq #0, allow
      jeq #1, allow, kill
    allow: ret ALLOW
    kill: ret KILL_PROCESS`);
    const e = explainProgram(p, X86_64);
    expect(e.syscalls.filter((s) => shape(s.verdict) === 'ALLOW').map((s) => s.name)).toEqual(['read', 'write']);
    expect(e.syscalls.filter((s) => shape(s.verdict) !== 'ALLOW').every((s) => shape(s.verdict) === 'KILL_PROCESS')).toBe(true);
    expect(e.foreign).toMatchObject({ excluded: [0xc000003e], verdict: { kind: 'action', action: 'KILL_PROCESS' } });
    expect(e.x32!.syscalls.every((s) => shape(s.verdict) === 'KILL_PROCESS')).toBe(true);
    expect(e.compat!.abi.name).toBe('x86');
    expect(e.compat!.syscalls.every((s) => shape(s.verdict) === 'KILL_PROCESS')).toBe(true);
    expect(e.findings).toEqual([]);
    expectAllWitnessesVerified(e);
  });

  it('no arch check: foreign arches depend on nr; x32 and i386 numbers of the denied syscall run (findings)', () => {
    const p = assemble('ld [0]\njeq #39, deny, allow\ndeny: ret ERRNO(1)\nallow: ret ALLOW');
    const e = explainProgram(p, X86_64);
    expect(e.foreign.excluded).toEqual([]);
    expect(shape(e.foreign.verdict)).toEqual([
      { conditions: ['nr == 39'], action: 'ERRNO(1)' },
      { conditions: ['nr != 39'], action: 'ALLOW' },
    ]);
    expect(e.findings.map((f) => [f.kind, f.syscall])).toEqual([['x32-bypass', 'getpid'], ['i386-bypass', 'getpid']]);
    const [x32, i386] = e.findings;
    expect(x32.witness).toMatchObject({ abi: 'x32', data: { nr: nr('getpid', 'x32') | 0, arch: 0xc000003e }, raw: 0x7fff0000, verified: true });
    expect(i386.witness).toMatchObject({ abi: 'x86', data: { nr: 20, arch: 0x40000003 }, raw: 0x7fff0000, verified: true });
    expect(x32.detail).toBe('getpid is denied on x86_64 (ERRNO(1)), but x32 getpid (nr 0x40000027) gets ALLOW');
    expectAllWitnessesVerified(e);
  });

  it('on a big-endian arch, a foreign witness names a big-endian ABI and is laid out in its byte order', () => {
    const p = assemble('ld [0]\njeq #39, deny, allow\ndeny: ret ERRNO(1)\nallow: ret ALLOW');
    const e = explainProgram(p, S390X);
    const entries = (e.foreign.verdict as Extract<Verdict, { kind: 'depends' }>).entries;
    for (const x of entries) {
      const abi = archByName(x.witness!.abi)!;
      expect(abi.endian).toBe('big');
      expectWitness(p, abi, x);
    }
  });

  it('a filter that names AUDIT_ARCH_I386 has i386 rules on purpose: no i386-bypass finding', () => {
    const p = assemble(`
      ld [4]
      jeq #AUDIT_ARCH_X86_64, x64
      jeq #AUDIT_ARCH_I386, x86, kill
    x64: ld [0]
      jeq #39, allow, kill
    x86: ld [0]
      jeq #3, allow, kill
    allow: ret ALLOW
    kill: ret KILL_PROCESS`);
    const e = explainProgram(p, X86_64);
    expect([...e.foreign.excluded].sort()).toEqual([0x40000003, 0xc000003e]);
    expect(shape(e.compat!.syscalls.find((s) => s.name === 'read')!.verdict)).toBe('ALLOW');
    expect(e.findings).toEqual([]);
  });
});

describe('explain: one syscall, exact conditions', () => {
  it('both halves of a 64-bit argument combine: args[1] == 0x5401 (little-endian)', () => {
    const p = assemble(`
      ld [0]
      jeq #16, ioctl, allow
    ioctl: ld [28]          ; args[1] high half
      jeq #0, lo, allow
    lo: ld [24]             ; args[1] low half
      jeq #0x5401, deny, allow
    deny: ret ERRNO(1)
    allow: ret ALLOW`);
    const v = explainSyscall(p, X86_64, 16);
    expect(shape(v)).toEqual([
      { conditions: ['args[1] == 0x5401'], action: 'ERRNO(1)' },
      { conditions: ['args[1] != 0x5401'], action: 'ALLOW' },
    ]);
    const entries = (v as Extract<Verdict, { kind: 'depends' }>).entries;
    expect(expectWitness(p, X86_64, entries[0]).data.args[1]).toBe(0x5401n);
    expectWitness(p, X86_64, entries[1]);
    expect(explainSyscall(p, X86_64, 17)).toMatchObject({ kind: 'action', action: 'ALLOW' });
  });

  it('the same check on a big-endian arch reads the halves the other way round', () => {
    const p = assemble(`
      ld [0]
      jeq #54, ioctl, allow
    ioctl: ld [24]          ; s390x: args[1] high half
      jeq #0, lo, allow
    lo: ld [28]
      jeq #0x5401, deny, allow
    deny: ret ERRNO(1)
    allow: ret ALLOW`);
    const v = explainSyscall(p, S390X, 54);
    expect(shape(v)).toEqual([
      { conditions: ['args[1] == 0x5401'], action: 'ERRNO(1)' },
      { conditions: ['args[1] != 0x5401'], action: 'ALLOW' },
    ]);
    expect(expectWitness(p, S390X, (v as Extract<Verdict, { kind: 'depends' }>).entries[0]).data.args[1]).toBe(0x5401n);
  });

  it('libseccomp\'s 64-bit "args[0] > K" (high word, then low word) merges into one interval', () => {
    const p = assemble(`
      ld [20]
      jgt #1, allow, hieq
    hieq: jeq #1, lo, deny
    lo: ld [16]
      jgt #5, allow, deny
    allow: ret ALLOW
    deny: ret ERRNO(13)`);
    expect(shape(explainSyscall(p, X86_64, 0))).toEqual([
      { conditions: ['args[0] >= 0x100000006'], action: 'ALLOW' },
      { conditions: ['args[0] <= 0x100000005'], action: 'ERRNO(13)' },
    ]);
  });

  it('masked equality (libseccomp / seccompiler masked_eq), on one half and on both', () => {
    const low = assemble('ld [16]\nand #0xff\njeq #1, a, d\na: ret ALLOW\nd: ret ERRNO(1)');
    expect(shape(explainSyscall(low, X86_64, 0))).toEqual([
      { conditions: ['(args[0] & 0xff) == 1'], action: 'ALLOW' },
      { conditions: ['(args[0] & 0xff) != 1'], action: 'ERRNO(1)' },
    ]);
    const both = assemble(`
      ld [20]
      and #0xffff0000
      jeq #0x10000, lo, d
    lo: ld [16]
      and #0xff
      jeq #1, a, d
    a: ret ALLOW
    d: ret ERRNO(1)`);
    const v = explainSyscall(both, X86_64, 0);
    expect(shape(v)).toEqual([
      { conditions: ['(args[0] & 0xffff0000000000ff) == 0x1000000000001'], action: 'ALLOW' },
      { conditions: ['(args[0] & 0xffff000000000000) == 0x1000000000000', '(args[0] & 0xff) != 1'], action: 'ERRNO(1)' },
      { conditions: ['(args[0] & 0xffff000000000000) != 0x1000000000000'], action: 'ERRNO(1)' },
    ]);
    for (const e of (v as Extract<Verdict, { kind: 'depends' }>).entries) expectWitness(both, X86_64, e);
  });

  it('JSET: any bit of a mask', () => {
    const p = assemble('ld [16]\njset #0x10000000, d, a\nd: ret ERRNO(1)\na: ret ALLOW');
    const v = explainSyscall(p, X86_64, 56);
    expect(shape(v)).toEqual([
      { conditions: ['(args[0] & 0x10000000) != 0'], action: 'ERRNO(1)' },
      { conditions: ['(args[0] & 0x10000000) == 0'], action: 'ALLOW' },
    ]);
    expect(expectWitness(p, X86_64, (v as Extract<Verdict, { kind: 'depends' }>).entries[0]).data.args[0]).toBe(0x10000000n);
  });

  it('A == 5 then A > 7: the impossible branch is pruned (no KILL_PROCESS entry)', () => {
    const p = assemble('ld [16]\njeq #5, five, other\nfive: jgt #7, never, ok\nnever: ret KILL_PROCESS\nok: ret ERRNO(5)\nother: ret ALLOW');
    expect(shape(explainSyscall(p, X86_64, 0))).toEqual([
      { conditions: ['(args[0] & 0xffffffff) == 5'], action: 'ERRNO(5)' },
      { conditions: ['(args[0] & 0xffffffff) != 5'], action: 'ALLOW' },
    ]);
  });

  it('RET A: a data word is "returns args[i].lo"; the nr or-ed into ERRNO is one action per syscall', () => {
    expect(explainSyscall(assemble('ld [24]\nret a'), X86_64, 0)).toMatchObject({ kind: 'action', action: 'returns args[1].lo', raw: null });
    const nrErrno = assemble('ld [0]\nor #0x50000\nret a');
    expect(explainSyscall(nrErrno, X86_64, 39)).toMatchObject({ kind: 'action', action: 'ERRNO(39)' });
    // A data-dependent RET A on one path only: an entry whose witness returns the word.
    const p = assemble('ld [16]\njeq #0, z, nz\nz: ret ALLOW\nnz: ld [24]\nor #0x50000\nret a');
    const v = explainSyscall(p, X86_64, 0);
    expect(shape(v)).toEqual([
      { conditions: ['(args[0] & 0xffffffff) == 0'], action: 'ALLOW' },
      { conditions: ['(args[0] & 0xffffffff) != 0'], action: 'returns args[1].lo | 0x50000' },
    ]);
    const w = expectWitness(p, X86_64, (v as Extract<Verdict, { kind: 'depends' }>).entries[1]);
    expect(w.raw).toBe((0x50000 | Number(w.data.args[1] & 0xffffffffn)) >>> 0);
  });

  it('DIV by X == 0 returns 0 (KILL_THREAD), noted on the entry', () => {
    const p = assemble('ld [16]\ntax\nld #100\ndiv x\nret ALLOW');
    const v = explainSyscall(p, X86_64, 0) as Extract<Verdict, { kind: 'depends' }>;
    expect(shape(v)).toEqual([
      { conditions: ['(args[0] & 0xffffffff) == 0'], action: 'KILL_THREAD' },
      { conditions: ['(args[0] & 0xffffffff) != 0'], action: 'ALLOW' },
    ]);
    expect(v.entries.map((e) => e.divByZero)).toEqual([true, false]);
    expectWitness(p, X86_64, v.entries[0]);
  });

  it('the instruction pointer is a field like the args', () => {
    const p = assemble('ld [8]\njeq #0x1000, a, d\na: ret ALLOW\nd: ret TRAP(7)');
    expect(shape(explainSyscall(p, X86_64, 0))).toEqual([
      { conditions: ['(instruction_pointer & 0xffffffff) == 0x1000'], action: 'ALLOW' },
      { conditions: ['(instruction_pointer & 0xffffffff) != 0x1000'], action: 'TRAP(7)' },
    ]);
  });

  it('a comparison of two words is kept, marked not simplified, with a witness found by search', () => {
    const p = assemble('ld [16]\ntax\nld [24]\nadd x\njeq #7, d, a\nd: ret ERRNO(1)\na: ret ALLOW');
    const v = explainSyscall(p, X86_64, 0) as Extract<Verdict, { kind: 'depends' }>;
    expect(shape(v)).toEqual([
      { conditions: ['args[1].lo + args[0].lo == 7'], action: 'ERRNO(1)' },
      { conditions: ['args[1].lo + args[0].lo != 7'], action: 'ALLOW' },
    ]);
    expect(v.entries.map((e) => e.simplified)).toEqual([false, false]);
    for (const e of v.entries) expectWitness(p, X86_64, e);
  });
});

describe('explain: bounded work', () => {
  it('a program whose paths explode reports "too many paths (analysis incomplete)" quickly', () => {
    const lines = ['ld [0]', 'jeq #100000, x, x', 'x:'];
    for (let i = 0; i < 40; i++) lines.push(`ld [${16 + 4 * (i % 12)}]`, `jset #${1 << i % 32}, n${i}, n${i}`, `n${i}:`);
    lines.push('ret ALLOW');
    const p = assemble(lines.join('\n'));
    const t = performance.now();
    const e = explainProgram(p, X86_64, { budget: 20_000, totalBudget: 200_000 });
    expect(performance.now() - t).toBeLessThan(30_000);
    expect(e.syscalls.every((s) => s.verdict.kind === 'incomplete')).toBe(true);
    expect(e.stats.incomplete).toBe(e.stats.queries);
    // Incomplete queries still show one checked example per action seen.
    const v = e.syscalls[0].verdict as Extract<Verdict, { kind: 'incomplete' }>;
    expect(v.entries.map((x) => x.action)).toEqual(['ALLOW']);
    expectWitness(p, X86_64, v.entries[0]);
    expect(formatExplanation(e).join('\n')).toContain('read (0): too many paths (analysis incomplete):');
    expect(explanationRecord(e).syscalls[0]).toMatchObject({ name: 'read', incomplete: true });
  });

  it('a program that never reads nr is explored once per arch value', () => {
    const p = assemble('ld [16]\njeq #1, a, d\na: ret ALLOW\nd: ret ERRNO(1)');
    const e = explainProgram(p, X86_64);
    // x86_64 and x32 share AUDIT_ARCH_X86_64; i386 and the foreign query are one more each; clone's namespace runs too.
    expect(e.stats.queries).toBeLessThan(20);
    expect(e.syscalls.every((s) => s.verdict.kind === 'depends')).toBe(true);
    expectAllWitnessesVerified(e);
  });
});

describe('explain: text and JSON', () => {
  const p = assemble(`
    ld [4]
    jeq #AUDIT_ARCH_X86_64, ok, kill
  ok: ld [0]
    jeq #39, deny
    jeq #16, ioctl, allow
  ioctl: ld [28]
    jeq #0, lo, allow
  lo: ld [24]
    jeq #0x5401, deny, allow
  deny: ret ERRNO(1)
  allow: ret ALLOW
  kill: ret KILL_PROCESS`);
  const e = explainProgram(p, X86_64);

  it('text: a header, one line per syscall grouped by action, foreign/x32/i386 lines, findings last', () => {
    const lines = formatExplanation(e, 'f.bpf');
    expect(lines[0]).toBe('f.bpf: 12 instructions; 362 x86_64 syscalls (AUDIT_ARCH_X86_64): ERRNO(1) 1, ALLOW 360, depends on args 1');
    expect(lines[1]).toBe('  getpid (39): ERRNO(1)');
    expect(lines[2]).toBe('  read (0): ALLOW');
    const i = lines.indexOf('  ioctl (16): depends on args:');
    expect(lines.slice(i + 1, i + 3)).toEqual([
      '      args[1] == 0x5401 -> ERRNO(1)  [witness: args[1]=0x5401]',
      '      args[1] != 0x5401 -> ALLOW  [witness: args 0]',
    ]);
    expect(lines).toContain('foreign arch (not AUDIT_ARCH_X86_64): KILL_PROCESS');
    expect(lines.find((l) => l.startsWith('x32 callers'))).toBe('x32 callers (nr | 0x40000000, AUDIT_ARCH_X86_64): ALLOW (all 351 syscalls)');
    expect(lines.find((l) => l.startsWith('i386 callers'))).toBe('i386 callers (AUDIT_ARCH_I386, i386 numbers): KILL_PROCESS (all 440 syscalls)');
    expect(lines.at(-2)).toBe('findings (1):');
    expect(lines.at(-1)).toBe(
      '  x32-bypass getpid: getpid is denied on x86_64 (ERRNO(1)), but x32 getpid (nr 0x40000027) gets ALLOW  [witness: arch=x32 nr=0x40000027 args 0]',
    );
  });

  it('JSON: {arch, thread, syscalls, foreign_arch, x32, i386, findings}; witnesses are case lines', () => {
    const rec = JSON.parse(JSON.stringify(explanationRecord(e)));
    expect(Object.keys(rec)).toEqual(['arch', 'thread', 'syscalls', 'foreign_arch', 'x32', 'i386', 'findings']);
    expect(rec.syscalls[0]).toEqual({ name: 'read', nr: 0, action: 'ALLOW' });
    expect(rec.syscalls.find((s: { name: string }) => s.name === 'ioctl')).toEqual({
      name: 'ioctl', nr: 16, depends: [
        { conditions: ['args[1] == 0x5401'], action: 'ERRNO(1)', witness: { arch: 'x86_64', nr: 16, args: ['0x0', '0x5401', '0x0', '0x0', '0x0', '0x0'], ip: '0x0', raw: '0x00050001' } },
        { conditions: ['args[1] != 0x5401'], action: 'ALLOW', witness: { arch: 'x86_64', nr: 16, args: ['0x0', '0x0', '0x0', '0x0', '0x0', '0x0'], ip: '0x0', raw: '0x7fff0000' } },
      ],
    });
    expect(rec.foreign_arch).toEqual({ excluded: ['AUDIT_ARCH_X86_64'], action: 'KILL_PROCESS' });
    expect(rec.x32).toEqual({ arch: 'x32', action: 'ALLOW' });
    expect(rec.i386).toEqual({ arch: 'x86', action: 'KILL_PROCESS' });
    expect(rec.findings).toEqual([{
      kind: 'x32-bypass', syscall: 'getpid', detail: 'getpid is denied on x86_64 (ERRNO(1)), but x32 getpid (nr 0x40000027) gets ALLOW',
      witness: { arch: 'x32', nr: 0x40000027, args: ['0x0', '0x0', '0x0', '0x0', '0x0', '0x0'], ip: '0x0', raw: '0x7fff0000' },
    }]);
  });
});
