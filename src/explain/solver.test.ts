import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../../emulator/src/__test-helpers__/runs.js';
import { addAtom, findModel, holds, ne, negate, range, simplifyAtoms, solve, U32_MAX, type Atom } from './solver.js';

const FULL = U32_MAX;
const satisfiesAll = (atoms: readonly Atom[], v: number): boolean => atoms.every((a) => holds(a, v));

describe('solve: exact answers for hand-picked constraint sets', () => {
  it.each<[string, Atom[], number | null]>([
    ['nothing: 0', [], 0],
    ['A == 5 then A > 7: unsatisfiable', [range(FULL, 5, 5), range(FULL, 8, FULL)], null],
    ['A > 7 and A != 8: 9', [range(FULL, 8, FULL), ne(FULL, 8)], 9],
    ['a range with every value excluded', [range(FULL, 0, 3), ne(FULL, 0), ne(FULL, 1), ne(FULL, 2), ne(FULL, 3)], null],
    ['a range with all but its top excluded', [range(FULL, 0, 4), ne(FULL, 0), ne(FULL, 1), ne(FULL, 2), ne(FULL, 3)], 4],
    ['masked equalities that disagree on a shared bit', [range(0xff, 1, 1), range(0x0f, 2, 2)], null],
    ['masked equalities that agree: both hold', [range(0xff00, 0x300, 0x300), range(0x00ff, 0x11, 0x11)], 0x311],
    ['JSET true and false on one bit', [ne(0x10, 0), range(0x10, 0, 0)], null],
    ['JSET true on any of two bits: the lower one', [ne(0x30, 0)], 0x10],
    ['(v & 3) excludes all four values', [ne(3, 0), ne(3, 1), ne(3, 2), ne(3, 3)], null],
    ['(v & 3) excludes three: the fourth, smallest', [ne(3, 0), ne(3, 1), ne(3, 3)], 2],
    ['masked eq with a value outside its mask never holds', [range(0xff, 0x100, 0x100)], null],
    ['masked ne with a value outside its mask always holds', [ne(0xff, 0x100)], 0],
    ['masked range: (v & 0xf0) >= 0x30 and v < 0x35', [range(0xf0, 0x30, FULL), range(FULL, 0, 0x34)], 0x30],
    ['masked range above the mask: impossible', [range(0xf0, 0x100, FULL)], null],
    ['the x32 bit and the top of the range', [ne(0x40000000, 0), ne(FULL, 0xffffffff), range(FULL, 0xfffffffe, FULL)], 0xfffffffe],
    ['nr == -1 and no x32 bit: impossible', [range(FULL, 0xffffffff, 0xffffffff), range(0x40000000, 0, 0)], null],
  ])('%s', (_, atoms, expected) => {
    const v = solve(atoms);
    expect(v).toBe(expected);
    if (typeof v === 'number') expect(satisfiesAll(atoms, v)).toBe(true);
    const m = findModel(atoms, 0x12345678);
    expect(m === null).toBe(expected === null);
    if (typeof m === 'number') expect(satisfiesAll(atoms, m)).toBe(true);
  });
});

/** An atom that holds at v: a random mask, and a bound or value derived from v. */
const atomHoldingAt = (v: number): fc.Arbitrary<Atom> =>
  fc.tuple(fc.oneof(fc.constant(FULL), fc.integer({ min: 0, max: FULL })), fc.integer({ min: 0, max: FULL }), fc.integer({ min: 0, max: FULL }), fc.boolean()).map(([mask, x, y, isRange]) => {
    const mv = (v & mask) >>> 0;
    if (isRange) return range(mask, Math.min(mv, (x & mask) >>> 0), Math.max(mv, y));
    if (mask === 0) return range(0, 0, 0);
    const other = (x & mask) >>> 0;
    return other === mv ? ne(mask, (mv ^ (mask & -mask)) >>> 0) : ne(mask, other);
  });

