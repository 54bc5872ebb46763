// Policy arbitraries: random rust-vmm seccompiler JSON documents and OCI
// runtime-spec seccomp profiles, within each format's rules (every one
// compiles), shaped to hit what compilers get wrong, and shrinking to small
// policies (few threads, few entries, small numbers).
//
// seccompilerPolicy(): one to three threads; each draws its entries from a
// small pool of syscalls, so one syscall often has several entries, some
// with args and some without; dword conditions with values above 2^32
// (seccompiler accepts and truncates them); masked_eq; now and then a rule
// long enough (35+ conditions) to need seccompiler's jump trampolines.
//
// ociProfile(): rules for a small pool of syscalls, each syscall following
// one plan, so that no two rules with different actions can match the same
// call (the outcome libseccomp and the runtime spec leave unspecified; see
// _internals/policy_oci.ts): one action for all its rules (with or without
// args, overlapping freely), or a family of rules that each compare the
// same argument for equality with a different value, one action each.
// Comparisons of one rule use distinct arguments (libseccomp allows one per
// argument; runc/crun split repeats into OR-ed rules). By default a syscall
// with several rules with args compares only with EQ and MASKED_EQ:
// libseccomp 2.5.4 miscompiles NE and the range operators there
// (multiRuleOps).
import fc from 'fast-check';
import { syscallNumber } from '../src/arch/syscalls.js';
import { SECCOMPILER_SYSCALLS } from '../src/formats/seccompiler_syscalls.js';
import { U64 } from './_internals/policy_model.js';
import type { OciActionName, OciOpName, OciProfile, OciProfileArg, OciProfileSyscall } from './_internals/policy_oci.js';
import type { SeccompilerAction, SeccompilerCondition, SeccompilerDoc, SeccompilerRule, SeccompilerThread } from './_internals/policy_seccompiler.js';
import { abiByName } from './seccompData.js';

export interface SeccompilerPolicy {
  readonly format: 'seccompiler';
  readonly json: string | SeccompilerDoc;
  /** The thread whose filter is meant. */
  readonly thread: string;
}

export interface OciPolicy {
  readonly format: 'oci';
  readonly profile: string | OciProfile;
}

export interface CellosBaselinePolicy {
  readonly format: 'cellos-baseline';
}

/** What matchesPolicy() compares a filter with. */
export type Policy = SeccompilerPolicy | OciPolicy | CellosBaselinePolicy;

export interface SeccompilerPolicyOptions {
  /** Target ABI: x86_64 (default), aarch64 or riscv64; names come from seccompiler's table for it. */
  readonly arch?: string;
  /** Most threads in a document (default 3). */
  readonly maxThreads?: number;
  /** Allow a syscall to have entries both with and without args (default true). */
  readonly mixedEntries?: boolean;
}

export interface OciProfilePolicyOptions {
  /** Target ABI (default x86_64); names are drawn from syscalls that exist there. */
  readonly arch?: string;
  /** Most rules per syscall in a one-action plan (default 3). */
  readonly rulesPerSyscall?: number;
  /** Most comparisons per rule (default 3). */
  readonly argsPerRule?: number;
  /**
   * Comparison operators kept in the rules of a syscall that has more than
   * one rule with args (others become SCMP_CMP_EQ). Default: EQ and
   * MASKED_EQ, the shapes libseccomp 2.5.4 compiles correctly; with NE, LT,
   * LE, GT or GE there, it drops or merges rules wrongly (see
   * matchesPolicy.test.ts). Pass OCI_OPS to generate every shape.
   */
  readonly multiRuleOps?: readonly OciOpName[];
}

/** u64 values: small ones most, then the edges of the halves, values above 2^32 and any. */
const u64 = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 16 }).map(BigInt) },
  { weight: 2, arbitrary: fc.constantFrom(0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x100000001n, 0xffffffff00000000n, 0x8000000000000000n, U64) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 16 })).map(([hi, lo]) => (BigInt(hi) << 32n) | BigInt(lo)) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: U64 }) },
);
/** Masks: low bits, one half, the other, or any. */
const mask = fc.oneof(
  fc.constantFrom(0xffn, 0xf0n, 0xffffffffn, 0xffffffff00000000n, U64, 0x100000001n),
  fc.bigInt({ min: 0n, max: U64 }),
);

// ---------------------------------------------------------------------------
// seccompiler

const seccompilerAction: fc.Arbitrary<SeccompilerAction> = fc.oneof(
  fc.constantFrom<SeccompilerAction>('allow', 'kill_process', 'kill_thread', 'log', 'trap'),
  fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 4095 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) }).map((errno) => ({ errno })),
  fc.integer({ min: 0, max: 0xffff }).map((trace) => ({ trace })),
);

