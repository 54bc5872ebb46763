// The seccompiler format against rust-vmm seccompiler 0.5.0.
//
// The sha256 digests below are facts about seccompiler 0.5.0's output: for
// every corpus policy (read in place) and every arch, and for this folder's
// fixtures, the digest of each thread's program as raw little-endian
// struct sock_filter bytes, as compile_from_json produced it. The listings
// further down are written from the layout described in seccompiler.ts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as fc from 'fast-check';
import {
  archByName, BPF_JUMP, BPF_STMT, checkFilter, encodeProgram, interpret, OP, seccompData,
  type ArchInfo, type Insn,
} from 'unicorn-bpf-emulator';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, requireCorpus } from '../../emulator/src/__test-helpers__/corpus.js';
import { syscallNumber, syscallTableArches } from '../arch/syscalls.js';
import { SeccheckError } from '../errors.js';
import { compileSeccompiler, loadSeccompiler, looksLikeSeccompiler } from './seccompiler.js';
import { SECCOMPILER_SYSCALLS } from './seccompiler_syscalls.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/seccompiler/', import.meta.url));
const ARCHES = ['x86_64', 'aarch64', 'riscv64'] as const;
const arch = (name: string): ArchInfo => archByName(name)!;
const X86_64 = arch('x86_64');

const REJECTED = 'rejected: unknown syscall';
type Digests = Record<string, Partial<Record<(typeof ARCHES)[number], Record<string, string> | typeof REJECTED>>>;

const sha256 = (p: readonly Insn[]): string => createHash('sha256').update(encodeProgram(p, 'little')).digest('hex');
const digestsOf = (programs: Map<string, Insn[]>): Record<string, string> =>
  Object.fromEntries([...programs].map(([t, p]) => [t, sha256(p)]));

