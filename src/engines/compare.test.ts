import { describe, expect, it } from 'vitest';
import { compareCheckSteps, compareOutcomes, countComparisons, formatComparisonCounts, outcomesEqual } from './compare.js';
import type { EngineOutcome } from './engine.js';

const trap = (si_errno: number, si_syscall = 39, si_arch = 0xc000003e): EngineOutcome => ({ kind: 'trap', signal: 31, si_errno, si_syscall, si_arch });

describe('outcomesEqual / compareOutcomes', () => {
  it('equal when the kind and every field of the kind match', () => {
    expect(outcomesEqual({ kind: 'errno', errno: 1 }, { kind: 'errno', errno: 1 })).toBe(true);
    expect(outcomesEqual({ kind: 'errno', errno: 1 }, { kind: 'errno', errno: 2 })).toBe(false);
    expect(outcomesEqual({ kind: 'errno', errno: 0 }, { kind: 'allowed', logged: false })).toBe(false);
    expect(outcomesEqual(trap(0xbeef), trap(0xbeef))).toBe(true);
    expect(outcomesEqual(trap(0xbeef), trap(0xbeee))).toBe(false);
    expect(outcomesEqual(trap(1, 39), trap(1, 20))).toBe(false);
    expect(outcomesEqual(trap(1, 20, 0x40000003), trap(1, 20, 0xc000003e))).toBe(false);
    expect(outcomesEqual({ kind: 'killed', signal: 31, scope: 'process' }, { kind: 'killed', signal: 31, scope: 'thread' })).toBe(false);
    expect(outcomesEqual({ kind: 'enosys', errno: 38, action: 'TRACE' }, { kind: 'enosys', errno: 38, action: 'USER_NOTIF' })).toBe(false);
    expect(outcomesEqual({ kind: 'executed', ret: 5n }, { kind: 'executed', ret: 5n })).toBe(true);
  });

  it('"logged" of an allowed outcome is not compared (the probe cannot see audit logs); a syscall really run is allowed', () => {
    expect(outcomesEqual({ kind: 'allowed', logged: true }, { kind: 'allowed', logged: false })).toBe(true);
    expect(compareOutcomes({ kind: 'allowed', logged: true }, { kind: 'allowed', logged: false })).toEqual({ verdict: 'agree' });
    expect(compareOutcomes({ kind: 'allowed', logged: true }, { kind: 'executed', ret: 1234n })).toEqual({ verdict: 'agree' });
    expect(compareOutcomes({ kind: 'errno', errno: 0 }, { kind: 'executed', ret: 0n })).toEqual({ verdict: 'disagree' });
  });

  it('a skipped side makes the comparison skipped, with its reason; kernel-only kinds disagree with any Outcome', () => {
    expect(compareOutcomes({ kind: 'errno', errno: 1 }, { kind: 'skipped', reason: 'r' })).toEqual({ verdict: 'skipped', reason: 'r' });
    expect(compareOutcomes({ kind: 'errno', errno: 1 }, { kind: 'timeout' })).toEqual({ verdict: 'disagree' });
    expect(compareOutcomes({ kind: 'errno', errno: 1 }, { kind: 'install_failed', errno: 'EINVAL' })).toEqual({ verdict: 'disagree' });
    expect(compareOutcomes({ kind: 'killed', signal: 31, scope: 'process' }, { kind: 'errno', errno: 1 })).toEqual({ verdict: 'disagree' });
  });
});

describe('compareCheckSteps', () => {
  it('agree on ok and errno; a step only one side reached disagrees; neither reached is skipped', () => {
    expect(compareCheckSteps({ index: 0, ok: true, errno: null }, { index: 0, ok: true, errno: null })).toEqual({ verdict: 'agree' });
    expect(compareCheckSteps({ index: 0, ok: false, errno: 'EINVAL' }, { index: 0, ok: false, errno: 'EINVAL' })).toEqual({ verdict: 'agree' });
    expect(compareCheckSteps({ index: 0, ok: false, errno: 'EINVAL' }, { index: 0, ok: false, errno: 'ENOMEM' })).toEqual({ verdict: 'disagree' });
    expect(compareCheckSteps({ index: 0, ok: false, errno: 'EINVAL' }, { index: 0, ok: true, errno: null })).toEqual({ verdict: 'disagree' });
    expect(compareCheckSteps(undefined, { index: 1, ok: true, errno: null })).toEqual({ verdict: 'disagree' });
    expect(compareCheckSteps(undefined, undefined).verdict).toBe('skipped');
  });
});

describe('countComparisons', () => {
  it('counts each verdict and formats the summary', () => {
    const c = countComparisons([{ verdict: 'agree' }, { verdict: 'agree' }, { verdict: 'disagree' }, { verdict: 'skipped', reason: 'x' }]);
    expect(c).toEqual({ total: 4, agree: 2, disagree: 1, skipped: 1 });
    expect(formatComparisonCounts(c, 'case')).toBe('4 cases: 2 agree, 1 disagree, 1 skipped');
  });
});