/** seccompiler 0.5.0 compares actions as values: errno 1 and errno 65537 are different actions. */
function sameSeccompilerAction(a: SeccompilerAction, b: SeccompilerAction): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const seccompilerCondition: fc.Arbitrary<SeccompilerCondition> = fc
  .record({
    index: fc.integer({ min: 0, max: 5 }),
    type: fc.constantFrom<'dword' | 'qword'>('dword', 'qword'),
    op: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('eq' as const, 'ne' as const, 'lt' as const, 'le' as const, 'gt' as const, 'ge' as const) }, { weight: 1, arbitrary: mask.map((m) => ({ masked_eq: m })) }),
    val: u64,
    comment: fc.option(fc.constantFrom('libc::AF_UNIX', 'FIONBIO'), { nil: undefined, freq: 8 }),
  })
  .map((c) => (c.comment === undefined ? { index: c.index, type: c.type, op: c.op, val: c.val } : c));

/** An entry's args: absent (about a third), one to three conditions, or rarely a long rule. */
const seccompilerArgs: fc.Arbitrary<SeccompilerCondition[] | undefined> = fc.oneof(
  { weight: 10, arbitrary: fc.constant(undefined) },
  { weight: 20, arbitrary: fc.array(seccompilerCondition, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(seccompilerCondition, { minLength: 35, maxLength: 45 }) },
);

/** Random seccompiler JSON (see the file comment); the thread named is one of the document's. */
export function seccompilerPolicy(opts: SeccompilerPolicyOptions = {}): fc.Arbitrary<SeccompilerPolicy> {
  const abi = abiByName(opts.arch ?? 'x86_64');
  const table = (SECCOMPILER_SYSCALLS as Record<string, Record<string, number>>)[abi.name];
  if (!table) throw new Error(`seccompiler targets x86_64, aarch64 and riscv64, not ${abi.name}`);
  const names = Object.entries(table).sort((a, b) => a[1] - b[1]).map(([n]) => n);
  const mixed = opts.mixedEntries ?? true;
  const pool = fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 5 });
  const entry = fc.record({ pick: fc.nat({ max: 4 }), args: seccompilerArgs, comment: fc.option(fc.constant('used by the vmm'), { nil: undefined, freq: 10 }) });
  const actions = fc.tuple(seccompilerAction, seccompilerAction).filter(([m, a]) => !sameSeccompilerAction(m, a));
  const thread: fc.Arbitrary<SeccompilerThread> = fc.tuple(actions, pool, fc.array(entry, { maxLength: 8 })).map(([[mismatch, match], syscalls, entries]) => {
    let filter: SeccompilerRule[] = entries.map((e) => {
      const rule: { syscall: string; args?: SeccompilerCondition[]; comment?: string } = { syscall: syscalls[e.pick % syscalls.length] };
      if (e.args !== undefined) rule.args = e.args;
      if (e.comment !== undefined) rule.comment = e.comment;
      return rule;
    });
    if (!mixed) {
      const conditional = new Set(filter.filter((r) => r.args).map((r) => r.syscall));
      filter = filter.filter((r) => r.args || !conditional.has(r.syscall));
    }
    return { mismatch_action: mismatch, match_action: match, filter };
  });
  // Each thread carries its name, so shrinking drops whole threads.
  const threads = fc.uniqueArray(fc.tuple(fc.constantFrom('main', 'vmm', 'api', 'vcpu'), thread), { minLength: 1, maxLength: Math.max(1, opts.maxThreads ?? 3), selector: (t) => t[0] });
  return fc.tuple(threads, fc.nat()).map(([ts, pick]) => {
    const json: Record<string, SeccompilerThread> = {};
    for (const [name, t] of ts) json[name] = t;
    return { format: 'seccompiler' as const, json: json as SeccompilerDoc, thread: ts[pick % ts.length][0] };
  });
}

// ---------------------------------------------------------------------------
// OCI

/** Classic syscalls libseccomp and seccheck's tables both know on x86_64 and aarch64. */
const OCI_SYSCALL_POOL = [
  'read', 'write', 'close', 'openat', 'mmap', 'ioctl', 'fcntl', 'socket', 'connect', 'getpid', 'kill', 'personality',
  'clone', 'futex', 'prctl', 'setsockopt', 'dup3', 'lseek', 'madvise', 'mprotect', 'ptrace', 'mount', 'unshare', 'bpf',
];

interface OciActionChoice {
  readonly action: OciActionName;
  readonly errnoRet?: number;
}

const ociAction: fc.Arbitrary<OciActionChoice> = fc.oneof(
  fc.constantFrom<OciActionName>('SCMP_ACT_ALLOW', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_LOG').map((action) => ({ action })),
  fc.option(fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 4094 }) }, { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffe }) }), { nil: undefined, freq: 4 })
    .map((errnoRet) => (errnoRet === undefined ? { action: 'SCMP_ACT_ERRNO' as const } : { action: 'SCMP_ACT_ERRNO' as const, errnoRet })),
  fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined, freq: 4 })
    .map((errnoRet) => (errnoRet === undefined ? { action: 'SCMP_ACT_TRACE' as const } : { action: 'SCMP_ACT_TRACE' as const, errnoRet })),
);

/** Every comparison operator of the runtime spec. */
export const OCI_OPS: readonly OciOpName[] = ['SCMP_CMP_EQ', 'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_GT', 'SCMP_CMP_GE', 'SCMP_CMP_MASKED_EQ'];

