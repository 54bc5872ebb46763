import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Coverage, OP, insn, seccompDataWords } from 'unicorn-bpf-emulator';
import { branchTargets } from './_internals/dictionary.js';
import { program } from './program.js';
import { seccompDataWordsArb } from './seccompData.js';
import { filterDictionary, seccompData } from './index.js';

const filter = [
  insn(OP.LD_W_ABS, 0, 0, 4), insn(OP.JMP_JEQ_K, 1, 0, 0xc000003e), insn(OP.RET_K, 0, 0, 0),
  insn(OP.LD_W_ABS, 0, 0, 0), insn(OP.JMP_JEQ_K, 0, 5, 16),
  insn(OP.LD_W_ABS, 0, 0, 24), insn(OP.ALU_AND_K, 0, 0, 0xff00), insn(OP.JMP_JEQ_K, 0, 2, 0x5400),
  insn(OP.LD_W_ABS, 0, 0, 32), insn(OP.JMP_JSET_K, 0, 0, 0x80),
  insn(OP.RET_K, 0, 0, 0x7fff0000),
];

describe('seccompData', () => {
  it('round-trips through the words of its ABI, big- and little-endian', () => {
    for (const arch of ['x86_64', 's390x']) {
      fc.assert(fc.property(seccompData({ arch }), (d) => {
        const w = seccompDataWords(d, arch === 's390x' ? 'big' : 'little');
        expect(w.length).toBe(16);
      }), { numRuns: 200 });
    }
  });

  it('draws the table, the edges (-1, the x32 bit) and foreign arches', () => {
    const s = fc.sample(seccompData({ arch: 'x86_64' }), { numRuns: 3000, seed: 5 });
    expect(s.some((d) => d.nr === 39)).toBe(true);
    expect(s.some((d) => d.nr === -1)).toBe(true);
    expect(s.some((d) => (d.nr & 0x40000000) !== 0 && d.nr > 0)).toBe(true);
    expect(s.some((d) => d.arch !== 0xc000003e)).toBe(true);
  });

  it("uses the filter's dictionary per load offset", () => {
    const dict = filterDictionary(filter);
    expect(dict[0]).toEqual(expect.arrayContaining([15, 16, 17]));
    expect(dict[6]).toEqual(expect.arrayContaining([0x5400, 0x53ff, 0x5401, 0xffff00ff]));
    expect(dict[7]).toEqual(expect.arrayContaining([0, 0xffffffff]));
    expect(dict[8]).toEqual(expect.arrayContaining([0x80, 0]));
    const s = fc.sample(seccompDataWordsArb({ arch: 'x86_64', filter }), { numRuns: 1000, seed: 9 });
    expect(s.filter((w) => w[0] === 16 && (w[6] & 0xff00) === 0x5400).length).toBeGreaterThan(20);
  });

  // nr == 16 && args[0] == 0x5401 (both halves) && (args[1].lo & 0xff00) == 0x5400 && args[2].lo >= 0x1000: ALLOW.
  const deep = [
    insn(OP.LD_W_ABS, 0, 0, 4), insn(OP.JMP_JEQ_K, 1, 0, 0xc000003e), insn(OP.RET_K, 0, 0, 0),
    insn(OP.LD_W_ABS, 0, 0, 0), insn(OP.JMP_JEQ_K, 0, 9, 16),
    insn(OP.LD_W_ABS, 0, 0, 20), insn(OP.JMP_JEQ_K, 0, 7, 0),
    insn(OP.LD_W_ABS, 0, 0, 16), insn(OP.JMP_JEQ_K, 0, 5, 0x5401),
    insn(OP.LD_W_ABS, 0, 0, 24), insn(OP.ALU_AND_K, 0, 0, 0xff00), insn(OP.JMP_JEQ_K, 0, 2, 0x5400),
    insn(OP.LD_W_ABS, 0, 0, 32), insn(OP.JMP_JGE_K, 1, 0, 0x1000),
    insn(OP.RET_K, 0, 0, 0x50001),
    insn(OP.RET_K, 0, 0, 0x7fff0000),
  ];

  it('aims at branch sides: a conjunction five compares deep is hit often, and every side is covered', () => {
    const s = fc.sample(seccompDataWordsArb({ arch: 'x86_64', filter: deep }), { numRuns: 2000, seed: 3 });
    const cov = new Coverage(deep);
    let allowed = 0;
    for (const w of s) if (cov.record(w) >>> 0 === 0x7fff0000) allowed++;
    expect(allowed).toBeGreaterThan(100);
    expect(cov.summary().edges.hit).toBe(cov.summary().edges.total);
  });

  it('sees through invertible arithmetic: nr + 5 == 21 and args[0].lo ^ 0xff == 0x0f', () => {
    const arith = [
      insn(OP.LD_W_ABS, 0, 0, 0), insn(OP.ALU_ADD_K, 0, 0, 5), insn(OP.JMP_JEQ_K, 0, 4, 21),
      insn(OP.LD_W_ABS, 0, 0, 16), insn(OP.ALU_XOR_K, 0, 0, 0xff), insn(OP.JMP_JEQ_K, 0, 1, 0x0f),
      insn(OP.RET_K, 0, 0, 0x7fff0000),
      insn(OP.RET_K, 0, 0, 0),
    ];
    const t = branchTargets(arith).find((x) => x.pc === 5 && x.branch === 'true')!;
    expect(t.variants[0].words[0]).toEqual([16]);
    expect(t.variants[0].words[4]).toEqual([0xf0]);
    const cov = new Coverage(arith);
    for (const w of fc.sample(seccompDataWordsArb({ arch: 'x86_64', filter: arith }), { numRuns: 500, seed: 8 })) cov.record(w);
    expect(cov.summary().edges.hit).toBe(cov.summary().edges.total);
  });

  it("keeps the facts of each way into a shared block apart (per arch), and each target's values take its side", () => {
    // x86_64 nr 1 and i386 nr 4 share the argument check at 9.
    const shared = [
      insn(OP.LD_W_ABS, 0, 0, 4), insn(OP.JMP_JEQ_K, 0, 3, 0xc000003e),
      insn(OP.LD_W_ABS, 0, 0, 0), insn(OP.JMP_JEQ_K, 5, 0, 1), insn(OP.RET_K, 0, 0, 0x7fff0000),
      insn(OP.JMP_JEQ_K, 0, 5, 0x40000003),
      insn(OP.LD_W_ABS, 0, 0, 0), insn(OP.JMP_JEQ_K, 0, 3, 4), insn(OP.JMP_JA, 0, 0, 0),
      insn(OP.LD_W_ABS, 0, 0, 16), insn(OP.JMP_JEQ_K, 1, 0, 7),
      insn(OP.RET_K, 0, 0, 0),
      insn(OP.RET_K, 0, 0, 0x7fff0000),
    ];
    const targets = branchTargets(shared);
    const at10 = targets.filter((t) => t.pc === 10);
    expect(at10.map((t) => t.branch).sort()).toEqual(['false', 'true']);
    for (const t of at10) expect(t.variants.map((v) => v.words[1][0]).sort()).toEqual([0x40000003, 0xc000003e]);
    const cov = new Coverage(shared);
    const edges = cov.edges();
    for (const t of targets) {
      for (const v of t.variants) {
        const w = new Uint32Array(16);
        v.words.forEach((vs, i) => { if (vs.length) { expect(v.accepts(i, vs[0])).toBe(true); w[i] = vs[0]; } });
        const c = new Coverage(shared);
        c.record(w);
        expect(c.edgeHits()[edges.findIndex((e) => e.from === t.pc && e.branch === t.branch)], `${t.pc} ${t.branch}`).toBe(1);
      }
    }
  });

  it('without edges, aimed draws keep the ABI\'s own arch', () => {
    const s = fc.sample(seccompDataWordsArb({ arch: 'x86_64', filter: deep, edges: false }), { numRuns: 2000, seed: 4 });
    expect(s.every((w) => w[1] === 0xc000003e)).toBe(true);
  });

  it('on any generated program (valid or near-valid): 16 words, and the values of every exact target variant take its side whatever the other words', () => {
    const u32s = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 16, maxLength: 16 });
    fc.assert(fc.property(fc.oneof(program(), program({ valid: false })), fc.array(u32s, { minLength: 3, maxLength: 3 }), (p, fills) => {
      for (const w of fc.sample(seccompDataWordsArb({ arch: 'x86_64', filter: p }), { numRuns: 20, seed: 1 })) expect(w.length).toBe(16);
      let cov: Coverage;
      try { cov = new Coverage(p); } catch { return; } // rejected by the checker: nothing to run
      const edges = cov.edges();
      for (const t of branchTargets(p)) {
        const e = edges.findIndex((x) => x.from === t.pc && x.branch === t.branch);
        for (const v of t.variants.filter((x) => x.exact)) {
          for (const fill of fills) {
            const w = Uint32Array.from(fill);
            v.words.forEach((vs, i) => { if (vs.length) w[i] = vs[0]; });
            const c = new Coverage(p);
            c.record(w);
            expect(c.edgeHits()[e], `${t.pc} ${t.branch}`).toBe(1);
          }
        }
      }
    }), { numRuns: 150, seed: 11 });
  });
});
