import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archByName } from './audit_arch.js';
import { BPF_JUMP, BPF_STMT, OP, isCondJump, type Insn, type Program } from './bpf.js';
import { compileFilter } from './compile.js';
import { Coverage, type BranchEdge } from './coverage.js';
import { BpfEmulator, ProgramRejectedError } from './interpreter.js';
import { seccompData, seccompDataWords } from './seccomp_data.js';
import { dataWordsFor, programAndData } from './__test-helpers__/arbitraries.js';
import { numRuns } from './__test-helpers__/runs.js';
import { loadCorpusFilters, type CorpusCase } from './__test-helpers__/corpus.js';

const ALLOW = 0x7fff0000;
const ERRNO = (e: number): number => (0x00050000 | e) >>> 0;
const X86_64 = 0xc000003e;

/** Data words with nr, arch and args[0] (x86_64 layout). */
function words(nr: number, arch = X86_64, arg0: bigint | number = 0): Uint32Array {
  return seccompDataWords(seccompData(nr, arch, [arg0]));
}

/** A conditional jump's condition on the registers it sees (SEMANTICS §3.2), written out independently. */
function condition(ins: Insn, a: number, x: number): boolean {
  const v = (ins.code & 0x08) === 0 ? ins.k >>> 0 : x >>> 0;
  a >>>= 0;
  switch (ins.code & 0xf0) {
    case 0x10: return a === v;
    case 0x20: return a > v;
    case 0x30: return a >= v;
    default: return (a & v) !== 0;
  }
}

/**
 * What a hook-based run of the reference interpreter says about the same
 * inputs: instruction hits and branch edges from the code hook, which sees
 * A and X just before each instruction.
 */
function reference(program: Program, inputs: readonly Uint32Array[]): { rets: number[]; hits: number[]; edgeHits: number[]; edges: BranchEdge[] } {
  const edges: BranchEdge[] = [];
  const edgeIndex = new Map<string, number>();
  program.forEach((ins, pc) => {
    if (ins.code === OP.JMP_JA) {
      edgeIndex.set(`${pc}:ja`, edges.length);
      edges.push({ from: pc, to: pc + 1 + ins.k, branch: 'ja' });
    } else if (isCondJump(ins.code)) {
      edgeIndex.set(`${pc}:true`, edges.length);
      edges.push({ from: pc, to: pc + 1 + ins.jt, branch: 'true' });
      edgeIndex.set(`${pc}:false`, edges.length);
      edges.push({ from: pc, to: pc + 1 + ins.jf, branch: 'false' });
    }
  });
  const hits = new Array<number>(program.length).fill(0);
  const edgeHits = new Array<number>(edges.length).fill(0);
  const rets: number[] = [];
  const emu = new BpfEmulator(program);
  emu.hookAdd('code', (e, pc, ins) => {
    hits[pc]++;
    if (ins.code === OP.JMP_JA) edgeHits[edgeIndex.get(`${pc}:ja`)!]++;
    else if (isCondJump(ins.code)) edgeHits[edgeIndex.get(`${pc}:${condition(ins, e.A, e.X)}`)!]++;
  });
  for (const w of inputs) {
    const status = emu.start(w);
    if (status.status !== 'returned') throw new Error('interpreter did not finish');
    rets.push(status.ret);
  }
  return { rets, hits, edgeHits, edges };
}

