import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insn, OP, type Insn } from './bpf.js';
import { compileFilter, compileToSource, MAX_LABELS_PER_SEGMENT } from './compile.js';
import { BpfEmulator } from './interpreter.js';
import { programAndData } from './__test-helpers__/arbitraries.js';
import { numRuns } from './__test-helpers__/runs.js';

describe('compiled engine', () => {
  it('returns what the interpreter returns for random valid programs and data', () => {
    fc.assert(
      fc.property(programAndData(48), ({ program, words }) => {
        const emu = new BpfEmulator(program);
        const fn = compileFilter(program);
        for (const w of words) expect(fn(w)).toBe(emu.run(w));
      }),
      { numRuns: numRuns(3000) },
    );
  });

  it('returns a u32 even when A has the sign bit set', () => {
    const p = [insn(OP.LD_IMM, 0, 0, 0xffff0000), insn(OP.RET_A, 0, 0, 0)];
    expect(compileFilter(p)(new Uint32Array(16))).toBe(0xffff0000);
  });

  it('returns 0 from the whole filter on DIV by X == 0', () => {
    const p = [insn(OP.LDX_IMM, 0, 0, 0), insn(OP.LD_IMM, 0, 0, 7), insn(OP.ALU_DIV_X, 0, 0, 0), insn(OP.RET_K, 0, 0, 0x0005000b)];
    expect(compileFilter(p)(new Uint32Array(16))).toBe(0);
  });

  it('inlines jumps to RET instead of labelling them', () => {
    const p = [insn(OP.LD_W_ABS, 0, 0, 0), insn(OP.JMP_JEQ_K, 1, 0, 39), insn(OP.RET_K, 0, 0, 0x7fff0000), insn(OP.RET_K, 0, 0, 0x00050001)];
    const src = compileToSource(p);
    expect(src).not.toMatch(/L\d+:/);
    expect(src).toContain('return 327681;');
  });

  it('splits programs with more jump targets than one segment can nest, and stays exact', () => {
    // A chain of compares, each jumping to its own distinct LD target: ~2000 labels.
    const n = 4096;
    const p: Insn[] = [];
    for (let pc = 0; pc < n - 1; pc++) {
      if (pc % 2 === 0) p.push(insn(OP.JMP_JEQ_K, Math.min(255, n - 2 - pc), 0, pc));
      else p.push(insn(OP.ALU_ADD_K, 0, 0, 1));
    }
    p.push(insn(OP.RET_A, 0, 0, 0));
    const src = compileToSource(p);
    expect(src).toContain('continue run;');
    expect((src.match(/L\d+: \{/g) ?? []).length).toBeGreaterThan(MAX_LABELS_PER_SEGMENT);
    const fn = compileFilter(p);
    const emu = new BpfEmulator(p);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: n + 5 }), (a0) => {
        const w = new Uint32Array(16);
        // A starts at 0 and is only changed by ADD, so vary the data via X-less paths: compare against pc values.
        w[0] = a0;
        expect(fn(w)).toBe(emu.run(w));
      }),
      { numRuns: numRuns(200) },
    );
  });
});