const ociArg = (indexes: fc.Arbitrary<number>): fc.Arbitrary<OciProfileArg> =>
  fc.record({ index: indexes, op: fc.constantFrom(...OCI_OPS), value: u64, valueTwo: u64 }).map((a) =>
    a.op === 'SCMP_CMP_MASKED_EQ' ? a : { index: a.index, op: a.op, value: a.value });

/** Up to three comparisons, each on its own argument. */
const ociArgs = (indexes: fc.Arbitrary<number> = fc.integer({ min: 0, max: 5 }), max = 3): fc.Arbitrary<OciProfileArg[]> =>
  fc.uniqueArray(ociArg(indexes), { maxLength: max, selector: (a) => a.index });

type Plan =
  | { readonly kind: 'one'; readonly act: OciActionChoice; readonly rules: readonly OciProfileArg[][] }
  | { readonly kind: 'eq'; readonly index: number; readonly cases: readonly { readonly value: bigint; readonly act: OciActionChoice; readonly extra: OciProfileArg[] }[] };

/** A syscall's plan; `rules` bounds the rules of a one-action plan and `args` the comparisons of each. */
const planArb = (rules: number, args: number): fc.Arbitrary<Plan> => fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('one' as const), act: ociAction, rules: fc.array(ociArgs(undefined, args), { minLength: 1, maxLength: rules }) }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 5 }).chain((index) =>
      fc.record({
        kind: fc.constant('eq' as const),
        index: fc.constant(index),
        cases: fc.uniqueArray(
          fc.record({ value: u64, act: ociAction, extra: ociArgs(fc.integer({ min: 0, max: 4 }).map((i) => (i >= index ? i + 1 : i)), Math.min(1, args - 1)) }),
          { minLength: 2, maxLength: 3, selector: (c) => c.value },
        ),
      })),
  },
);

type MutableSyscall = { names: string[]; action: OciActionName; errnoRet?: number; args?: OciProfileArg[] };

const withErrno = (names: string[], act: OciActionChoice, args: OciProfileArg[]): MutableSyscall => {
  const s: MutableSyscall = { names, action: act.action };
  if (act.errnoRet !== undefined) s.errnoRet = act.errnoRet;
  if (args.length) s.args = args;
  return s;
};

/** Random OCI runtime-spec seccomp profiles (see the file comment). */
export function ociProfile(opts: OciProfilePolicyOptions = {}): fc.Arbitrary<OciPolicy> {
  const abi = abiByName(opts.arch ?? 'x86_64');
  const names = OCI_SYSCALL_POOL.filter((n) => syscallNumber(abi.name, n) !== undefined);
  const token = `SCMP_ARCH_${abi.name.toUpperCase()}`;
  return fc
    .record({
      def: ociAction,
      arches: fc.constantFrom<string[]>([], [token]),
      plans: fc.uniqueArray(fc.tuple(fc.constantFrom(...names), planArb(opts.rulesPerSyscall ?? 3, opts.argsPerRule ?? 3)), { maxLength: 6, selector: (p) => p[0] }),
    })
    .map(({ def, arches, plans }) => {
      const syscalls: MutableSyscall[] = [];
      // Unconditional rules with one action share a rule, as profiles write them.
      const shared = new Map<string, MutableSyscall>();
      for (const [name, p] of plans) {
        if (p.kind === 'eq') {
          for (const c of p.cases) syscalls.push(withErrno([name], c.act, [{ index: p.index, op: 'SCMP_CMP_EQ', value: c.value }, ...c.extra]));
          continue;
        }
        for (const args of p.rules) {
          const key = JSON.stringify(p.act);
          const prev = shared.get(key);
          if (args.length === 0 && prev) {
            if (!prev.names.includes(name)) prev.names.push(name);
          } else {
            const s = withErrno([name], p.act, args);
            syscalls.push(s);
            if (args.length === 0) shared.set(key, s);
          }
        }
      }
      // Ops outside multiRuleOps become SCMP_CMP_EQ where a syscall has several conditional rules.
      const allowed = opts.multiRuleOps ?? ['SCMP_CMP_EQ', 'SCMP_CMP_MASKED_EQ'];
      if (allowed.length < OCI_OPS.length) {
        const counts = new Map<string, number>();
        for (const r of syscalls) if (r.args) for (const n of r.names) counts.set(n, (counts.get(n) ?? 0) + 1);
        for (const r of syscalls) {
          if (r.args && r.names.some((n) => (counts.get(n) ?? 0) > 1)) {
            r.args = r.args.map((a) => (allowed.includes(a.op) ? a : { index: a.index, op: 'SCMP_CMP_EQ', value: a.value }));
          }
        }
      }
      const profile: { defaultAction: OciActionName; defaultErrnoRet?: number; architectures?: string[]; syscalls: OciProfileSyscall[] } = { defaultAction: def.action, syscalls };
      if (def.errnoRet !== undefined) profile.defaultErrnoRet = def.errnoRet;
      if (arches.length) profile.architectures = arches;
      return { format: 'oci' as const, profile };
    });
}