describe('Coverage on hand-made programs', () => {
  // 0: LD [0]; 1: JEQ #39 ->2 / ->3; 2: RET ERRNO(1); 3: RET ALLOW
  const denyGetpid: Insn[] = [
    BPF_STMT(OP.LD_W_ABS, 0),
    BPF_JUMP(OP.JMP_JEQ_K, 39, 0, 1),
    BPF_STMT(OP.RET_K, ERRNO(1)),
    BPF_STMT(OP.RET_K, ALLOW),
  ];

  it('counts instructions and both edges of a JEQ', () => {
    const cov = new Coverage(denyGetpid);
    expect(cov.record(words(39))).toBe(ERRNO(1));
    expect(cov.record(words(1))).toBe(ALLOW);
    expect(cov.record(words(2))).toBe(ALLOW);
    expect(cov.runs).toBe(3);
    expect([...cov.instructionHits()]).toEqual([3, 3, 1, 2]);
    expect(cov.edges()).toEqual([
      { from: 1, to: 2, branch: 'true' },
      { from: 1, to: 3, branch: 'false' },
    ]);
    expect([...cov.edgeHits()]).toEqual([1, 2]);
    expect(cov.uncoveredInstructions()).toEqual([]);
    expect(cov.uncoveredEdges()).toEqual([]);
    expect(cov.summary()).toEqual({ instructions: { hit: 4, total: 4 }, edges: { hit: 2, total: 2 } });
  });

  it('reports what was not reached', () => {
    const cov = new Coverage(denyGetpid);
    cov.record(words(1));
    expect([...cov.instructionHits()]).toEqual([1, 1, 0, 1]);
    expect(cov.uncoveredInstructions()).toEqual([2]);
    expect(cov.uncoveredEdges()).toEqual([{ from: 1, to: 2, branch: 'true' }]);
    expect(cov.summary()).toEqual({ instructions: { hit: 3, total: 4 }, edges: { hit: 1, total: 2 } });
  });

  it('starts empty', () => {
    const cov = new Coverage(denyGetpid);
    expect(cov.runs).toBe(0);
    expect([...cov.instructionHits()]).toEqual([0, 0, 0, 0]);
    expect([...cov.edgeHits()]).toEqual([0, 0]);
    expect(cov.uncoveredInstructions()).toEqual([0, 1, 2, 3]);
    expect(cov.summary()).toEqual({ instructions: { hit: 0, total: 4 }, edges: { hit: 0, total: 2 } });
  });

  it('keeps two edges when jt == jf and counts the branch the condition chose', () => {
    // 0: LD [0]; 1: JEQ #0 ->2 / ->2; 2: RET A
    const p = [BPF_STMT(OP.LD_W_ABS, 0), BPF_JUMP(OP.JMP_JEQ_K, 0, 0, 0), BPF_STMT(OP.RET_A, 0)];
    const cov = new Coverage(p);
    expect(cov.edges()).toEqual([
      { from: 1, to: 2, branch: 'true' },
      { from: 1, to: 2, branch: 'false' },
    ]);
    cov.record(words(0));
    expect([...cov.edgeHits()]).toEqual([1, 0]);
    cov.record(words(7));
    cov.record(words(8));
    expect([...cov.edgeHits()]).toEqual([1, 2]);
    expect([...cov.instructionHits()]).toEqual([3, 3, 3]);
  });

  it('gives every JA one edge, JA 0 included, hit as often as the JA', () => {
    // 0: JA +1 (->2); 1: LD #1 (dead); 2: JA 0 (->3); 3: RET A
    const p = [BPF_STMT(OP.JMP_JA, 1), BPF_STMT(OP.LD_IMM, 1), BPF_STMT(OP.JMP_JA, 0), BPF_STMT(OP.RET_A, 0)];
    const cov = new Coverage(p);
    expect(cov.edges()).toEqual([
      { from: 0, to: 2, branch: 'ja' },
      { from: 2, to: 3, branch: 'ja' },
    ]);
    expect(cov.record(words(0))).toBe(0);
    expect(cov.record(words(0))).toBe(0);
    expect([...cov.instructionHits()]).toEqual([2, 0, 2, 2]);
    expect([...cov.edgeHits()]).toEqual([2, 2]);
    expect(cov.uncoveredInstructions()).toEqual([1]);
  });

  it('lists edges in instruction order, true before false', () => {
    const p = [
      BPF_STMT(OP.LD_W_ABS, 0), // 0
      BPF_JUMP(OP.JMP_JGE_K, 10, 2, 0), // 1 -> 4 / 2
      BPF_JUMP(OP.JMP_JSET_K, 1, 0, 1), // 2 -> 3 / 4
      BPF_STMT(OP.JMP_JA, 0), // 3 -> 4
      BPF_STMT(OP.RET_A, 0), // 4
    ];
    expect(new Coverage(p).edges()).toEqual([
      { from: 1, to: 4, branch: 'true' },
      { from: 1, to: 2, branch: 'false' },
      { from: 2, to: 3, branch: 'true' },
      { from: 2, to: 4, branch: 'false' },
      { from: 3, to: 4, branch: 'ja' },
    ]);
  });

  it('stops at DIV X with X == 0: the DIV ran, what follows did not, the value is 0', () => {
    // 0: LD [0]; 1: TAX; 2: LD #10; 3: DIV X; 4: RET A
    const p = [BPF_STMT(OP.LD_W_ABS, 0), BPF_STMT(OP.MISC_TAX, 0), BPF_STMT(OP.LD_IMM, 10), BPF_STMT(OP.ALU_DIV_X, 0), BPF_STMT(OP.RET_A, 0)];
    const cov = new Coverage(p);
    expect(cov.record(words(0))).toBe(0);
    expect([...cov.instructionHits()]).toEqual([1, 1, 1, 1, 0]);
    expect(cov.record(words(5))).toBe(2);
    expect([...cov.instructionHits()]).toEqual([2, 2, 2, 2, 1]);
    expect(cov.edges()).toEqual([]);
    expect(cov.summary().edges).toEqual({ hit: 0, total: 0 });
  });

  it('runs the LEN loads and scratch memory as the kernel does', () => {
    const p = [
      BPF_STMT(OP.LD_W_LEN, 0), // A = 64
      BPF_STMT(OP.ST, 3),
      BPF_STMT(OP.LDX_W_LEN, 0), // X = 64
      BPF_STMT(OP.ALU_ADD_X, 0), // A = 128
      BPF_STMT(OP.LDX_MEM, 3), // X = 64
      BPF_STMT(OP.ALU_SUB_X, 0), // A = 64
      BPF_STMT(OP.RET_A, 0),
    ];
    expect(new Coverage(p).record(words(0))).toBe(64);
  });

  it('refuses a program the kernel rejects', () => {
    expect(() => new Coverage([BPF_STMT(OP.LD_IMM, 0)])).toThrow(ProgramRejectedError);
    expect(() => new Coverage([])).toThrow(ProgramRejectedError);
    expect(() => new Coverage([BPF_STMT(OP.LD_MEM, 0), BPF_STMT(OP.RET_A, 0)])).toThrow(ProgramRejectedError);
  });

  it('refuses fewer than 16 data words', () => {
    expect(() => new Coverage(denyGetpid).record(new Uint32Array(4))).toThrow(RangeError);
  });

  it('merges coverage of the same program, and refuses another program', () => {
    const a = new Coverage(denyGetpid);
    const b = new Coverage(denyGetpid.map((i) => ({ ...i }))); // equal, not identical
    const all = new Coverage(denyGetpid);
    for (const nr of [1, 2]) {
      a.record(words(nr));
      all.record(words(nr));
    }
    for (const nr of [39, 39, 5]) {
      b.record(words(nr));
      all.record(words(nr));
    }
    a.merge(b);
    expect(a.runs).toBe(5);
    expect([...a.instructionHits()]).toEqual([...all.instructionHits()]);
    expect([...a.edgeHits()]).toEqual([...all.edgeHits()]);
    expect([...b.instructionHits()]).toEqual([3, 3, 2, 1]); // the other side is untouched
    const other = new Coverage([BPF_STMT(OP.RET_K, ALLOW)]);
    expect(() => a.merge(other)).toThrow(/different programs/);
    const sameLength = new Coverage([...denyGetpid.slice(0, 3), BPF_STMT(OP.RET_K, ERRNO(2))]);
    expect(() => a.merge(sameLength)).toThrow(/different programs/);
  });

  it('merges DIV X early exits too', () => {
    const p = [BPF_STMT(OP.LD_W_ABS, 0), BPF_STMT(OP.MISC_TAX, 0), BPF_STMT(OP.ALU_DIV_X, 0), BPF_STMT(OP.RET_A, 0)];
    const a = new Coverage(p);
    const b = new Coverage(p);
    a.record(words(1));
    b.record(words(0));
    b.record(words(0));
    a.merge(b);
    expect([...a.instructionHits()]).toEqual([3, 3, 3, 1]);
  });
});