/** Compile inline JSON as "inline.json"; the SeccheckError's message if it throws. */
function compile(text: string, archName = 'x86_64'): { programs: Map<string, Insn[]>; warnings: string[] } {
  return compileSeccompiler(text, 'inline.json', arch(archName));
}
function errorOf(text: string, archName = 'x86_64'): string {
  try {
    compile(text, archName);
  } catch (e) {
    expect(e).toBeInstanceOf(SeccheckError);
    const message = (e as SeccheckError).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a SeccheckError');
}

/** One thread "t" (trap unless matched, then allow) with these entries. */
const thread = (filter: unknown, actions = '"default_action": "trap", "filter_action": "allow"'): string =>
  `{"t": {${actions}, "filter": ${JSON.stringify(filter)}}}`;

// Instructions, as the layout names them.
const ld = (k: number): Insn => BPF_STMT(OP.LD_W_ABS, k);
const ja = (k: number): Insn => BPF_STMT(OP.JMP_JA, k);
const ret = (k: number): Insn => BPF_STMT(OP.RET_K, k);
const and = (k: number): Insn => BPF_STMT(OP.ALU_AND_K, k);
const jeq = (k: number, jt: number, jf: number): Insn => BPF_JUMP(OP.JMP_JEQ_K, k, jt, jf);
const jgt = (k: number, jt: number, jf: number): Insn => BPF_JUMP(OP.JMP_JGT_K, k, jt, jf);
const jge = (k: number, jt: number, jf: number): Insn => BPF_JUMP(OP.JMP_JGE_K, k, jt, jf);
const ALLOW = 0x7fff0000;
const TRAP = 0x00030000;
const KILL_PROCESS = 0x80000000;
const archCheck = (a: ArchInfo): Insn[] => [ld(4), jeq(a.auditArch, 1, 0), ret(KILL_PROCESS)];

describe('seccompiler: byte for byte as seccompiler 0.5.0', () => {
  requireCorpus();
  for (const [file, byArch] of Object.entries(CORPUS_DIGESTS)) {
    for (const a of ARCHES) {
      it(`${file} for ${a}`, () => {
        const path = join(CORPUS_DIR, 'policies', file);
        const expected = byArch[a];
        if (expected === REJECTED) {
          expect(() => loadSeccompiler(readFileSync(path), path, { arch: arch(a) })).toThrow(/unknown syscall "\w+" for \w+/);
          return;
        }
        const loaded = loadSeccompiler(readFileSync(path), path, { arch: arch(a) });
        expect(Object.fromEntries(loaded.programs.map((p) => [p.thread, sha256(p.program)]))).toEqual(expected);
        for (const p of loaded.programs) expect(checkFilter(p.program).accepted).toBe(true);
      });
    }
  }
  for (const [file, byArch] of Object.entries(FIXTURE_DIGESTS)) {
    it(`fixture ${file} for every arch`, () => {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      for (const a of ARCHES) {
        if (byArch[a] === REJECTED) {
          expect(() => compileSeccompiler(text, file, arch(a))).toThrow(/unknown syscall/);
        } else {
          expect(digestsOf(compileSeccompiler(text, file, arch(a)).programs)).toEqual(byArch[a]);
        }
      }
    });
  }
});

describe('seccompiler: layout', () => {
  it('an empty filter is the arch check and the default action', () => {
    for (const a of ARCHES) {
      const { programs } = compile(thread([], '"default_action": {"errno": 38}, "filter_action": "allow"'), a);
      expect(programs.get('t')).toEqual([...archCheck(arch(a)), ret(0x00050026)]);
    }
  });

  it('layout.json: syscalls by number, rules in file order, conditions last first', () => {
    const { programs, warnings } = compileSeccompiler(readFileSync(join(FIXTURES, 'layout.json'), 'utf8'), 'layout.json', X86_64);
    expect(warnings).toEqual([]);
    const ERRNO1 = 0x00050001;
    expect(programs.get('main')).toEqual([
      ...archCheck(X86_64), // 0-2
      ld(0), //                3: nr
      jeq(0, 0, 1), //         4: read (0), unconditional
      ja(1), ja(2), ret(ALLOW), ret(ERRNO1),
      jeq(3, 0, 1), //         9: close (3), unconditional
      ja(1), ja(2), ret(ALLOW), ret(ERRNO1),
      jeq(16, 0, 1), //       14: ioctl (16), two rules
      ja(1), ja(8), //        15: rule 1: enter / skip to rule 2's skip jump (25)
      ld(36), jeq(1, 0, 2), ld(32), jeq(2, 3, 0), //  args[2] qword ne 0x1_0000_0002 (the second condition comes first)
      ld(24), jeq(21505, 0, 1), //                    args[1] dword eq 0x5401
      ret(ALLOW), //          23
      ja(1), ja(8), //        24: rule 2 / skip to the final ret (34)
      ld(20), and(0xff), jeq(0x12, 0, 4), ld(16), and(0xff), jeq(0x34, 0, 1), // args[0] & 0xff000000ff == 0x1200000034
      ret(ALLOW), //          32
      ret(ERRNO1), //         33: ioctl, no rule matched
      ret(ERRNO1), //         34: no syscall matched
    ]);
  });

  /** One condition on read (nr 0) for x86_64: the whole program, given the condition's instructions (failure jumps land on `ret MISMATCH`). */
  const oneCondition = (cond: object): Insn[] => compile(thread([{ syscall: 'read', args: [cond] }])).programs.get('t')!.slice(7, -3);
  const c = (index: number, type: string, op: unknown, val: number | bigint) => ({ index, type, op, val: Number(val) });

  it('dword conditions test only the low half of the argument', () => {
    expect(oneCondition(c(1, 'dword', 'eq', 7))).toEqual([ld(24), jeq(7, 0, 1)]);
    expect(oneCondition(c(1, 'dword', 'ne', 7))).toEqual([ld(24), jeq(7, 1, 0)]);
    expect(oneCondition(c(1, 'dword', 'lt', 7))).toEqual([ld(24), jge(7, 1, 0)]);
    expect(oneCondition(c(1, 'dword', 'le', 7))).toEqual([ld(24), jgt(7, 1, 0)]);
    expect(oneCondition(c(1, 'dword', 'gt', 7))).toEqual([ld(24), jgt(7, 0, 1)]);
    expect(oneCondition(c(1, 'dword', 'ge', 7))).toEqual([ld(24), jge(7, 0, 1)]);
    expect(oneCondition(c(1, 'dword', { masked_eq: 0xf0 }, 0xff))).toEqual([ld(24), and(0xf0), jeq(0xf0, 0, 1)]);
  });

  it('qword conditions test the high half first, then the low half', () => {
    const v = 0x200000003; // high 2, low 3
    expect(oneCondition(c(5, 'qword', 'eq', v))).toEqual([ld(60), jeq(2, 0, 3), ld(56), jeq(3, 0, 1)]);
    expect(oneCondition(c(5, 'qword', 'ne', v))).toEqual([ld(60), jeq(2, 0, 2), ld(56), jeq(3, 1, 0)]);
    expect(oneCondition(c(5, 'qword', 'lt', v))).toEqual([ld(60), jgt(2, 4, 0), jeq(2, 0, 2), ld(56), jge(3, 1, 0)]);
    expect(oneCondition(c(5, 'qword', 'le', v))).toEqual([ld(60), jgt(2, 4, 0), jeq(2, 0, 2), ld(56), jgt(3, 1, 0)]);
    expect(oneCondition(c(5, 'qword', 'gt', v))).toEqual([ld(60), jgt(2, 3, 0), jeq(2, 0, 3), ld(56), jgt(3, 0, 1)]);
    expect(oneCondition(c(5, 'qword', 'ge', v))).toEqual([ld(60), jgt(2, 3, 0), jeq(2, 0, 3), ld(56), jge(3, 0, 1)]);
    expect(oneCondition(c(5, 'qword', { masked_eq: 0xff000000ff }, 0x1200000034))).toEqual([
      ld(60), and(0xff), jeq(0x12, 0, 4), ld(56), and(0xff), jeq(0x34, 0, 1),
    ]);
  });

  it('a dword value over 32 bits is truncated, with a warning', () => {
    const { programs, warnings } = compile(thread([{ syscall: 'read', args: [c(0, 'dword', 'eq', 0x100000005)] }]));
    expect(programs.get('t')!.slice(7, 9)).toEqual([ld(16), jeq(5, 0, 1)]);
    expect(warnings).toEqual([expect.stringMatching(/^thread "t", filter\[0\] \(read\), args\[0\] \(line 1\): dword value 4294967301 does not fit in 32 bits; only its low 32 bits \(5\) are compared/)]);
  });

  it('actions: allow, errno(n), kill_thread, kill_process, log, trace(n), trap', () => {
    const { programs } = compileSeccompiler(readFileSync(join(FIXTURES, 'actions.json'), 'utf8'), 'actions.json', X86_64);
    const defaults = Object.fromEntries([...programs].map(([t, p]) => [t, p[3].k >>> 0]));
    expect(defaults).toEqual({
      allow: 0x7fff0000, errno: 0x0005000d, kill_process: 0x80000000, kill_thread: 0,
      log: 0x7ffc0000, trace: 0x7ff0002a, trap: 0x00030000, unit_as_map: 0,
    });
  });

  it('errno and trace keep the low 16 bits of their value, and only identical values are "identical actions"', () => {
    const { programs, warnings } = compile(thread([{ syscall: 'read' }], '"default_action": {"errno": 65537}, "filter_action": {"errno": 1}'));
    const p = programs.get('t')!;
    expect(p.filter((i) => i.code === OP.RET_K).map((i) => i.k)).toEqual([KILL_PROCESS, 0x00050001, 0x00050001, 0x00050001]);
    expect(warnings).toEqual(['thread "t": default_action errno(65537) is truncated to errno(1) (only 16 bits of data fit in the return value)']);
  });

  it('long rules get three helper jumps when a failure jump would pass 248 (trampoline.json)', () => {
    // read: one rule of 130 dword conditions, then a rule of one; write: unconditional.
    const { programs } = compileSeccompiler(readFileSync(join(FIXTURES, 'trampoline.json'), 'utf8'), 'trampoline.json', X86_64);
    const p = programs.get('t')!;
    expect(p.length).toBe(283);
    expect(p.slice(4, 7)).toEqual([jeq(0, 0, 1), ja(1), ja(14)]); // the skip jump lands on the helpers' third jump
    // conditions 129..124 (failure jumps 11, 9, ..., 1), then the helpers, then 123..0 (247, ..., 1)
    for (let i = 129, at = 7; i >= 124; i--, at += 2) expect(p.slice(at, at + 2)).toEqual([ld(16 + 8 * (i % 6)), jeq(i, 0, 1 + 2 * (i - 124))]);
    expect(p.slice(19, 22)).toEqual([ja(2), ja(250), ja(250)]);
    for (let i = 123, at = 22; i >= 0; i--, at += 2) expect(p.slice(at, at + 2)).toEqual([ld(16 + 8 * (i % 6)), jeq(i, 0, 1 + 2 * i)]);
    expect(p[270]).toEqual(ret(ALLOW));
    expect(p.slice(271, 273)).toEqual([ja(1), ja(4)]); // rule 2 begins at 271 = 21 + 1 + 250 - 1
    expect(checkFilter(p).accepted).toBe(true);
  });

  it('riscv64.json compiles for riscv64 only (riscv_hwprobe, riscv_flush_icache)', () => {
    const text = readFileSync(join(FIXTURES, 'riscv64.json'), 'utf8');
    const p = compileSeccompiler(text, 'riscv64.json', arch('riscv64')).programs.get('vmm')!;
    expect(p.slice(0, 4)).toEqual([ld(4), jeq(0xc00000f3, 1, 0), ret(KILL_PROCESS), ld(0)]);
    // by number: close 57, mmap 222, riscv_hwprobe 258, riscv_flush_icache 259
    const syscallJumps = p.flatMap((i, n) => (i.code === OP.JMP_JEQ_K && p[n + 1].code === OP.JMP_JA && p[n + 1].k === 1 ? [i.k] : []));
    expect(syscallJumps).toEqual([57, 222, 258, 259]);
  });

  it('programs of 4095 instructions pass, 4096 are rejected (seccompiler checks >= 4096)', () => {
    // read with q qword-eq rules (7 instructions each) and d dword-eq rules (5 each): 7 + 7q + 5d instructions.
    const sized = (q: number, d: number): string => thread([
      ...Array.from({ length: q }, (_, i) => ({ syscall: 'read', args: [c(0, 'qword', 'eq', i)] })),
      ...Array.from({ length: d }, (_, i) => ({ syscall: 'read', args: [c(0, 'dword', 'eq', i)] })),
    ]);
    expect(compile(sized(4, 812)).programs.get('t')!.length).toBe(4095);
    expect(errorOf(sized(2, 815))).toBe('inline.json:1:7: thread "t": the compiled program has 4096 instructions; seccompiler 0.5.0 rejects 4096 or more');
  });
});

describe('seccompiler: behaviour on the emulator', () => {
  const pitfalls = readFileSync(join(FIXTURES, 'pitfalls.json'), 'utf8');
  const run = (p: Insn[], a: ArchInfo, nr: number, args: bigint[] = []): number => interpret(p, seccompData(nr, a.auditArch, args)) >>> 0;

  it('pitfalls.json on x86_64: a dropped unconditional entry, a truncated dword, no x32 guard', () => {
    const p = compileSeccompiler(pitfalls, 'pitfalls.json', X86_64).programs.get('denylist')!;
    const ioctl = syscallNumber('x86_64', 'ioctl')!;
    const ptrace = syscallNumber('x86_64', 'ptrace')!;
    const ERRNO1 = 0x00050001;
    expect(run(p, X86_64, ptrace)).toBe(ERRNO1);
    expect(run(p, X86_64, ptrace | 0x40000000)).toBe(ALLOW); // x32 gets the default action
    expect(run(p, X86_64, ioctl, [0n, 0n])).toBe(ALLOW); // "all ioctls" entry dropped: no match
    expect(run(p, X86_64, ioctl, [0n, 0x5601n])).toBe(ERRNO1); // only the low 32 bits of 0x1_0000_5601 are compared
    expect(run(p, X86_64, ioctl, [0n, 0x7_0000_5601n])).toBe(ERRNO1); // whatever the high half of the argument
    expect(run(p, arch('aarch64'), ptrace)).toBe(KILL_PROCESS); // foreign arch
  });

  /** What a seccompiler filter means, stated directly (the model the emulator run is checked against). */
  interface ModelCond { index: number; type: 'dword' | 'qword'; op: string | { masked_eq: bigint }; val: bigint }
  function holds(cond: ModelCond, arg: bigint): boolean {
    const m32 = 0xffffffffn;
    const mask = typeof cond.op === 'object' ? cond.op.masked_eq : undefined;
    const a = cond.type === 'dword' ? arg & m32 : arg;
    const v = cond.type === 'dword' ? cond.val & m32 : cond.val;
    if (mask !== undefined) return cond.type === 'dword' ? ((arg & mask & m32) === (cond.val & mask & m32)) : (arg & mask) === (cond.val & mask);
    switch (cond.op) {
      case 'eq': return a === v;
      case 'ne': return a !== v;
      case 'lt': return a < v;
      case 'le': return a <= v;
      case 'gt': return a > v;
      default: return a >= v;
    }
  }

  it('property: the compiled program returns what the policy says, for any arguments', () => {
    const names = ['read', 'write', 'close', 'ioctl', 'mmap'];
    const u64 = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0n, 1n, 0xffffffffn, 0x100000000n, (1n << 64n) - 1n));
    const condArb = fc.record({
      index: fc.integer({ min: 0, max: 5 }),
      type: fc.constantFrom('dword' as const, 'qword' as const),
      op: fc.oneof(fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge'), u64.map((m) => ({ masked_eq: m }))),
      val: u64,
    });
    const ruleArb = fc.record({ syscall: fc.constantFrom(...names), args: fc.option(fc.array(condArb, { minLength: 1, maxLength: 45 }), { nil: undefined }) });
    const toJson = (rules: { syscall: string; args?: ModelCond[] }[]): string =>
      JSON.stringify({ t: { default_action: 'trap', filter_action: 'allow', filter: rules } }, (_k, v) => (typeof v === 'bigint' ? `@@${v}@@` : v)).replace(/"@@(\d+)@@"/g, '$1');
    fc.assert(fc.property(fc.array(ruleArb, { maxLength: 12 }), fc.constantFrom(...names), fc.array(u64, { minLength: 6, maxLength: 6 }), (rules, call, args) => {
      const p = compile(toJson(rules)).programs.get('t')!;
      const mine = rules.filter((r) => r.syscall === call);
      const conditional = mine.filter((r) => r.args !== undefined);
      const matches = conditional.length > 0
        ? conditional.some((r) => r.args!.every((cnd) => holds(cnd, args[cnd.index])))
        : mine.length > 0;
      expect(run(p, X86_64, syscallNumber('x86_64', call)!, args)).toBe(matches ? ALLOW : TRAP);
    }), { numRuns: 300 });
  });
});