describe('solve: properties', () => {
  it('for atoms that a value v0 satisfies: returns the smallest solution (<= v0), and nothing exists below it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: FULL }).chain((v0) => fc.tuple(fc.constant(v0), fc.array(atomHoldingAt(v0), { minLength: 1, maxLength: 8 }))),
        ([v0, atoms]) => {
          expect(atoms.every((a) => holds(a, v0))).toBe(true);
          const r = solve(atoms);
          expect(typeof r).toBe('number');
          const v = r as number;
          expect(v).toBeLessThanOrEqual(v0);
          expect(satisfiesAll(atoms, v)).toBe(true);
          if (v > 0) expect(solve([...atoms, range(FULL, 0, v - 1)])).toBe(null);
        },
      ),
      { numRuns: numRuns(300) },
    );
  });

  it('agrees with brute force on a 10-bit universe (satisfiable or not, and the smallest value)', () => {
    const small = fc.integer({ min: 0, max: 0x3ff });
    const atom: fc.Arbitrary<Atom> = fc.oneof(
      fc.tuple(small, small, small).map(([m, a, b]) => range(m, Math.min(a, b), Math.max(a, b))),
      fc.tuple(small, small).map(([m, v]) => ne(m, v & m)),
      small.map((v) => ne(FULL, v)),
      fc.tuple(small, small).map(([a, b]) => range(FULL, Math.min(a, b), Math.max(a, b))),
    );
    fc.assert(
      fc.property(fc.array(atom, { minLength: 1, maxLength: 10 }), (extra) => {
        const atoms = [range(FULL, 0, 0x3ff), ...extra];
        let expected: number | null = null;
        for (let v = 0; v <= 0x3ff; v++) {
          if (satisfiesAll(atoms, v)) {
            expected = v;
            break;
          }
        }
        expect(solve(atoms)).toBe(expected);
        const m = findModel(atoms, 0x155);
        expect(m === null).toBe(expected === null);
      }),
      { numRuns: numRuns(400) },
    );
  });

  it('prefer picks a solution with the preferred bits where it can, still a solution', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: FULL }), fc.integer({ min: 0, max: FULL }).chain((v0) => fc.array(atomHoldingAt(v0), { maxLength: 6 })), (prefer, atoms) => {
        const v = solve(atoms, { prefer });
        expect(typeof v).toBe('number');
        expect(satisfiesAll(atoms, v as number)).toBe(true);
        if (atoms.length === 0) expect(v).toBe(prefer >>> 0);
      }),
      { numRuns: numRuns(200) },
    );
  });
});

describe('atoms helpers', () => {
  it('negate gives exactly the values the atom excludes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: FULL }).chain((v0) => atomHoldingAt(v0)), fc.integer({ min: 0, max: FULL }), (a, v) => {
        expect(negate(a).some((n) => holds(n, v))).toBe(!holds(a, v));
      }),
      { numRuns: numRuns(300) },
    );
  });

  it('addAtom intersects ranges on the same mask and drops a repeated ne', () => {
    expect(addAtom([range(FULL, 0, 10)], range(FULL, 5, 20))).toEqual([range(FULL, 5, 10)]);
    expect(addAtom([ne(0xff, 1)], ne(0xff, 1))).toEqual([ne(0xff, 1)]);
    expect(addAtom([range(0xff, 1, 1)], range(FULL, 0, 5))).toHaveLength(2);
  });

  it('simplifyAtoms drops what the others imply and keeps the rest', () => {
    // v == 5 implies v != 7 and v <= 10.
    expect(simplifyAtoms([range(FULL, 0, 10), ne(FULL, 7), range(FULL, 5, 5)])).toEqual([range(FULL, 5, 5)]);
    // (v & 0x10) != 0 and (v & 0x30) == 0x10 : the first is implied.
    expect(simplifyAtoms([ne(0x10, 0), range(0x30, 0x10, 0x10)])).toEqual([range(0x30, 0x10, 0x10)]);
    expect(simplifyAtoms([ne(FULL, 3), range(FULL, 0, 9)])).toEqual([ne(FULL, 3), range(FULL, 0, 9)]);
  });
});