describe('Coverage against the hook-based interpreter', () => {
  it('returns the same values and counts the same hits and edges on random valid programs', () => {
    fc.assert(
      fc.property(programAndData(40), ({ program, words: inputs }) => {
        const cov = new Coverage(program);
        const got = inputs.map((w) => cov.record(w));
        const ref = reference(program, inputs);
        expect(got).toEqual(ref.rets);
        expect(got).toEqual(inputs.map((w) => compileFilter(program)(w)));
        expect(cov.edges()).toEqual(ref.edges);
        expect([...cov.instructionHits()]).toEqual(ref.hits);
        expect([...cov.edgeHits()]).toEqual(ref.edgeHits);
        expect(cov.runs).toBe(inputs.length);
      }),
      { numRuns: numRuns(1500) },
    );
  });
});

// ---- corpus: libseccomp's regression filters and Docker's default profile ----


/** seccomp_data words for a corpus case, laid out in its arch's byte order. */
function caseWords(c: CorpusCase): Uint32Array {
  const arch = archByName(c.arch);
  if (!arch) throw new Error(`unknown arch ${c.arch}`);
  return seccompDataWords(seccompData(c.nr, arch.auditArch, c.args.map((a) => BigInt(a)), BigInt(c.ip)), arch.endian);
}

const corpus = loadCorpusFilters();