describe('seccompiler: rejections (one line: file, place, thread and entry, problem)', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown syscall', thread([{ syscall: 'read' }, { syscall: 'nosuch' }]),
      /^inline\.json:1:\d+: thread "t", filter\[1\] \(nosuch\): unknown syscall "nosuch" for x86_64 \(not in seccompiler 0\.5\.0's x86_64 table\)$/],
    ['unknown syscall, named on one line', thread([{ syscall: 'a\nb' }]), /thread "t", filter\[0\] \("a\\nb"\): unknown syscall "a\\nb"/],
    ['argument index over 5', thread([{ syscall: 'read', args: [{ index: 6, type: 'dword', op: 'eq', val: 1 }] }]),
      /^inline\.json:1:\d+: thread "t", filter\[0\] \(read\), args\[0\]: argument index 6 is over 5/],
    ['argument index over u8', thread([{ syscall: 'read', args: [{ index: 256, type: 'dword', op: 'eq', val: 1 }] }]),
      /filter\[0\] \(read\), args\[0\], index: 256 does not fit in u8$/],
    ['empty args', thread([{ syscall: 'read', args: [] }]), /thread "t", filter\[0\] \(read\): "args" is empty/],
    ['identical actions', thread([], '"default_action": "allow", "filter_action": "allow"'),
      /^inline\.json:1:7: thread "t": default_action and filter_action are both allow; seccompiler 0\.5\.0 rejects identical actions$/],
    ['identical errno actions', thread([], '"default_action": {"errno": 1}, "filter_action": {"errno": 1}'), /both errno\(1\)/],
    ['unknown thread field', thread([], '"default_action": "trap", "filter_action": "allow", "comment": "x"'),
      /thread "t": unknown field "comment" in a thread filter, expected one of "default_action", "mismatch_action"/],
    ['unknown entry field', thread([{ syscall: 'read', action: 'allow' }]), /thread "t", filter\[0\]: unknown field "action" in a filter entry/],
    ['unknown condition field', thread([{ syscall: 'read', args: [{ index: 0, type: 'dword', op: 'eq', val: 1, mask: 2 }] }]),
      /args\[0\]: unknown field "mask" in a condition/],
    ['a field and its alias', thread([], '"default_action": "trap", "mismatch_action": "trap", "filter_action": "allow"'),
      /thread "t": duplicate field: "mismatch_action" \(default_action and mismatch_action are the same field\)/],
    ['missing filter', '{"t": {"default_action": "trap", "filter_action": "allow"}}', /thread "t": missing field "filter" in a thread filter/],
    ['missing action', '{"t": {"default_action": "trap", "filter": []}}', /missing field "filter_action"/],
    ['duplicate thread', `{"t": ${thread([]).slice(6, -1)}, "t": ${thread([]).slice(6, -1)}}`, /duplicate thread name "t"/],
    ['filter not an array', thread({}), /thread "t", filter: expected "filter" to be an array of entries, found an object/],
    ['syscall not a string', thread([{ syscall: 0 }]), /filter\[0\], syscall: expected a syscall name \(a string\), found number 0/],
    ['val as a string', thread([{ syscall: 'read', args: [{ index: 0, type: 'dword', op: 'eq', val: '1' }] }]), /val: expected an unsigned integer \(u64\), found string "1"/],
    ['negative val', thread([{ syscall: 'read', args: [{ index: 0, type: 'dword', op: 'eq', val: -1 }] }]), /val: expected an unsigned integer \(u64\), found -1/],
    ['fractional val', thread([{ syscall: 'read', args: [{ index: 0, type: 'dword', op: 'eq', val: 1.5 }] }]), /found 1\.5/],
    ['val over u64', thread([{ syscall: 'read', args: [{ index: 0, type: 'qword', op: 'eq', val: 1 }] }]).replace('"val":1', '"val":18446744073709551616'),
      /18446744073709551616 does not fit in u64/],
    ['unknown action', thread([], '"default_action": "deny", "filter_action": "allow"'),
      /thread "t", default_action: unknown action "deny", expected one of "allow", "kill_thread", "kill_process", "log", "trap", "errno", "trace"/],
    ['errno without a value', thread([], '"default_action": "errno", "filter_action": "allow"'), /action "errno" needs a value: write \{"errno": N\}/],
    ['errno over u32', thread([], '"default_action": {"errno": 4294967296}, "filter_action": "allow"'), /default_action, errno: 4294967296 does not fit in u32/],
    ['unknown operator', thread([{ syscall: 'read', args: [{ index: 0, type: 'dword', op: 'EQ', val: 1 }] }]), /op: unknown operator "EQ"/],
    ['masked_eq without a mask', thread([{ syscall: 'read', args: [{ index: 0, type: 'dword', op: 'masked_eq', val: 1 }] }]), /operator "masked_eq" needs a value/],
    ['unknown argument type', thread([{ syscall: 'read', args: [{ index: 0, type: 'word', op: 'eq', val: 1 }] }]), /type: unknown argument type "word", expected one of "dword", "qword"/],
    ['comment not a string', thread([{ syscall: 'read', comment: 5 }]), /filter\[0\] \(read\), comment: expected a comment \(a string\), found number 5/],
    ['array form too short', '{"t": ["trap", "allow"]}', /thread "t": a thread filter written as an array needs all 3 fields/],
    ['top level not an object', '[]', /^inline\.json:1:1: expected a JSON object of thread name -> filter, found an array$/],
    ['empty text', '', /^inline\.json:1:1: invalid JSON: unexpected end of input/],
    ['trailing text', '{} x', /^inline\.json:1:4: invalid JSON: trailing characters/],
    ['trailing comma', '{"t": 1,}', /invalid JSON: trailing comma/],
    ['byte order mark', '\ufeff{}', /^inline\.json:1:1: invalid JSON: expected a value, found U\+FEFF$/],
    ['lone surrogate escape', thread([{ syscall: 'read', comment: 'x' }]).replace('"x"', '"\\ud800"'), /invalid JSON: lone leading surrogate/],
    ['deep nesting', '{"t":' + '['.repeat(300) + ']'.repeat(300) + '}', /nesting deeper than 128 levels/],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => expect(errorOf(text)).toMatch(expected));
  }

  it('a syscall the arch lacks', () => {
    expect(errorOf(thread([{ syscall: 'open' }]), 'aarch64')).toMatch(/unknown syscall "open" for aarch64/);
    expect(errorOf(thread([{ syscall: 'renameat' }]), 'riscv64')).toMatch(/unknown syscall "renameat" for riscv64/);
    expect(compile(thread([{ syscall: 'renameat' }]), 'aarch64').programs.size).toBe(1);
  });

  it('invalid UTF-8, with its position', () => {
    const bytes = new TextEncoder().encode('{\n "t": "\u00e9\xff"}');
    bytes[bytes.length - 4] = 0xff;
    expect(() => loadSeccompiler(bytes, 'bad.json', { arch: X86_64 })).toThrow(/^bad\.json:2:\d+: not valid UTF-8 \(byte 0xff at offset \d+\)$/);
  });

  it('an arch seccompiler does not target', () => {
    expect(() => loadSeccompiler(new TextEncoder().encode('{}'), 'x.json', { arch: arch('x86') }))
      .toThrow(new SeccheckError(undefined, '--arch', 'the seccompiler format compiles for x86_64, aarch64 or riscv64 only, not x86'));
  });

  it('accepts what 0.5.0 accepts: aliases mixed, null args/comments, one-key unit actions, structs as arrays', () => {
    const text = `{"t": {"mismatch_action": {"trap": null}, "filter_action": "allow", "filter": [
      {"syscall": "read", "args": null, "comment": null}, ["close", null, "c"],
      ["ioctl", [[1, {"qword": null}, {"masked_eq": 255}, 4096, null]], null]]}}`;
    expect(compile(text).programs.get('t')!.length).toBe(26);
    expect(compile('{}')).toEqual({ programs: new Map(), warnings: ['the file defines no threads (an empty JSON object)'] });
  });
});

