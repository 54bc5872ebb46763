// Comparing two engines' answers for the same case or the same stack.
import type { EngineCheckStep, EngineOutcome } from './engine.js';

/** How two engines' answers for one case (or one file) relate. */
export type Comparison =
  | { readonly verdict: 'agree' }
  | { readonly verdict: 'disagree' }
  /** One side could not run the case (see kernelSkipReason); nothing was compared. */
  | { readonly verdict: 'skipped'; readonly reason: string };

/**
 * The part of an outcome that engines are compared on: its kind and every
 * field of that kind, with two exceptions, both about a syscall that runs:
 * - `logged` of an 'allowed' outcome is left out. LOG and ALLOW both let the
 *   syscall run; only the audit log tells them apart, and the kernel probe
 *   cannot read audit logs, so the kernel engine reports every allowed
 *   syscall as not logged.
 * - 'executed' (the kernel engine really ran a safe syscall, when asked to
 *   execute) is 'allowed': the syscall ran. Its return value is not compared.
 */
export function comparableOutcome(o: EngineOutcome): Record<string, unknown> {
  if (o.kind === 'allowed' || o.kind === 'executed') return { kind: 'allowed' };
  return { ...o };
}

/** Same kind and same fields (see comparableOutcome). */
export function outcomesEqual(a: EngineOutcome, b: EngineOutcome): boolean {
  const x = comparableOutcome(a);
  const y = comparableOutcome(b);
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && x[k] === y[k]);
}

/** Compare the emulator's outcome with the kernel's for one case; a skipped side makes it 'skipped', with its reason. */
export function compareOutcomes(emulator: EngineOutcome, kernel: EngineOutcome): Comparison {
  if (kernel.kind === 'skipped') return { verdict: 'skipped', reason: kernel.reason };
  if (emulator.kind === 'skipped') return { verdict: 'skipped', reason: emulator.reason };
  return outcomesEqual(emulator, kernel) ? { verdict: 'agree' } : { verdict: 'disagree' };
}

/**
 * Compare one seccomp(2) call of a stack: both loaded it (or neither got
 * that far), and a refusal carries the same errno. A step one side never
 * reached (it stopped earlier) is a disagreement unless neither reached it.
 */
export function compareCheckSteps(emulator: EngineCheckStep | undefined, kernel: EngineCheckStep | undefined): Comparison {
  if (emulator === undefined && kernel === undefined) return { verdict: 'skipped', reason: 'not loaded: an earlier filter failed' };
  if (emulator === undefined || kernel === undefined) return { verdict: 'disagree' };
  return emulator.ok === kernel.ok && emulator.errno === kernel.errno ? { verdict: 'agree' } : { verdict: 'disagree' };
}

/** Counts of each verdict, for summary lines. */
export interface ComparisonCounts {
  readonly total: number;
  readonly agree: number;
  readonly disagree: number;
  readonly skipped: number;
}

export function countComparisons(cs: Iterable<Comparison>): ComparisonCounts {
  let agree = 0;
  let disagree = 0;
  let skipped = 0;
  for (const c of cs) {
    if (c.verdict === 'agree') agree++;
    else if (c.verdict === 'disagree') disagree++;
    else skipped++;
  }
  return { total: agree + disagree + skipped, agree, disagree, skipped };
}

/** "1579 cases: 1579 agree, 0 disagree, 0 skipped" for the noun "case". */
export function formatComparisonCounts(c: ComparisonCounts, noun: string): string {
  return `${countOf(c.total, noun)}: ${c.agree} agree, ${c.disagree} disagree, ${c.skipped} skipped`;
}

/** "1 case", "2 cases". */
export const countOf = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
