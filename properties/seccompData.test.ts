import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OP, insn, seccompDataWords } from 'unicorn-bpf-emulator';
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
});
