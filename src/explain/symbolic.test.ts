import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, interpret, SECCOMP_DATA_WORDS, type Insn } from 'unicorn-bpf-emulator';
import { programAndData } from '../../emulator/src/__test-helpers__/arbitraries.js';
import { numRuns } from '../../emulator/src/__test-helpers__/runs.js';
import { solve } from './solver.js';
import { explorePaths, pathHolds, pathReturn, type SymQuery } from './symbolic.js';

const allSymbolic: SymQuery = { concrete: new Array(SECCOMP_DATA_WORDS).fill(undefined) };
const withNrArch = (nr: number, arch: number): SymQuery => {
  const concrete = new Array<number | undefined>(SECCOMP_DATA_WORDS).fill(undefined);
  concrete[0] = nr;
  concrete[1] = arch;
  return { concrete };
};

/** The paths concrete data takes: exactly one, returning what the interpreter returns. */
function expectOnePathAgrees(program: Insn[], paths: ReturnType<typeof explorePaths>['paths'], words: Uint32Array): void {
  const taken = paths.filter((p) => pathHolds(p, words));
  expect(taken).toHaveLength(1);
  expect(pathReturn(taken[0], words)).toBe(interpret(program, words) >>> 0);
}

describe('explorePaths against the interpreter', () => {
  it('random valid programs: the paths partition the data, and each returns what the interpreter does', () => {
    fc.assert(
      fc.property(programAndData(40), ({ program, words }) => {
        const ex = explorePaths(program, { ...allSymbolic, budget: 50_000 });
        fc.pre(ex.complete);
        for (const w of words) expectOnePathAgrees(program, ex.paths, w);
        // Pruning keeps only satisfiable paths: every word's atoms have a solution.
        for (const p of ex.paths) for (const atoms of p.words) expect(solve(atoms)).not.toBe(null);
      }),
      { numRuns: numRuns(300) },
    );
  });

  it('the same with nr and arch concrete (as explain queries them)', () => {
    fc.assert(
      fc.property(programAndData(40), ({ program, words }) => {
        for (const w of words) {
          const ex = explorePaths(program, { ...withNrArch(w[0], w[1]), budget: 50_000 });
          if (!ex.complete) continue;
          expectOnePathAgrees(program, ex.paths, w);
        }
      }),
      { numRuns: numRuns(200) },
    );
  });
});

describe('explorePaths on small programs', () => {
  it('A == 5 then A > 7: the impossible branch is pruned, its RET never appears', () => {
    const p = assemble(`
      ld [16]
      jeq #5, five, other
    five:
      jgt #7, never, ok
    never: ret #0x80000000
    ok: ret ERRNO(5)
    other: ret ALLOW`);
    const ex = explorePaths(p, allSymbolic);
    expect(ex.complete).toBe(true);
    expect(ex.paths.map((x) => x.result)).toEqual([
      { kind: 'ret', raw: 0x00050005, divByZero: false },
      { kind: 'ret', raw: 0x7fff0000, divByZero: false },
    ]);
    // The implied "A <= 7" is not added: the first path has exactly A == 5.
    expect(ex.paths[0].words[4]).toEqual([{ kind: 'range', mask: 0xffffffff, lo: 5, hi: 5 }]);
  });

  it('DIV by X == 0 ends a path with 0; X from a data word splits on it', () => {
    const p = assemble('ld [16]\ntax\nld #100\ndiv x\nret ALLOW');
    const ex = explorePaths(p, allSymbolic);
    expect(ex.paths.map((x) => x.result)).toEqual([
      { kind: 'ret', raw: 0, divByZero: true },
      { kind: 'ret', raw: 0x7fff0000, divByZero: false },
    ]);
  });

  it('RET A of a data word is a symbolic return; of nr arithmetic, concrete per query', () => {
    const echo = explorePaths(assemble('ld [24]\nret a'), allSymbolic);
    expect(echo.paths).toHaveLength(1);
    expect(echo.paths[0].result).toEqual({ kind: 'ret_a', value: { kind: 'masked', w: 6, mask: 0xffffffff } });
    const nrErrno = explorePaths(assemble('ld [0]\nor #0x50000\nret a'), withNrArch(39, 0xc000003e));
    expect(nrErrno.paths[0].result).toEqual({ kind: 'ret', raw: 0x00050027, divByZero: false });
  });

  it('nr in X and M[], LEN and arithmetic on the concrete nr', () => {
    const p = assemble(`
      ld [0]
      st M[3]
      ldx M[3]
      ld #len
      sub x
      jeq #25, yes, no
    yes: ret ERRNO(1)
    no: ret ALLOW`);
    expect(explorePaths(p, withNrArch(39, 0)).paths[0].result).toMatchObject({ raw: 0x00050001 }); // 64 - 39 == 25
    expect(explorePaths(p, withNrArch(40, 0)).paths[0].result).toMatchObject({ raw: 0x7fff0000 });
  });

  it('w + c == k and (w ^ c) & k are decided exactly; a sum of two words stays opaque', () => {
    const inv = explorePaths(assemble('ld [16]\nadd #5\njeq #7, a, b\na: ret ERRNO(1)\nb: ret ALLOW'), allSymbolic);
    expect(inv.paths.map((x) => x.opaque.length)).toEqual([0, 0]);
    expect(inv.paths[0].words[4]).toEqual([{ kind: 'range', mask: 0xffffffff, lo: 2, hi: 2 }]);
    const two = explorePaths(assemble('ld [16]\ntax\nld [24]\nadd x\njeq #7, a, b\na: ret ERRNO(1)\nb: ret ALLOW'), allSymbolic);
    expect(two.paths.map((x) => x.opaque.length)).toEqual([1, 1]);
  });

  it('a program with 2^40 paths stops at the step budget', () => {
    const lines = ['ld [0]'];
    for (let i = 0; i < 40; i++) lines.push(`ld [${16 + 4 * (i % 12)}]`, `jset #${1 << i % 32}, n${i}, n${i}`, `n${i}:`);
    lines.push('ret ALLOW');
    const t = performance.now();
    const ex = explorePaths(assemble(lines.join('\n')), { ...withNrArch(1, 0), budget: 20_000 });
    expect(ex.complete).toBe(false);
    expect(ex.steps).toBe(20_001);
    expect(performance.now() - t).toBeLessThan(5_000);
  });
});
