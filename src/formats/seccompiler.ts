// The "seccompiler" input format: rust-vmm seccompiler's JSON thread map
//   { THREAD: { default_action, filter_action, filter: [ {syscall, args?, comment?} ] } }
// compiled to classic BPF exactly as seccompiler 0.5.0's compile_from_json
// does for x86_64, aarch64 and riscv64: same bytes, same rejections. What
// 0.5.0 does (read from its source; verified byte for byte against it):
//
// Reading (serde, deny_unknown_fields on every struct):
//  - thread filter fields: mismatch_action (alias default_action),
//    match_action (alias filter_action), filter; a rule: syscall, args
//    (absent or null: unconditional), comment; a condition: index (u8),
//    type (dword|qword), op (eq|ne|lt|le|gt|ge|{masked_eq: u64}), val (u64),
//    comment. Comments must be strings (null counts as absent). A struct may
//    also be written as an array of all its fields in that order.
//  - actions: "allow" | "kill_thread" | "kill_process" | "log" | "trap" |
//    {"errno": u32} | {"trace": u32}; a unit variant may also be {"allow": null}.
//  - unknown or duplicate fields, duplicate thread names, wrong JSON types,
//    negative/fractional/too large numbers are errors.
// Checking: per rule in order, the syscall name must be in seccompiler's own
// table for the arch (seccompiler_syscalls.ts), each condition's index <= 5,
// "args" not empty; then mismatch and match actions must differ (as values:
// errno 1 and errno 65537 differ). A compiled program of 4096 instructions
// or more is an error (one less than the kernel allows).
// Rules go into a map by syscall number: an entry without args only makes
// sure the syscall is in the map, so when the same syscall also has entries
// with args, the unconditional one has no effect (it is dropped).
//
// Layout of one thread's program:
//   ld [4]; jeq AUDIT_ARCH, 1, 0; ret KILL_PROCESS      arch check (x32 passes it)
//   ret MISMATCH                                        if the filter is empty, else:
//   ld [0]
//   per syscall, by ascending number:
//     jeq NR, 0, 1
//     no rules:  ja 1; ja 2; ret MATCH
//     per rule in file order:
//       ja 1; ja N            enter the rule / skip it (the skip chain runs through
//                             every rule's second jump to the next syscall's jeq)
//       conditions, LAST FIRST, each jumping forward on failure to the next rule
//       ret MATCH
//     ret MISMATCH            every rule failed
//   ret MISMATCH              no syscall matched
// A condition's failure jump must fit in 8 bits: when the distance would pass
// 248, three jumps are placed after the condition (ja 2; ja D; ja D) and the
// distance restarts at 1. Dword conditions test the low half of the argument
// only (the value is truncated to 32 bits); qword ones test the high half first.
import {
  archByName, BPF_JUMP, BPF_STMT, OP, SECCOMP_RET_ALLOW, SECCOMP_RET_DATA, SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP,
  type ArchInfo, type Insn,
} from 'unicorn-bpf-emulator';
import { SeccheckError } from '../errors.js';
import type { LoadedFilter, LoadOptions } from './filter.js';
import { hostArch } from './host_arch.js';
import { JsonSyntaxError, parseJson, type JsonValue } from './seccompiler_json.js';
import { SECCOMPILER_SYSCALLS } from './seccompiler_syscalls.js';

const COMPILER = 'rust-vmm seccompiler 0.5.0 semantics';
type TargetArch = keyof typeof SECCOMPILER_SYSCALLS;
const TARGET_ARCHES: readonly TargetArch[] = ['x86_64', 'aarch64', 'riscv64'];

/** seccompiler's syscall tables as Maps (never look a user's name up on a plain object). */
const SYSCALL_TABLES = new Map<string, ReadonlyMap<string, number>>(
  TARGET_ARCHES.map((a) => [a, new Map(Object.entries(SECCOMPILER_SYSCALLS[a]))]),
);

/** Largest argument index (arguments 0..5). */
const ARG_NUMBER_MAX = 5;
/** seccompiler rejects programs of this many instructions or more. */
const BPF_MAX_LEN = 4096;
/** The longest condition (a qword masked_eq), which bounds the distance check. */
const CONDITION_MAX_LEN = 6;
const SECCOMP_DATA_NR = 0;
const SECCOMP_DATA_ARCH = 4;
const SECCOMP_DATA_ARGS = 16;

