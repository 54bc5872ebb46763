// An interpreter for rust-vmm seccompiler's JSON policies, written from the
// format's documentation (seccompiler docs/json_format.md and README), not
// from seccheck's compiler: given a thread's filter and a seccomp_data, the
// action the policy prescribes.
//
// What the documentation says:
//  - "filter" is an array of or-bound rules: if one of them matches,
//    match_action is taken; if none does, mismatch_action.
//  - a rule without "args" matches any call of its syscall, "irrespective of
//    the argument values"; a rule with "args" matches when all its
//    (and-bound) conditions hold.
//  - a condition compares argument `index` (0-based), of size 4 bytes
//    (dword) or 8 bytes (qword), with `val` by eq, ne, lt, le, gt, ge or
//    masked_eq (the masked bits of the argument equal the masked bits of val).
// Facts the documentation leaves out, taken from seccompiler 0.5.0's source
// (src/backend): comparisons are unsigned; a dword condition compares the
// low 32 bits of the argument with the low 32 bits of val (split_value);
// errno/trace data keep their low 16 bits (SECCOMP_RET_DATA); data of
// another arch gets KILL_PROCESS (build_arch_validation_sequence); syscall
// names are those of seccompiler's own table (seccompiler_syscalls.ts, data).
//
// Where seccompiler 0.5.0 departs from its documentation: when a syscall has
// entries with args, an entry for it without args is dropped
// (frontend/json.rs only pushes rules that have conditions, and a non-empty
// rule chain needs one of them to match). semantics 'seccompiler-0.5.0'
// reproduces that; 'documented' (the default) follows the docs.
import {
  SECCOMP_RET_ALLOW, SECCOMP_RET_DATA, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
  SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, type ArchInfo, type SeccompData,
} from 'unicorn-bpf-emulator';
import { parseJson } from '../../src/formats/oci_json.js';
import { SECCOMPILER_SYSCALLS } from '../../src/formats/seccompiler_syscalls.js';
import { LO32, noConstants, type PolicyModel, type PolicyVerdict } from './policy_model.js';

export type SeccompilerSemantics = 'documented' | 'seccompiler-0.5.0';

export type SeccompilerOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | { readonly masked_eq: bigint | number };
export interface SeccompilerCondition {
  readonly index: number;
  readonly type: 'dword' | 'qword';
  readonly op: SeccompilerOp;
  readonly val: bigint | number;
  readonly comment?: string;
}
export interface SeccompilerRule {
  readonly syscall: string;
  readonly args?: readonly SeccompilerCondition[] | null;
  readonly comment?: string;
}
export type SeccompilerAction =
  | 'allow' | 'kill_thread' | 'kill_process' | 'log' | 'trap'
  | { readonly errno: number } | { readonly trace: number };
export interface SeccompilerThread {
  readonly mismatch_action: SeccompilerAction;
  readonly match_action: SeccompilerAction;
  readonly filter: readonly SeccompilerRule[];
}
/** A seccompiler JSON document: thread name -> filter. */
export type SeccompilerDoc = Readonly<Record<string, SeccompilerThread>>;