describe('seccompiler: warnings', () => {
  const pitfalls = readFileSync(join(FIXTURES, 'pitfalls.json'), 'utf8');
  it('pitfalls.json: truncated errno, dropped unconditional entry, dword values over 32 bits, no x32 guard (x86_64 only)', () => {
    const common = [
      'thread "denylist": filter_action errno(65537) is truncated to errno(1) (only 16 bits of data fit in the return value)',
      'thread "denylist", filter[0] (ioctl) (line 6): the entry for ioctl without "args" is dropped because ioctl also has entries with "args"; ioctl gets errno(65537) only when one of those matches, allow otherwise',
      'thread "denylist", filter[1] (ioctl), args[0] (line 7): dword value 4294989313 does not fit in 32 bits; only its low 32 bits (22017) are compared, with the low half of the argument',
      'thread "denylist", filter[2] (mmap), args[0] (line 8): dword masked_eq mask 0xffffffffffffffff does not fit in 32 bits; only the low half of the argument is tested, with the low 32 bits of the mask',
    ];
    const x32 = 'thread "denylist": no x32 guard: the arch check lets x32 syscalls (nr | 0x40000000) through and they match no rule, so they get default_action allow: every syscall this filter denies can be made through the x32 ABI';
    const sorted = (w: string[]): string[] => [...w].sort();
    expect(sorted(compileSeccompiler(pitfalls, 'pitfalls.json', X86_64).warnings)).toEqual(sorted([...common, x32]));
    expect(sorted(compileSeccompiler(pitfalls, 'pitfalls.json', arch('aarch64')).warnings)).toEqual(sorted(common));
  });

  it('no x32 warning when x32 syscalls are denied anyway (an allowlist)', () => {
    expect(compile(thread([{ syscall: 'read' }])).warnings).toEqual([]);
  });
});

