// equivalent(): two filters (or stacks) give the same Outcome for every
// seccomp_data of an ABI. Inputs are biased by both filters' dictionaries,
// so a difference hidden behind one exact constant is found; a
// counterexample is a concrete seccomp_data.
import fc from 'fast-check';
import { formatAction, formatOutcome, seccompDataWords, type Outcome, type ProcessContext, type SeccompData } from 'unicorn-bpf-emulator';
import { engineFor, programsOf, type FilterInput } from './_internals/engine.js';
import { abiByName, seccompData } from './seccompData.js';

export interface EquivalentOptions {
  /** ABI whose data to draw (default x86_64); foreign arches are drawn too. */
  readonly arch?: string;
  readonly context?: ProcessContext;
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function equivalent(f1: FilterInput, f2: FilterInput, opts: EquivalentOptions = {}): fc.IPropertyWithHooks<[SeccompData]> {
  const abi = abiByName(opts.arch ?? 'x86_64');
  const e1 = engineFor(f1), e2 = engineFor(f2);
  const both = [...programsOf(f1), ...programsOf(f2)];
  const words = new Uint32Array(16);
  return fc.property(seccompData({ arch: abi.name, filter: both }), (d) => {
    seccompDataWords(d, abi.endian, words);
    const o1 = e1.stack.outcome(words, opts.context);
    const o2 = e2.stack.outcome(words, opts.context);
    if (!sameOutcome(o1, o2)) {
      throw new Error(`filters differ: ${formatAction(e1.stack.run(words).raw)} (${formatOutcome(o1)}) vs ${formatAction(e2.stack.run(words).raw)} (${formatOutcome(o2)})`);
    }
  });
}