/** The JSON text of a document, with 64-bit integers written exactly. */
export function seccompilerJsonText(doc: SeccompilerDoc): string {
  return JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000${v}\u0000` : v))
    .replace(/"\\u0000(\d+)\\u0000"/g, '$1');
}

type Any = Record<string, unknown>;
const big = (v: unknown, what: string): bigint => {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw new Error(`seccompiler policy: ${what} must be an integer, got ${String(v)}`);
};

/** SeccompAction as a SECCOMP_RET value (README's enum; data keeps 16 bits). */
function actionRaw(a: unknown): number {
  const named: Record<string, number> = {
    allow: SECCOMP_RET_ALLOW, kill_thread: SECCOMP_RET_KILL_THREAD, kill_process: SECCOMP_RET_KILL_PROCESS,
    log: SECCOMP_RET_LOG, trap: SECCOMP_RET_TRAP,
  };
  if (typeof a === 'string' && Object.hasOwn(named, a)) return named[a] >>> 0;
  if (typeof a === 'object' && a !== null) {
    const [[k, v]] = Object.entries(a as Any);
    if (k === 'errno') return (SECCOMP_RET_ERRNO | (Number(big(v, 'errno')) & SECCOMP_RET_DATA)) >>> 0;
    if (k === 'trace') return (SECCOMP_RET_TRACE | (Number(big(v, 'trace')) & SECCOMP_RET_DATA)) >>> 0;
    if (Object.hasOwn(named, k) && v === null) return named[k] >>> 0;
  }
  throw new Error(`seccompiler policy: unknown action ${JSON.stringify(a, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x))}`);
}

interface Cond {
  readonly index: number;
  readonly qword: boolean;
  readonly op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'masked_eq';
  readonly mask: bigint;
  readonly val: bigint;
}

function readCond(c: Any): Cond {
  const op = c.op as unknown;
  const index = Number(big(c.index, 'index'));
  if (index > 5) throw new Error(`seccompiler policy: argument index ${index} over 5`);
  if (typeof op === 'object' && op !== null && 'masked_eq' in op) {
    return { index, qword: c.type === 'qword', op: 'masked_eq', mask: big((op as Any).masked_eq, 'mask'), val: big(c.val, 'val') };
  }
  return { index, qword: c.type === 'qword', op: op as Cond['op'], mask: 0n, val: big(c.val, 'val') };
}

/** Does argument `arg` satisfy `c`? Unsigned compare; dword: low 32 bits of both sides. */
function holds(c: Cond, arg: bigint): boolean {
  const w = c.qword ? (x: bigint): bigint => x : (x: bigint): bigint => x & LO32;
  const a = w(arg), v = w(c.val);
  switch (c.op) {
    case 'eq': return a === v;
    case 'ne': return a !== v;
    case 'lt': return a < v;
    case 'le': return a <= v;
    case 'gt': return a > v;
    case 'ge': return a >= v;
    case 'masked_eq': return (a & w(c.mask)) === (v & w(c.mask));
  }
}

interface Rule {
  readonly place: string;
  readonly nr: number;
  /** null: no "args". */
  readonly conds: readonly Cond[] | null;
}

/** Read a document (object or JSON text; aliases default_action/filter_action accepted). */
export function readSeccompilerDoc(json: string | SeccompilerDoc): Readonly<Record<string, Any>> {
  return (typeof json === 'string' ? parseJson(json) : json) as Readonly<Record<string, Any>>;
}

/** The interpreter for one thread of `json` on `arch` (x86_64, aarch64 or riscv64). */
export function seccompilerPolicyModel(json: string | SeccompilerDoc, thread: string, arch: ArchInfo, semantics: SeccompilerSemantics = 'documented'): PolicyModel {
  const doc = readSeccompilerDoc(json);
  if (!Object.hasOwn(doc, thread)) throw new Error(`seccompiler policy has no thread "${thread}" (has ${Object.keys(doc).join(', ')})`);
  const table = (SECCOMPILER_SYSCALLS as Record<string, Record<string, number>>)[arch.name];
  if (!table) throw new Error(`seccompiler targets x86_64, aarch64 and riscv64, not ${arch.name}`);
  const t = doc[thread];
  const match = actionRaw(t.match_action ?? t.filter_action);
  const mismatch = actionRaw(t.mismatch_action ?? t.default_action);
  const rules: Rule[] = (t.filter as Any[]).map((r, i) => {
    const name = r.syscall as string;
    if (!Object.hasOwn(table, name)) throw new Error(`seccompiler policy: unknown syscall "${name}" on ${arch.name}`);
    const args = r.args as Any[] | null | undefined;
    return { place: `filter[${i}] (${name})`, nr: table[name], conds: args == null ? null : args.map(readCond) };
  });
  // 0.5.0: a syscall with conditional entries loses its unconditional ones.
  const conditional = new Set(rules.filter((r) => r.conds !== null).map((r) => r.nr));
  const live = semantics === 'documented' ? rules : rules.filter((r) => r.conds !== null || !conditional.has(r.nr));

  const constants = noConstants();
  for (const r of rules) for (const c of r.conds ?? []) constants[c.index].push(c.val, ...(c.op === 'masked_eq' ? [c.mask] : []));
  const threadName = JSON.stringify(thread);

  return {
    arch,
    syscalls: [...new Set(rules.map((r) => r.nr))],
    constants,
    evaluate(d: SeccompData): PolicyVerdict {
      if (d.arch >>> 0 !== arch.auditArch) return { raw: SECCOMP_RET_KILL_PROCESS >>> 0, why: `not ${arch.constant}: seccompiler's arch check` };
      const nr = d.nr >>> 0;
      for (const r of live) {
        if (r.nr !== nr) continue;
        if (r.conds === null || r.conds.every((c) => holds(c, d.args[c.index]))) {
          return { raw: match, why: `thread ${threadName} ${r.place} ${r.conds === null ? 'has no args' : 'args match'}: match_action` };
        }
      }
      const dropped = semantics !== 'documented' && rules.some((r) => r.nr === nr && r.conds === null);
      return { raw: mismatch, why: `thread ${threadName}: no rule matches${dropped ? ' (the entry without args is dropped, as in 0.5.0)' : ''}: mismatch_action` };
    },
  };
}