describe('seccompiler: loadSeccompiler and looksLikeSeccompiler', () => {
  it('a LoadedFilter: threads sorted by name, each with the arch', () => {
    const path = join(CORPUS_DIR, 'policies', 'firecracker', 'aarch64-unknown-linux-musl.json');
    const loaded = loadSeccompiler(readFileSync(path), path, { arch: arch('aarch64') });
    expect(loaded.format).toBe('seccompiler');
    expect(loaded.source).toBe(path);
    expect(loaded.info).toEqual({ compiler: 'rust-vmm seccompiler 0.5.0 semantics', arch: 'aarch64' });
    expect(loaded.programs.map((p) => p.thread)).toEqual(['api', 'vcpu', 'vmm']);
    expect(loaded.programs.every((p) => p.arch?.name === 'aarch64')).toBe(true);
  });

  it('the default arch is the host\'s when seccompiler targets it, else x86_64', () => {
    const host = process.arch === 'arm64' ? 'aarch64' : process.arch === 'riscv64' ? 'riscv64' : 'x86_64';
    const loaded = loadSeccompiler(new TextEncoder().encode(thread([])), 'x.json', {});
    expect(loaded.programs[0].arch?.name).toBe(host);
  });

  it('detects seccompiler JSON and nothing else', () => {
    requireCorpus();
    const policy = (f: string): Uint8Array => readFileSync(join(CORPUS_DIR, 'policies', f));
    expect(looksLikeSeccompiler(policy('firecracker/x86_64-unknown-linux-musl.json'))).toBe(true);
    expect(looksLikeSeccompiler(policy('boxlite/unimplemented.json'))).toBe(true);
    expect(looksLikeSeccompiler(new TextEncoder().encode('{"t": ["trap", "allow", []]}'))).toBe(false);
    expect(looksLikeSeccompiler(new TextEncoder().encode('{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}'))).toBe(false);
    expect(looksLikeSeccompiler(new TextEncoder().encode('{}'))).toBe(false);
    expect(looksLikeSeccompiler(new Uint8Array([0x20, 0, 0, 0, 4, 0, 0, 0]))).toBe(false);
  });
});