// ---------------------------------------------------------------------------
// The model, as the JSON reads into it.

type UnitActionKind = 'allow' | 'kill_thread' | 'kill_process' | 'log' | 'trap';
type Action = { readonly kind: UnitActionKind } | { readonly kind: 'errno' | 'trace'; readonly data: number };
type CmpOp = { readonly kind: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' } | { readonly kind: 'masked_eq'; readonly mask: bigint };
type ArgLen = 'dword' | 'qword';

interface Condition {
  readonly index: number;
  readonly len: ArgLen;
  readonly op: CmpOp;
  readonly value: bigint;
  readonly where: Where;
}

interface Rule {
  readonly syscall: string;
  /** null when the entry has no "args" (or "args": null). */
  readonly conditions: Condition[] | null;
  readonly where: Where;
}

interface ThreadFilter {
  readonly name: string;
  readonly mismatch: Action;
  readonly match: Action;
  readonly rules: Rule[];
  readonly where: Where;
}

/** A place in the file: a path for people ("thread "vmm", filter[3] (ioctl)") and a position. */
interface Where {
  readonly path: string;
  readonly line: number;
  readonly col: number;
}

class Reader {
  constructor(readonly file: string) {}

  fail(where: Where, problem: string): never {
    throw new SeccheckError(this.file, `${where.line}:${where.col}`, where.path === '' ? problem : `${where.path}: ${problem}`);
  }
}

const at = (path: string, v: { line: number; col: number }): Where => ({ path, line: v.line, col: v.col });
const q = (s: string): string => JSON.stringify(s);

function describe(v: JsonValue): string {
  switch (v.kind) {
    case 'null': return 'null';
    case 'bool': return `boolean ${v.value}`;
    case 'number': return `number ${v.text}`;
    case 'string': return `string ${q(v.value.length > 40 ? v.value.slice(0, 40) + '...' : v.value)}`;
    case 'array': return 'an array';
    case 'object': return 'an object';
  }
}

// ---------------------------------------------------------------------------
// Reading, as serde derive + serde_json read seccompiler's structs.

interface FieldSpec<T> {
  readonly name: string;
  readonly alias?: string;
  /** Option<T>: may be missing; null reads as absent. */
  readonly optional?: boolean;
  readonly read: (v: JsonValue, path: string) => T;
}

/**
 * A struct with deny_unknown_fields: an object (fields by name, in any
 * order, each once) or an array of exactly all the fields in order. Values
 * are read as they come, so the first error in the document is the one shown.
 */
function readStruct(r: Reader, v: JsonValue, path: string, what: string, fields: readonly FieldSpec<unknown>[]): unknown[] {
  const out: unknown[] = new Array(fields.length).fill(undefined);
  const readField = (i: number, value: JsonValue, fieldPath: string): void => {
    const f = fields[i];
    out[i] = f.optional && value.kind === 'null' ? null : f.read(value, fieldPath);
  };
  if (v.kind === 'array') {
    v.items.forEach((item, i) => {
      if (i >= fields.length) r.fail(at(path, item), `too many elements for ${what} written as an array (it has ${fields.length} fields)`);
      readField(i, item, `${path}, ${fields[i].name}`);
    });
    if (v.items.length < fields.length) {
      r.fail(at(path, v), `${what} written as an array needs all ${fields.length} fields (${fields.map((f) => f.name).join(', ')}), found ${v.items.length}`);
    }
    return out;
  }
  if (v.kind !== 'object') r.fail(at(path, v), `expected ${what} (an object), found ${describe(v)}`);
  const seen = new Array<boolean>(fields.length).fill(false);
  for (const m of v.members) {
    const i = fields.findIndex((f) => f.name === m.key || f.alias === m.key);
    const keyWhere = { path, line: m.keyLine, col: m.keyCol };
    if (i < 0) {
      const names = fields.flatMap((f) => (f.alias ? [f.alias, f.name] : [f.name])).map((n) => `"${n}"`).join(', ');
      r.fail(keyWhere, `unknown field ${q(m.key)} in ${what}, expected one of ${names}`);
    }
    if (seen[i]) {
      const f = fields[i];
      r.fail(keyWhere, f.alias ? `duplicate field: ${q(m.key)} (${f.alias} and ${f.name} are the same field)` : `duplicate field ${q(m.key)}`);
    }
    seen[i] = true;
    readField(i, m.value, `${path}, ${m.key}`);
  }
  fields.forEach((f, i) => {
    if (!seen[i] && !f.optional) r.fail(at(path, v), `missing field "${f.alias ?? f.name}" in ${what}`);
    if (!seen[i]) out[i] = null;
  });
  return out;
}

/**
 * A serde enum as serde_json reads it: "variant" for a unit variant, or an
 * object with exactly one member {"variant": value} (value null for a unit
 * variant, the payload for a newtype variant).
 */
function readEnum<T>(
  r: Reader, v: JsonValue, path: string, what: string,
  units: readonly string[], newtypes: Readonly<Record<string, (v: JsonValue, path: string) => T>>,
  make: (variant: string, payload: T | null) => unknown,
): unknown {
  const all = [...units, ...Object.keys(newtypes)];
  const unknownVariant = (name: string, w: Where): never =>
    r.fail(w, `unknown ${what} ${q(name)}, expected one of ${all.map((n) => `"${n}"`).join(', ')}`);
  if (v.kind === 'string') {
    if (units.includes(v.value)) return make(v.value, null);
    if (Object.hasOwn(newtypes, v.value)) r.fail(at(path, v), `${what} ${q(v.value)} needs a value: write {${q(v.value)}: N}`);
    return unknownVariant(v.value, at(path, v));
  }
  if (v.kind === 'object') {
    if (v.members.length !== 1) r.fail(at(path, v), `${what} written as an object must have exactly one key, found ${v.members.length}`);
    const m = v.members[0];
    const w = { path, line: m.keyLine, col: m.keyCol };
    if (units.includes(m.key)) {
      if (m.value.kind !== 'null') r.fail(at(path, m.value), `${what} ${q(m.key)} takes no value, found ${describe(m.value)}`);
      return make(m.key, null);
    }
    if (Object.hasOwn(newtypes, m.key)) return make(m.key, newtypes[m.key](m.value, `${path}, ${m.key}`));
    return unknownVariant(m.key, w);
  }
  return r.fail(at(path, v), `expected ${what} (a string such as ${q(units[0])} or an object such as {${q(Object.keys(newtypes)[0] ?? units[0])}: N}), found ${describe(v)}`);
}

/** An unsigned integer of `bits` bits: JSON digits only (serde_json reads -0, 1.0 and 1e2 as floats). */
function readUnsigned(r: Reader, v: JsonValue, path: string, bits: 8 | 32 | 64): bigint {
  const type = `u${bits}`;
  if (v.kind !== 'number') r.fail(at(path, v), `expected an unsigned integer (${type}), found ${describe(v)}`);
  if (!/^(0|[1-9][0-9]*)$/.test(v.text)) r.fail(at(path, v), `expected an unsigned integer (${type}), found ${v.text}`);
  const n = BigInt(v.text);
  if (n >= 1n << BigInt(bits)) r.fail(at(path, v), `${v.text} does not fit in ${type}`);
  return n;
}

function readString(r: Reader, v: JsonValue, path: string, what: string): string {
  if (v.kind !== 'string') r.fail(at(path, v), `expected ${what} (a string), found ${describe(v)}`);
  return v.value;
}

function readAction(r: Reader, v: JsonValue, path: string): Action {
  const u32 = (x: JsonValue, p: string): number => Number(readUnsigned(r, x, p, 32));
  return readEnum<number>(r, v, path, 'action', ['allow', 'kill_thread', 'kill_process', 'log', 'trap'], { errno: u32, trace: u32 },
    (variant, payload) => (payload === null ? { kind: variant } : { kind: variant, data: payload })) as Action;
}

function readCondition(r: Reader, v: JsonValue, path: string): Condition {
  const [index, len, op, value] = readStruct(r, v, path, 'a condition', [
    { name: 'index', read: (x, p) => Number(readUnsigned(r, x, p, 8)) },
    { name: 'type', read: (x, p) => readEnum(r, x, p, 'argument type', ['dword', 'qword'], {}, (variant) => variant) },
    {
      name: 'op',
      read: (x, p) => readEnum<bigint>(r, x, p, 'operator', ['eq', 'ge', 'gt', 'le', 'lt', 'ne'], { masked_eq: (y, pp) => readUnsigned(r, y, pp, 64) },
        (variant, mask) => (mask === null ? { kind: variant } : { kind: 'masked_eq', mask })),
    },
    { name: 'val', read: (x, p) => readUnsigned(r, x, p, 64) },
    { name: 'comment', optional: true, read: (x, p) => readString(r, x, p, 'a comment') },
  ]);
  return { index: index as number, len: len as ArgLen, op: op as CmpOp, value: value as bigint, where: at(path, v) };
}

function readRule(r: Reader, v: JsonValue, path: string): Rule {
  // The path names the syscall once it is known, for messages about the args.
  let named = path;
  const [syscall, conditions] = readStruct(r, v, path, 'a filter entry', [
    {
      name: 'syscall',
      read: (x, p) => {
        const s = readString(r, x, p, 'a syscall name');
        named = `${path} (${/^\w+$/.test(s) ? s : q(s)})`;
        return s;
      },
    },
    {
      name: 'args', optional: true,
      read: (x, p) => {
        if (x.kind !== 'array') r.fail(at(p, x), `expected "args" to be an array of conditions, found ${describe(x)}`);
        return x.items.map((c, i) => readCondition(r, c, `${named}, args[${i}]`));
      },
    },
    { name: 'comment', optional: true, read: (x) => readString(r, x, `${named}, comment`, 'a comment') },
  ]);
  return { syscall: syscall as string, conditions: conditions as Condition[] | null, where: at(named, v) };
}

function readThread(r: Reader, name: string, v: JsonValue): ThreadFilter {
  const path = `thread ${q(name)}`;
  const [mismatch, match, rules] = readStruct(r, v, path, 'a thread filter', [
    { name: 'mismatch_action', alias: 'default_action', read: (x, p) => readAction(r, x, p) },
    { name: 'match_action', alias: 'filter_action', read: (x, p) => readAction(r, x, p) },
    {
      name: 'filter',
      read: (x, p) => {
        if (x.kind !== 'array') r.fail(at(p, x), `expected "filter" to be an array of entries, found ${describe(x)}`);
        return x.items.map((e, i) => readRule(r, e, `${path}, filter[${i}]`));
      },
    },
  ]);
  return { name, mismatch: mismatch as Action, match: match as Action, rules: rules as Rule[], where: at(path, v) };
}

/** The top level: a JSON object of thread name -> filter; a repeated name is an error. */
function readThreads(r: Reader, text: string): ThreadFilter[] {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) {
    throw new SeccheckError(r.file, undefined, 'text contains a lone UTF-16 surrogate (not valid Unicode)');
  }
  let doc: JsonValue;
  try {
    doc = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new SeccheckError(r.file, `${e.line}:${e.col}`, `invalid JSON: ${e.problem}`);
    throw e;
  }
  if (doc.kind !== 'object') r.fail(at('', doc), `expected a JSON object of thread name -> filter, found ${describe(doc)}`);
  const threads: ThreadFilter[] = [];
  const names = new Set<string>();
  for (const m of doc.members) {
    const t = readThread(r, m.key, m.value);
    if (names.has(m.key)) r.fail({ path: '', line: m.keyLine, col: m.keyCol }, `duplicate thread name ${q(m.key)}`);
    names.add(m.key);
    threads.push(t);
  }
  return threads.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ---------------------------------------------------------------------------
// Checking and grouping (seccompiler's JSON frontend).

interface SyscallChain {
  readonly nr: number;
  readonly name: string;
  /** Conditional entries, in file order. */
  readonly rules: Condition[][];
  /** Entries without args (dropped when `rules` is not empty). */
  readonly unconditional: Where[];
}

interface CheckedThread {
  readonly filter: ThreadFilter;
  /** By ascending syscall number. */
  readonly chains: SyscallChain[];
}

function checkThread(r: Reader, t: ThreadFilter, arch: TargetArch): CheckedThread {
  const table = SYSCALL_TABLES.get(arch)!;
  const byNr = new Map<number, SyscallChain>();
  for (const rule of t.rules) {
    const nr = table.get(rule.syscall);
    if (nr === undefined) r.fail(rule.where, `unknown syscall ${q(rule.syscall)} for ${arch} (not in seccompiler 0.5.0's ${arch} table)`);
    let chain = byNr.get(nr);
    if (chain === undefined) {
      chain = { nr, name: rule.syscall, rules: [], unconditional: [] };
      byNr.set(nr, chain);
    }
    if (rule.conditions === null) {
      chain.unconditional.push(rule.where);
      continue;
    }
    for (const c of rule.conditions) {
      if (c.index > ARG_NUMBER_MAX) r.fail(c.where, `argument index ${c.index} is over ${ARG_NUMBER_MAX} (a syscall has arguments 0 to 5)`);
    }
    if (rule.conditions.length === 0) {
      r.fail(rule.where, `"args" is empty; leave "args" out to match ${rule.syscall} whatever its arguments`);
    }
    chain.rules.push(rule.conditions);
  }
  if (sameAction(t.mismatch, t.match)) {
    r.fail(t.where, `default_action and filter_action are both ${actionName(t.match)}; seccompiler 0.5.0 rejects identical actions`);
  }
  return { filter: t, chains: [...byNr.values()].sort((a, b) => a.nr - b.nr) };
}

function sameAction(a: Action, b: Action): boolean {
  return a.kind === b.kind && ('data' in a ? a.data : 0) === ('data' in b ? b.data : 0);
}

function actionName(a: Action): string {
  return 'data' in a ? `${a.kind}(${a.data})` : a.kind;
}

/** The 32-bit return value of an action; errno and trace data keep only the low 16 bits. */
function actionValue(a: Action): number {
  switch (a.kind) {
    case 'allow': return SECCOMP_RET_ALLOW;
    case 'errno': return (SECCOMP_RET_ERRNO | (a.data & SECCOMP_RET_DATA)) >>> 0;
    case 'kill_thread': return SECCOMP_RET_KILL_THREAD;
    case 'kill_process': return SECCOMP_RET_KILL_PROCESS;
    case 'log': return SECCOMP_RET_LOG;
    case 'trace': return (SECCOMP_RET_TRACE | (a.data & SECCOMP_RET_DATA)) >>> 0;
    case 'trap': return SECCOMP_RET_TRAP;
  }
}

// ---------------------------------------------------------------------------
// Code generation (seccompiler's backend).

const ld = (offset: number): Insn => BPF_STMT(OP.LD_W_ABS, offset);
const ja = (k: number): Insn => BPF_STMT(OP.JMP_JA, k);
const ret = (k: number): Insn => BPF_STMT(OP.RET_K, k);
const and = (k: number): Insn => BPF_STMT(OP.ALU_AND_K, k);
function jump(code: number, k: number, jt: number, jf: number): Insn {
  if (jt > 255 || jf > 255) throw new Error(`seccompiler backend: jump offset over 255 (${jt}, ${jf})`);
  return BPF_JUMP(code, k, jt, jf);
}
const jeq = (k: number, jt: number, jf: number): Insn => jump(OP.JMP_JEQ_K, k, jt, jf);
const jgt = (k: number, jt: number, jf: number): Insn => jump(OP.JMP_JGT_K, k, jt, jf);
const jge = (k: number, jt: number, jf: number): Insn => jump(OP.JMP_JGE_K, k, jt, jf);

const hi32 = (v: bigint): number => Number((v >> 32n) & 0xffffffffn);
const lo32 = (v: bigint): number => Number(v & 0xffffffffn);

/**
 * One condition; `fail` is the jump distance, from just after the
 * condition, to the next rule. The qword prefix tests the high half (at
 * args[i] + 4: these arches are little-endian) and decides alone when it can.
 */
function conditionCode(c: Condition, fail: number): Insn[] {
  const lo = SECCOMP_DATA_ARGS + 8 * c.index;
  const hi = lo + 4;
  const qword = c.len === 'qword';
  switch (c.op.kind) {
    case 'eq': {
      const v = c.value;
      return [...(qword ? [ld(hi), jeq(hi32(v), 0, fail + 2)] : []), ld(lo), jeq(lo32(v), 0, fail)];
    }
    case 'ne': {
      const v = c.value;
      return [...(qword ? [ld(hi), jeq(hi32(v), 0, 2)] : []), ld(lo), jeq(lo32(v), fail, 0)];
    }
    case 'ge':
    case 'gt': {
      const v = c.value;
      const low = c.op.kind === 'ge' ? jge(lo32(v), 0, fail) : jgt(lo32(v), 0, fail);
      return [...(qword ? [ld(hi), jgt(hi32(v), 3, 0), jeq(hi32(v), 0, fail + 2)] : []), ld(lo), low];
    }
    case 'le':
    case 'lt': {
      const v = c.value;
      const low = c.op.kind === 'le' ? jgt(lo32(v), fail, 0) : jge(lo32(v), fail, 0);
      return [...(qword ? [ld(hi), jgt(hi32(v), fail + 3, 0), jeq(hi32(v), 0, 2)] : []), ld(lo), low];
    }
    case 'masked_eq': {
      const m = c.op.mask;
      const v = c.value & m;
      return [...(qword ? [ld(hi), and(hi32(m)), jeq(hi32(v), 0, fail + 3)] : []), ld(lo), and(lo32(m)), jeq(lo32(v), 0, fail)];
    }
  }
}

/**
 * One rule without its final `ret MATCH`. It is laid out from the end: the
 * first condition sits last, one instruction before the next rule.
 */
function ruleCode(conditions: readonly Condition[]): Insn[] {
  const pieces: Insn[][] = []; // from the end of the rule backwards
  let distance = 1; // from here to the next rule: just the `ret MATCH`
  for (const c of conditions) {
    if (distance + CONDITION_MAX_LEN + 1 > 255) {
      // Trampoline after this condition: go on to the next condition; leave the rule; skip the rule.
      pieces.push([ja(2), ja(distance + 1), ja(distance + 1)]);
      distance = 1;
    }
    const code = conditionCode(c, distance);
    distance += code.length;
    pieces.push(code);
  }
  pieces.push([ja(1), ja(distance + 1)]);
  return pieces.reverse().flat();
}

function threadProgram(t: CheckedThread, arch: ArchInfo): Insn[] {
  const match = actionValue(t.filter.match);
  const mismatch = actionValue(t.filter.mismatch);
  const program: Insn[] = [ld(SECCOMP_DATA_ARCH), jeq(arch.auditArch, 1, 0), ret(SECCOMP_RET_KILL_PROCESS)];
  if (t.chains.length === 0) {
    program.push(ret(mismatch));
    return program;
  }
  program.push(ld(SECCOMP_DATA_NR));
  for (const chain of t.chains) {
    program.push(jeq(chain.nr, 0, 1));
    if (chain.rules.length === 0) {
      program.push(ja(1), ja(2), ret(match));
    } else {
      for (const rule of chain.rules) program.push(...ruleCode(rule), ret(match));
    }
    program.push(ret(mismatch));
  }
  program.push(ret(mismatch));
  return program;
}

// ---------------------------------------------------------------------------
// Warnings: what the compiled program does that its author may not expect.

function threadWarnings(t: CheckedThread, arch: TargetArch): string[] {
  const out: string[] = [];
  const f = t.filter;
  const lineOf = (w: Where): string => `${w.path} (line ${w.line})`;
  for (const [label, a] of [['default_action', f.mismatch], ['filter_action', f.match]] as const) {
    if ('data' in a && a.data > SECCOMP_RET_DATA) {
      out.push(`thread ${q(f.name)}: ${label} ${a.kind}(${a.data}) is truncated to ${a.kind}(${a.data & SECCOMP_RET_DATA}) (only 16 bits of data fit in the return value)`);
    }
  }
  for (const chain of t.chains) {
    if (chain.rules.length > 0 && chain.unconditional.length > 0) {
      const plain = chain.unconditional.map((w) => lineOf(w)).join(', ');
      out.push(
        `${plain}: the entry for ${chain.name} without "args" is dropped because ${chain.name} also has entries with "args"; ` +
          `${chain.name} gets ${actionName(f.match)} only when one of those matches, ${actionName(f.mismatch)} otherwise`,
      );
    }
    for (const rule of chain.rules) {
      for (const c of rule) {
        if (c.len !== 'dword') continue;
        if (c.op.kind === 'masked_eq') {
          if (c.op.mask > 0xffffffffn) {
            out.push(`${lineOf(c.where)}: dword masked_eq mask 0x${c.op.mask.toString(16)} does not fit in 32 bits; only the low half of the argument is tested, with the low 32 bits of the mask`);
          }
        } else if (c.value > 0xffffffffn) {
          out.push(`${lineOf(c.where)}: dword value ${c.value} does not fit in 32 bits; only its low 32 bits (${c.value & 0xffffffffn}) are compared, with the low half of the argument`);
        }
      }
    }
  }
  if (arch === 'x86_64' && t.chains.length > 0 && permits(f.mismatch) && !permits(f.match)) {
    out.push(
      `thread ${q(f.name)}: no x32 guard: the arch check lets x32 syscalls (nr | 0x40000000) through and they match no rule, ` +
        `so they get default_action ${actionName(f.mismatch)}: every syscall this filter denies can be made through the x32 ABI`,
    );
  }
  return out;
}

/** Actions under which the syscall runs. */
const permits = (a: Action): boolean => a.kind === 'allow' || a.kind === 'log';

// ---------------------------------------------------------------------------
// The API.

function targetArch(arch: ArchInfo): TargetArch {
  const name = TARGET_ARCHES.find((a) => a === arch.name);
  if (name === undefined) {
    throw new SeccheckError(undefined, '--arch', `the seccompiler format compiles for x86_64, aarch64 or riscv64 only, not ${arch.name}`);
  }
  return name;
}

/** Compile every thread of a seccompiler JSON text for one arch (x86_64, aarch64 or riscv64), threads sorted by name. */
export function compileSeccompiler(text: string, file: string, arch: ArchInfo): { programs: Map<string, Insn[]>; warnings: string[] } {
  const target = targetArch(arch);
  const r = new Reader(file);
  const threads = readThreads(r, text);
  const checked = threads.map((t) => checkThread(r, t, target));
  const programs = new Map<string, Insn[]>();
  const warnings: string[] = [];
  if (threads.length === 0) warnings.push('the file defines no threads (an empty JSON object)');
  for (const t of checked) {
    const program = threadProgram(t, arch);
    if (program.length >= BPF_MAX_LEN) {
      r.fail(t.filter.where, `the compiled program has ${program.length} instructions; seccompiler 0.5.0 rejects ${BPF_MAX_LEN} or more`);
    }
    programs.set(t.filter.name, program);
    warnings.push(...threadWarnings(t, target));
  }
  return { programs, warnings };
}

/** The host's arch when seccompiler targets it, else x86_64. */
function defaultArch(): ArchInfo {
  const host = hostArch();
  return host !== undefined && TARGET_ARCHES.some((a) => a === host.name) ? host : archByName('x86_64')!;
}

/** The LoadedFilter for the format loader (format 'seccompiler'; arch = opts.arch or x86_64/aarch64/riscv64 host default; info.compiler = "rust-vmm seccompiler 0.5.0 semantics"). */
export function loadSeccompiler(bytes: Uint8Array, file: string, opts: LoadOptions): LoadedFilter {
  const arch = opts.arch ?? defaultArch();
  targetArch(arch);
  let text: string;
  try {
    // serde_json neither skips a byte order mark nor accepts invalid UTF-8.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) { line++; lineStart = i + 1; }
    throw new SeccheckError(file, `${line}:${bad - lineStart + 1}`, `not valid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at offset ${bad})`);
  }
  const { programs, warnings } = compileSeccompiler(text, file, arch);
  return {
    source: file,
    format: 'seccompiler',
    programs: [...programs].map(([thread, program]) => ({ thread, arch, program })),
    warnings,
    info: { compiler: COMPILER, arch: arch.name },
  };
}

/** Offset of the first byte that does not start (or continue) a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const [len, min, max] =
      b < 0x80 ? [1, 0, 0] :
      b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf] :
      b === 0xe0 ? [3, 0xa0, 0xbf] :
      b === 0xed ? [3, 0x80, 0x9f] : // no UTF-16 surrogates
      b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf] :
      b === 0xf0 ? [4, 0x90, 0xbf] :
      b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf] :
      b === 0xf4 ? [4, 0x80, 0x8f] : [0, 0, 0];
    if (len === 0 || i + len > bytes.length) return i;
    if (len > 1 && (bytes[i + 1] < min || bytes[i + 1] > max)) return i;
    for (let j = 2; j < len; j++) if (bytes[i + j] < 0x80 || bytes[i + j] > 0xbf) return i;
    i += len;
  }
  return bytes.length;
}

/** Cheap detection for auto-detect: JSON object whose values look like {default_action, filter_action, filter}. */
export function looksLikeSeccompiler(bytes: Uint8Array): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
  } catch {
    return false;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false;
  const threads = Object.values(doc);
  return threads.length > 0 && threads.every((t) =>
    typeof t === 'object' && t !== null && !Array.isArray(t) && 'filter' in t &&
    ['default_action', 'mismatch_action', 'filter_action', 'match_action'].some((k) => k in t));
}
