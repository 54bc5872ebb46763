// matchesPolicy(): a compiled filter returns, for every seccomp_data, exactly
// the action its policy prescribes, where the policy is evaluated directly by
// a small interpreter per format written from the format's documentation
// (_internals/policy_seccompiler.ts, policy_oci.ts, policy_cellos.ts), never
// by the compiler under test. A difference is a compiler bug (or a place
// where the compiler departs from the documented format).
//
// Inputs: seccompData() guided by the filter's own constants, and data
// guided by the policy's: its syscalls (and their x32 numbers, nr±1), and
// per argument the values and masks it names, k±1, masked variants, and
// 64-bit values built from the halves of those constants.
import fc from 'fast-check';
import { formatAction, seccompDataWords, type SeccompData } from 'unicorn-bpf-emulator';
import { judgeStack, programsOf, type FilterInput } from './_internals/engine.js';
import { cellosBaselinePolicyModel } from './_internals/policy_cellos.js';
import { describeVerdict, formatSeccompData, LO32, U64, type PolicyModel, type PolicyVerdict } from './_internals/policy_model.js';
import { ociPolicyModel } from './_internals/policy_oci.js';
import { seccompilerPolicyModel, type SeccompilerSemantics } from './_internals/policy_seccompiler.js';
import type { Policy } from './policy.js';
import { abiByName, seccompData } from './seccompData.js';

export interface MatchesPolicyOptions {
  /** The ABI the filter was compiled for (default x86_64). */
  readonly arch?: string;
  /**
   * seccompiler only: 'documented' (default) reads the JSON as seccompiler's
   * docs describe it; 'seccompiler-0.5.0' as 0.5.0 compiles it (an entry
   * without args is dropped when its syscall also has entries with args).
   */
  readonly semantics?: SeccompilerSemantics;
}

/** The interpreter for a policy on an ABI. */
export function policyModel(policy: Policy, opts: MatchesPolicyOptions = {}): PolicyModel {
  const abi = abiByName(opts.arch ?? 'x86_64');
  switch (policy.format) {
    case 'seccompiler': return seccompilerPolicyModel(policy.json, policy.thread, abi, opts.semantics);
    case 'oci': return ociPolicyModel(policy.profile, abi);
    case 'cellos-baseline': return cellosBaselinePolicyModel(abi);
  }
}

/** The action (SECCOMP_RET value) a policy prescribes for one seccomp_data, and why. */
export function evaluatePolicy(policy: Policy, data: SeccompData, opts: MatchesPolicyOptions = {}): PolicyVerdict {
  return policyModel(policy, opts).evaluate(data);
}

const wrap = (v: bigint): bigint => v & U64;

/** 64-bit values a comparison with `k` (or mask `k`) cares about. */
function around(k: bigint): bigint[] {
  const lo = k & LO32, hi = k >> 32n;
  return [k, wrap(k + 1n), wrap(k - 1n), lo, hi << 32n, (LO32 << 32n) | lo, ((hi + 1n) & LO32) << 32n | lo, wrap(~k), lo | (lo << 32n)];
}

/** seccomp_data drawn from the policy's own syscalls and constants. */
export function policyData(model: PolicyModel): fc.Arbitrary<SeccompData> {
  const abi = model.arch;
  const nrs = model.syscalls.length ? model.syscalls : [0];
  const nr = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...nrs) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...nrs), fc.constantFrom(1, -1)).map(([n, d]) => (n + d) >>> 0) },
    // The x32 twin on x86_64 (same AUDIT_ARCH), and -1 which tracers use.
    { weight: 1, arbitrary: fc.constantFrom(...nrs).map((n) => (abi.name === 'x86_64' ? (n | 0x40000000) >>> 0 : n)) },
    { weight: 1, arbitrary: fc.constant(0xffffffff) },
  );
  const halves = (ks: readonly bigint[]): fc.Arbitrary<bigint> => {
    const words = [...new Set(ks.flatMap((k) => [k & LO32, k >> 32n, (k + 1n) & LO32, (k - 1n) & LO32]))];
    const w = fc.oneof(fc.constantFrom(...words, 0n, LO32), fc.integer({ min: 0, max: 0xffffffff }).map(BigInt));
    return fc.tuple(w, w).map(([h, l]) => (h << 32n) | l);
  };
  const arg = (i: number): fc.Arbitrary<bigint> => {
    const ks = model.constants[i];
    const any = fc.oneof(fc.constantFrom(0n, 1n, LO32, U64), fc.bigInt({ min: 0n, max: U64 }));
    if (ks.length === 0) return any;
    const near = [...new Set(ks.flatMap(around))];
    return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...near) }, { weight: 2, arbitrary: halves(ks) }, { weight: 1, arbitrary: any });
  };
  return fc.record({
    nr: nr.map((n) => n | 0),
    arch: fc.oneof({ weight: 15, arbitrary: fc.constant(abi.auditArch) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) }),
    instruction_pointer: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: U64 })),
    args: fc.tuple(arg(0), arg(1), arg(2), arg(3), arg(4), arg(5)),
  });
}

/**
 * For every seccomp_data of the ABI, `filter` (one program or a stack)
 * returns exactly the action `policy` prescribes. A counterexample names the
 * seccomp_data, the filter's action and the policy's (with the rule that
 * decided).
 */
export function matchesPolicy(filter: FilterInput, policy: Policy, opts: MatchesPolicyOptions = {}): fc.IPropertyWithHooks<[SeccompData]> {
  const model = policyModel(policy, opts);
  const abi = model.arch;
  // The policy speaks of what the filter returns (judgeStack: no kernel pass-through).
  const programs = programsOf(filter);
  const stack = judgeStack(programs);
  const words = new Uint32Array(16);
  const data = fc.oneof({ weight: 1, arbitrary: seccompData({ arch: abi.name, filter: programs }) }, { weight: 2, arbitrary: policyData(model) });
  return fc.property(data, (d) => {
    const raw = stack.run(seccompDataWords(d, abi.endian, words)).raw >>> 0;
    const want = model.evaluate(d);
    if (raw !== want.raw >>> 0) {
      throw new Error(`seccomp_data ${formatSeccompData(d, abi)}: the filter returns ${formatAction(raw)}, the policy says ${describeVerdict(want)}`);
    }
  });
}