describe('seccompiler: syscall tables', () => {
  it('x86_64: seccompiler 0.5.0 (Linux 6.12) knows every name of seccheck\'s table, with the same numbers, and 13 more', () => {
    const extra = Object.keys(SECCOMPILER_SYSCALLS.x86_64).filter((n) => syscallNumber('x86_64', n) === undefined).sort();
    expect(extra).toEqual([
      'cachestat', 'fchmodat2', 'futex_requeue', 'futex_wait', 'futex_wake', 'listmount', 'lsm_get_self_attr',
      'lsm_list_modules', 'lsm_set_self_attr', 'map_shadow_stack', 'mseal', 'statmount', 'uretprobe',
    ]);
    for (const [name, nr] of Object.entries(SECCOMPILER_SYSCALLS.x86_64)) {
      if (!extra.includes(name)) expect([name, syscallNumber('x86_64', name)]).toEqual([name, nr]);
    }
  });

  it('aarch64 and riscv64: where seccheck has a table, shared names have the same numbers', () => {
    for (const a of ['aarch64', 'riscv64'] as const) {
      if (!syscallTableArches().includes(a)) continue;
      for (const [name, nr] of Object.entries(SECCOMPILER_SYSCALLS[a])) {
        const ours = syscallNumber(a, name);
        if (ours !== undefined) expect([a, name, ours]).toEqual([a, name, nr]);
      }
    }
  });
});

describe('seccompiler: robustness', () => {
  const isExpected = (f: () => unknown): boolean => {
    try {
      f();
      return true;
    } catch (e) {
      if (e instanceof SeccheckError && !e.message.includes('\n')) return true;
      throw e;
    }
  };

  it('property: random bytes throw only SeccheckError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => isExpected(() => loadSeccompiler(bytes, 'f.json', { arch: X86_64 }))), { numRuns: 500 });
  });

  it('property: random JSON values throw only SeccheckError', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => isExpected(() => compile(JSON.stringify(v) ?? 'null'))), { numRuns: 500 });
  });

  it('property: seccompiler-shaped JSON with random parts compiles to checker-accepted programs or throws only SeccheckError', () => {
    const anyJson = fc.jsonValue({ maxDepth: 2 });
    const action = fc.oneof(fc.constantFrom('allow', 'trap', 'log', 'kill_thread', 'kill_process', 'errno', 'bogus'),
      fc.record({ errno: fc.nat() }), fc.record({ trace: fc.nat() }), fc.record({ allow: fc.constant(null) }), anyJson);
    const cond = fc.record({
      index: fc.oneof(fc.integer({ min: 0, max: 7 }), anyJson),
      type: fc.oneof(fc.constantFrom('dword', 'qword'), anyJson),
      op: fc.oneof(fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge'), fc.record({ masked_eq: fc.nat() }), anyJson),
      val: fc.oneof(fc.nat(), fc.maxSafeNat(), anyJson),
    }, { requiredKeys: ['index', 'type', 'op', 'val'] });
    const rule = fc.record({ syscall: fc.oneof(fc.constantFrom('read', 'write', 'ioctl', 'open', 'nosuch'), anyJson), args: fc.option(fc.array(cond, { maxLength: 50 })) },
      { requiredKeys: ['syscall'] });
    const filter = fc.record({ default_action: action, filter_action: action, filter: fc.oneof(fc.array(rule, { maxLength: 20 }), anyJson) },
      { requiredKeys: ['default_action', 'filter_action', 'filter'] });
    const doc = fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(filter, filter, anyJson), { maxKeys: 3 });
    const cut = fc.option(fc.nat(), { freq: 4 });
    fc.assert(fc.property(doc, cut, fc.constantFrom(...ARCHES), (d, at, a) => {
      const text = JSON.stringify(d);
      const input = at === null ? text : text.slice(0, at % (text.length + 1));
      return isExpected(() => {
        for (const p of compile(input, a).programs.values()) {
          expect(checkFilter(p).accepted).toBe(true);
          expect(p.length).toBeLessThan(4096);
        }
      });
    }), { numRuns: 400 });
  });
});

