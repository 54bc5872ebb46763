import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFilter } from 'unicorn-bpf-emulator';
import { program, stack } from './index.js';

describe('program', () => {
  it('generates programs the checker accepts, for several ABIs', () => {
    for (const arch of ['x86_64', 'aarch64', 'x86', 's390x']) {
      fc.assert(fc.property(program({ arch }), (p) => {
        const r = checkFilter(p);
        if (!r.accepted) throw new Error(`${r.rule} at ${r.insn}: ${r.reason}`);
      }), { numRuns: 300 });
    }
  });

  it('has the realistic shape: arch check first, scratch memory, a final RET', () => {
    fc.assert(fc.property(program(), (p) => {
      expect(p[0]).toMatchObject({ code: 0x20, k: 4 });
      expect(p.some((i) => i.code === 0x02)).toBe(true);
      expect([0x06, 0x16]).toContain(p[p.length - 1].code);
    }), { numRuns: 200 });
  });

  it('near-valid mutations are mostly rejected', () => {
    const samples = fc.sample(program({ valid: false }), { numRuns: 500, seed: 7 });
    const rejected = samples.filter((p) => !checkFilter(p).accepted).length;
    console.log(`program({valid: false}): ${rejected}/500 rejected by the checker`);
    expect(rejected).toBeGreaterThan(350);
  });

  it('shrinks to a small program', () => {
    const r = fc.check(fc.property(program(), (p) => p.length < 12), { seed: 3 });
    expect(r.failed).toBe(true);
    expect((r.counterexample as [unknown[]])[0].length).toBeLessThanOrEqual(16);
  });

  it('stack() gives 1..maxFilters valid programs', () => {
    fc.assert(fc.property(stack({ maxFilters: 3 }), (s) => {
      expect(s.length).toBeGreaterThanOrEqual(1);
      expect(s.length).toBeLessThanOrEqual(3);
      for (const p of s) expect(checkFilter(p).accepted).toBe(true);
    }), { numRuns: 100 });
  });
});
