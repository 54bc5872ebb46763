// A stack of filters evaluated as seccomp_run_filters does (SEMANTICS §3.4):
// every filter runs, newest first; the signed-smallest ACTION_FULL wins and
// the newest filter wins ties.
import { SECCOMP_RET_ALLOW, actionBeats, actionOutcome, decodeAction, DEFAULT_CONTEXT, type Action, type Outcome, type ProcessContext } from './actions.js';
import { filterBypassSyscalls, LATEST_KNOWN_KERNEL, type KernelVersion } from './kernel_version.js';

/** Anything that evaluates one filter on the 16 data words. */
export type FilterFn = (words: Uint32Array) => number;

export interface StackOptions {
  /** Kernel whose behaviour to emulate (default: LATEST_KNOWN_KERNEL). */
  readonly kernel?: KernelVersion;
  /** Override the (arch, nr) pairs that skip every filter; default from `kernel`. */
  readonly bypass?: readonly { arch: number; nr: number }[];
}

export interface StackResult {
  /** The value the stack returns (SECCOMP_RET_ALLOW when no filter matched or a bypass applied). */
  readonly raw: number;
  readonly action: Action;
  /** Index in the `filters` array (oldest = 0) of the filter whose value won; null if none did. */
  readonly match: number | null;
  /** Each filter's own return value, same order as `filters`; empty when bypassed. */
  readonly results: readonly number[];
  /** True when the kernel skipped the filters for this syscall (uretprobe/uprobe). */
  readonly bypassed: boolean;
}

/** A stack evaluator bound to options (the bypass list is resolved once). */
export class FilterStack {
  private readonly bypass: readonly { arch: number; nr: number }[];

  /** `filters` in installation order: index 0 is the oldest. */
  constructor(private readonly filters: readonly FilterFn[], opts: StackOptions = {}) {
    this.bypass = opts.bypass ?? filterBypassSyscalls(opts.kernel ?? LATEST_KNOWN_KERNEL);
  }

  /** seccomp_run_filters on already-encoded data words. */
  run(words: Uint32Array): StackResult {
    const nr = words[0] | 0;
    const arch = words[1] >>> 0;
    for (const b of this.bypass) {
      if (b.nr === nr && b.arch === arch) {
        return { raw: SECCOMP_RET_ALLOW, action: decodeAction(SECCOMP_RET_ALLOW), match: null, results: [], bypassed: true };
      }
    }
    let ret = SECCOMP_RET_ALLOW;
    let match: number | null = null;
    const results = new Array<number>(this.filters.length);
    for (let i = this.filters.length - 1; i >= 0; i--) {
      const cur = this.filters[i](words) >>> 0;
      results[i] = cur;
      if (actionBeats(cur, ret)) {
        ret = cur;
        match = i;
      }
    }
    return { raw: ret >>> 0, action: decodeAction(ret), match, results, bypassed: false };
  }

  /** The Outcome a process would observe for this data. */
  outcome(words: Uint32Array, ctx: ProcessContext = DEFAULT_CONTEXT): Outcome {
    const r = this.run(words);
    return actionOutcome(r.action, { nr: words[0] | 0, arch: words[1] >>> 0 }, ctx);
  }
}

/** Combine already-computed per-filter results (oldest first) with the kernel's precedence. */
export function combineResults(results: readonly number[]): number {
  let ret = SECCOMP_RET_ALLOW;
  for (let i = results.length - 1; i >= 0; i--) {
    if (actionBeats(results[i], ret)) ret = results[i];
  }
  return ret >>> 0;
}