const CORPUS_DIGESTS: Digests = {
  'boxlite/aarch64-unknown-linux-gnu.json': {
    x86_64: {
      api: 'f858ad851ac694935e9eb23984e6101fc646a1f92b45bc6887327dd728402493',
      vcpu: 'f6311aaa6041e5e16d41eab0561b5803dcfac00d0dbd0e1154ce80e2078b5b7e',
      vmm: 'a99d0d35feb70b68d17bcfdb2deef3eba6573ba3ef9a7907c5dcd19f968cc796',
    },
    aarch64: {
      api: 'c1b1ea9dee70f183909d43250d5cf0e18e86e3132cac6e9fa9b08021d81a8b39',
      vcpu: '5a68321e4baeb93dbdd30e51573c4efd28f2777a1f2fbb090bc2cc58d07c92bf',
      vmm: '8e0f35e86b2b458393ab5bac1aed5b94eefc854c751b984ab29ca194e456657d',
    },
    riscv64: {
      api: 'f56334e4d523d539f970db17447be24db3bfca2855fb233764e382ec01578a43',
      vcpu: '5a9812422f358a16c3f4b8492a556c933ae8d04a87fd94de23462e90146fae24',
      vmm: 'b40a8c531e58b0e50d3a86558c8ea7626f928a70224c6808c889bee2330f8521',
    },
  },
  'boxlite/aarch64-unknown-linux-musl.json': {
    x86_64: {
      api: 'f858ad851ac694935e9eb23984e6101fc646a1f92b45bc6887327dd728402493',
      vcpu: 'f6311aaa6041e5e16d41eab0561b5803dcfac00d0dbd0e1154ce80e2078b5b7e',
      vmm: 'a99d0d35feb70b68d17bcfdb2deef3eba6573ba3ef9a7907c5dcd19f968cc796',
    },
    aarch64: {
      api: 'c1b1ea9dee70f183909d43250d5cf0e18e86e3132cac6e9fa9b08021d81a8b39',
      vcpu: '5a68321e4baeb93dbdd30e51573c4efd28f2777a1f2fbb090bc2cc58d07c92bf',
      vmm: '8e0f35e86b2b458393ab5bac1aed5b94eefc854c751b984ab29ca194e456657d',
    },
    riscv64: {
      api: 'f56334e4d523d539f970db17447be24db3bfca2855fb233764e382ec01578a43',
      vcpu: '5a9812422f358a16c3f4b8492a556c933ae8d04a87fd94de23462e90146fae24',
      vmm: 'b40a8c531e58b0e50d3a86558c8ea7626f928a70224c6808c889bee2330f8521',
    },
  },
  'boxlite/unimplemented.json': {
    x86_64: {
      api: '3df1baca9c6b27c254851f4ea862ecc949af10c010a4be64e9e1b1b0ecbdd9c9',
      vcpu: '3df1baca9c6b27c254851f4ea862ecc949af10c010a4be64e9e1b1b0ecbdd9c9',
      vmm: '3df1baca9c6b27c254851f4ea862ecc949af10c010a4be64e9e1b1b0ecbdd9c9',
    },
    aarch64: {
      api: '97d1a20d6b86faeca6929f54b37f519885bd3e587014cd8bc15078dbf8825846',
      vcpu: '97d1a20d6b86faeca6929f54b37f519885bd3e587014cd8bc15078dbf8825846',
      vmm: '97d1a20d6b86faeca6929f54b37f519885bd3e587014cd8bc15078dbf8825846',
    },
    riscv64: {
      api: 'c8c5845cd814d61451569c39ea57ae49e59208d22d955442dfbaaf4bcb54934e',
      vcpu: 'c8c5845cd814d61451569c39ea57ae49e59208d22d955442dfbaaf4bcb54934e',
      vmm: 'c8c5845cd814d61451569c39ea57ae49e59208d22d955442dfbaaf4bcb54934e',
    },
  },
  'boxlite/x86_64-unknown-linux-gnu.json': {
    x86_64: {
      api: 'dbb8cdeec8488241ab5394d14b1da5ed826d7d2fbff8040b4b018a51ec6edceb',
      vcpu: '03ebfc30549d9b7beda0db49d452ab0e38bc24f7507a01e09a0ef595a8d4c0ca',
      vmm: 'a097b2261b205afd63cdbc83de62a135ecd596e22d8174754c44ffe5e8592f69',
    },
    aarch64: REJECTED,
    riscv64: REJECTED,
  },
  'boxlite/x86_64-unknown-linux-gnu.original.json': {
    x86_64: {
      api: 'ff002b0182c3cbd733164b7741d8644986592a2749fa68fa62b5aa791e5fa060',
      vcpu: '254bc172cbb02dabc59163d9a6768a99e992d1aafb2c7f3b0b1cf998fa964105',
      vmm: '053944c91c2fe38cdd109dfc439bab35e76ee1fb3df7aeb133d164d116af9f92',
    },
    aarch64: REJECTED,
    riscv64: REJECTED,
  },
  'boxlite/x86_64-unknown-linux-musl.json': {
    x86_64: {
      api: 'dbb8cdeec8488241ab5394d14b1da5ed826d7d2fbff8040b4b018a51ec6edceb',
      gvproxy: '1d606cc579d51e17a361d82670c9aed4e0666f42b86268f04ff7814140c1e0e9',
      vcpu: 'db662580d2b75a59dfd0acc321a023e1df45bdd2f4e6a1bf9618f5d33c6cb510',
      vmm: 'a097b2261b205afd63cdbc83de62a135ecd596e22d8174754c44ffe5e8592f69',
    },
    aarch64: REJECTED,
    riscv64: REJECTED,
  },
  'boxlite/x86_64-unknown-linux-musl.original.json': {
    x86_64: {
      api: 'ff002b0182c3cbd733164b7741d8644986592a2749fa68fa62b5aa791e5fa060',
      vcpu: '254bc172cbb02dabc59163d9a6768a99e992d1aafb2c7f3b0b1cf998fa964105',
      vmm: '053944c91c2fe38cdd109dfc439bab35e76ee1fb3df7aeb133d164d116af9f92',
    },
    aarch64: REJECTED,
    riscv64: REJECTED,
  },
  'boxlite/upstream-boxlite-ai-2aab4a6/x86_64-unknown-linux-gnu.json': {
    x86_64: {
      api: 'dbb8cdeec8488241ab5394d14b1da5ed826d7d2fbff8040b4b018a51ec6edceb',
      vcpu: '03ebfc30549d9b7beda0db49d452ab0e38bc24f7507a01e09a0ef595a8d4c0ca',
      vmm: 'a9d60294754be5126111922f296f7b7a47865ad4816b904704fd394deea15f19',
    },
    aarch64: REJECTED,
    riscv64: REJECTED,
  },
  'firecracker/aarch64-unknown-linux-musl.json': {
    x86_64: {
      api: '16703708060c768bf5fb681fb053ab7c2cc3e6fe6088d2be13472a4e6d4c9069',
      vcpu: 'f5eb9bf4ed0327ad9e2dd3aa074a78a38fc6e015624330f1ebbd3398e67dd197',
      vmm: '89d9cad07b8684763c7680fd9459035215c942ea059b4661a882aa17c8d911a2',
    },
    aarch64: {
      api: '46f8ef03ab251bbe95387ca413aa464b7cb61c53db255db49207e32afc5a2a92',
      vcpu: '41808f6f08c26ba1ca12429fb63ddbc01464c677631e3fc753f7ba8a95736ba0',
      vmm: '91a63b8e8b8933e4736c37f57c2296dd54dcfb9b4cbb6cc339a4bde1b5d53686',
    },
    riscv64: {
      api: 'e0c5133db69ddd4d5ef466f583bf1844c17a556d0e9b4274ec50b052967c5cef',
      vcpu: 'cd50e45b67093a2f80ec53c5804269c8135461a4c44b82ca66473d2d35db1bbb',
      vmm: 'c72336e105a93069b21002783e6a5614cb62175ccf99597d29733630d2577a9d',
    },
  },
  'firecracker/unimplemented.json': {
    x86_64: {
      api: '3df1baca9c6b27c254851f4ea862ecc949af10c010a4be64e9e1b1b0ecbdd9c9',
      vcpu: '3df1baca9c6b27c254851f4ea862ecc949af10c010a4be64e9e1b1b0ecbdd9c9',
      vmm: '3df1baca9c6b27c254851f4ea862ecc949af10c010a4be64e9e1b1b0ecbdd9c9',
    },
    aarch64: {
      api: '97d1a20d6b86faeca6929f54b37f519885bd3e587014cd8bc15078dbf8825846',
      vcpu: '97d1a20d6b86faeca6929f54b37f519885bd3e587014cd8bc15078dbf8825846',
      vmm: '97d1a20d6b86faeca6929f54b37f519885bd3e587014cd8bc15078dbf8825846',
    },
    riscv64: {
      api: 'c8c5845cd814d61451569c39ea57ae49e59208d22d955442dfbaaf4bcb54934e',
      vcpu: 'c8c5845cd814d61451569c39ea57ae49e59208d22d955442dfbaaf4bcb54934e',
      vmm: 'c8c5845cd814d61451569c39ea57ae49e59208d22d955442dfbaaf4bcb54934e',
    },
  },
  'firecracker/x86_64-unknown-linux-musl.json': {
    x86_64: {
      api: 'e19af1de4c211e2b025ed80dbd2138a3f6c2fd9c95c7707b8651399d8e9575bd',
      vcpu: '61108faea2f7806a61eb642e0572c1feba35d18e0a220b438dcebc6235452cf9',
      vmm: 'feef18dabdff5515ff5679718c70502330efaf0e514e19c90d3716cbb33d088a',
    },
    aarch64: REJECTED,
    riscv64: REJECTED,
  },
};

