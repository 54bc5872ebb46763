// Engine outcomes for reports: one line of text, or a JSON-able record.
import { formatOutcome } from 'unicorn-bpf-emulator';
import type { Comparison } from './compare.js';
import type { EngineOutcome } from './engine.js';

/** "errno 1", "killed by SIGSYS (process)", "skipped (reason)", "timed out", ... */
export function formatEngineOutcome(o: EngineOutcome): string {
  switch (o.kind) {
    case 'skipped':
      return `skipped (${o.reason})`;
    case 'timeout':
      return 'timed out (the probe child missed its deadline)';
    case 'install_failed':
      return `seccomp(2) refused the stack: ${o.errno}`;
    case 'executed':
      return `ran and returned ${o.ret}`;
    default:
      return formatOutcome(o);
  }
}

/** A JSON value for an outcome ("outcome" in --json lines): null when skipped; 64-bit values as decimal strings. */
export function outcomeRecord(o: EngineOutcome): Record<string, unknown> | null {
  if (o.kind === 'skipped') return null;
  if (o.kind === 'executed') return { kind: 'executed', ret: o.ret.toString() };
  return { ...o };
}

/** The "kernel" (and "reason") fields of a --engine both line. */
export function comparisonRecord(c: Comparison, reasonKey = 'reason'): Record<string, string> {
  return c.verdict === 'skipped' ? { kernel: 'skipped', [reasonKey]: c.reason } : { kernel: c.verdict };
}