describe('Coverage on the corpus', () => {
  it('finds the corpus', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(28);
    expect(corpus.every((f) => f.cases.length > 0)).toBe(true);
  });

  for (const f of corpus) {
    it(`${f.name}: returns each case's raw value, as both engines do`, () => {
      const cov = new Coverage(f.program);
      const emu = new BpfEmulator(f.program);
      const fn = compileFilter(f.program);
      for (const c of f.cases) {
        const w = caseWords(c);
        const want = Number(c.raw) >>> 0;
        const got = cov.record(w);
        expect({ case: c, got }).toEqual({ case: c, got: want });
        expect(emu.run(w)).toBe(want);
        expect(fn(w)).toBe(want);
      }
      expect(cov.runs).toBe(f.cases.length);
      expect(cov.instructionHits()[0]).toBe(f.cases.length);
      // Differential only: fuzz.jsonl's raw is libseccomp's simulator, not an independent answer.
      for (const c of f.fuzz) {
        const w = caseWords(c);
        expect(cov.record(w)).toBe(emu.run(w));
      }
      const s = cov.summary();
      expect(s.instructions.total).toBe(f.program.length);
      expect(s.instructions.hit).toBe(f.program.length - cov.uncoveredInstructions().length);
      expect(s.edges.hit).toBe(s.edges.total - cov.uncoveredEdges().length);
    });
  }

  it('agrees with the interpreter on random data for every corpus filter (fast-check)', () => {
    for (const f of corpus) {
      const cov = new Coverage(f.program);
      const emu = new BpfEmulator(f.program);
      // Data biased toward the filter's own constants, with the arch word drawn from its cases.
      const archWords = [...new Set(f.cases.map((c) => caseWords(c)[1]))];
      const data = fc.tuple(dataWordsFor(f.program), fc.constantFrom(...archWords), fc.boolean()).map(([w, arch, keepArch]) => {
        const out = w.slice();
        if (keepArch) out[1] = arch;
        return out;
      });
      fc.assert(
        fc.property(data, (w) => {
          expect(cov.record(w)).toBe(emu.run(w));
        }),
        { numRuns: numRuns(300) },
      );
    }
  });
});