const FIXTURE_DIGESTS: Digests = {
  'actions.json': {
    x86_64: {
      allow: '3df1baca9c6b27c254851f4ea862ecc949af10c010a4be64e9e1b1b0ecbdd9c9',
      errno: 'f75945ea47291ea0a5dddb235cd5f9c8284883702f346cbc2ed2c7c079a95c9e',
      kill_process: '29d1f3b2f573f7d55407f3f8c0e32b5f4ea8b5b2794d3f6bbb9a238a9aa3cd22',
      kill_thread: '535b421c3325a5e3ba3279a5cd866c41b16d8c44dc5f77d0daa6748edfa98feb',
      log: '99b34ae356fd9df0940470541ee9ba9e88a361e7809994bf10b58ef00f7e6f6b',
      trace: '55bbd4463a6158ef6f4aa9ad6364dab7a872b3b20975fa753a0453c4ed5f7fd9',
      trap: '72eff68c36c3f6da5c02d744843a2c253d9e7cc864dd9e6a20c3e2495a25d98e',
      unit_as_map: '535b421c3325a5e3ba3279a5cd866c41b16d8c44dc5f77d0daa6748edfa98feb',
    },
    aarch64: {
      allow: '97d1a20d6b86faeca6929f54b37f519885bd3e587014cd8bc15078dbf8825846',
      errno: '5f0a4177a38d1496f57df86e2aefda1d6d568a02557aff385382d508516164ae',
      kill_process: 'ee8824cda14dd275df954cd7bad06a55c2002ff590c4fd8d869eca8dc0b90e6f',
      kill_thread: 'c566a0dbecf53a7b768cc7be61015928a169afde04d408c7d06b7807b5c93767',
      log: 'f8c41a5de2502d943bf1d907bc2c5bd4e2ee94c0f1cfc755be3cfe007a432f4f',
      trace: 'd64c4bdbe18b21daa5e2d85e9461079734cf48920aeeee1b964f684bd1fec7b1',
      trap: 'ae6925ac0430fbe44a5be97d243e67a2785254a493e64930321896f40e1628d0',
      unit_as_map: 'c566a0dbecf53a7b768cc7be61015928a169afde04d408c7d06b7807b5c93767',
    },
    riscv64: {
      allow: 'c8c5845cd814d61451569c39ea57ae49e59208d22d955442dfbaaf4bcb54934e',
      errno: '32b005113c6c2ac488a97e241bdf1f67f206dbf6178d3a327f5786f07820721b',
      kill_process: '4de84316ab8d0b7b56871b5b4b9aa60edb6d9949f100f5d8fec8d69f13d3cee1',
      kill_thread: '10e1eadbac2026ea29a1f6718692ca39378ff575e61eee1ec8c34008101a43c2',
      log: 'ae6c3a2d2097de88deedcfd35aa346c09d10a588fdb940875a750715705d6699',
      trace: '5294bc397a98b1266a5e1426d1ad48991bf5ba34e7f7a3e3edfb9a16720cfff7',
      trap: '2bb896e337468c20ccf37547ea3ad9bb26f8aebd02d7fa4eceb0d841f5800c81',
      unit_as_map: '10e1eadbac2026ea29a1f6718692ca39378ff575e61eee1ec8c34008101a43c2',
    },
  },
  'layout.json': {
    x86_64: {
      main: 'e6bc5457f5d72ae90573ece1ff891fd6d98f90da3fad887f4cfd14d4853a4e9c',
    },
    aarch64: {
      main: 'f2335a21e8759beb413a45576e6d9949aa3cdc33a7e7dbb14e6b918618d56b83',
    },
    riscv64: {
      main: 'a8f3915e7a3a61ce0a4b669748511c45fbaa974187ebedf2896dc368a39a2f78',
    },
  },
  'ops.json': {
    x86_64: {
      dword: '813e49f55ec66bacba19d5bd0b8e4d8beeac8b5c8472b4200e8a3d18d5cc3cb1',
      qword: '697be0c79347d78621ad302c59a17f021b979f8ff584a75b19025e3deac47e92',
    },
    aarch64: {
      dword: '5b3d162af0a942f7c4bb96fdd51973d4055e425545208900b730a2b21ad1c0f5',
      qword: '90e0183dc74c2700bffd4d1f3aef921a329cb0fdacde1ea3779ceeb51ed1c99e',
    },
    riscv64: {
      dword: '8972fe42d18efcc95097a9807b9d8ef34ab1e02e3b96da5f7042941631286022',
      qword: 'ba02f012d72f7469d1f53a8bfbd0936611c469130d579cf592609981fd4201b1',
    },
  },
  'pitfalls.json': {
    x86_64: {
      denylist: '8ead84eeb07ac6c7762133ea1a502c8611f3da3b5653641c4045cdd1bf131b8e',
    },
    aarch64: {
      denylist: '750afbf086aa027179938cd59aafb9ba9a55acedbdecdf02546eca2fa5954007',
    },
    riscv64: {
      denylist: '3607db999788b0399a024e43e2b6efa924053f5d6ff3f8cef933b30e070ae21b',
    },
  },
  'riscv64.json': {
    x86_64: REJECTED,
    aarch64: REJECTED,
    riscv64: {
      vmm: '57f580c35ac1db5acf114f58befb08ab361adde8d8b3c2019a7704d163bd8c4a',
    },
  },
  'trampoline.json': {
    x86_64: {
      t: 'adc38cc9c7cb0ee1d8822d3e0a7472457b6b447f72ab908b2df25b88a3a18983',
    },
    aarch64: {
      t: 'b876bc5c75d6fe9b0f3948b5f15554db7b0fe92b079f99a5433bda78b6381ac4',
    },
    riscv64: {
      t: '32d654b48cd8ea6ee049dbd5fd85602b0adff7fd5c6493d3dd4b8065f5c48c5a',
    },
  },
};
