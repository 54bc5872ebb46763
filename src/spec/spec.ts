// The spec file of `seccheck verify`: which filter, which arches, and what
// it must do, as an ordered list of expectations (the first one that matches
// an input decides what the input must get). YAML or JSON (JSON is YAML);
// every problem is a SeccheckError naming the file and line.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { decodeAction, archByName, type ArchInfo } from 'unicorn-bpf-emulator';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { errnoNumber } from '../arch/errno.js';
import { syscallNumber } from '../arch/syscalls.js';
import { SeccheckError } from '../errors.js';
import type { FormatName } from '../formats/filter.js';

const U64 = (1n << 64n) - 1n;

export type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
/** One condition on a full 64-bit argument. */
export type ArgCond =
  | { readonly kind: 'cmp'; readonly op: CmpOp; readonly value: bigint }
  | { readonly kind: 'mask'; readonly mask: bigint; readonly value: bigint };

/** Conditions on args[i], all of which must hold. */
export interface ArgConds { readonly arg: number; readonly conds: readonly ArgCond[] }

export type ActionMatcher =
  /** An action kind; data undefined matches any data; errno names resolve per arch. */
  | { readonly kind: 'action'; readonly action: 'ALLOW' | 'LOG' | 'KILL_THREAD' | 'KILL_PROCESS' | 'TRAP' | 'ERRNO' | 'TRACE' | 'USER_NOTIF'; readonly data?: number | string }
  | { readonly kind: 'deny' }
  | { readonly kind: 'not'; readonly inner: ActionMatcher };

export type Expectation =
  | { readonly kind: 'syscalls'; readonly line: number; readonly syscalls: readonly string[]; readonly args: readonly ArgConds[]; readonly action: ActionMatcher; readonly actionText: string }
  | { readonly kind: 'foreign_arch' | 'x32' | 'default'; readonly line: number; readonly action: ActionMatcher; readonly actionText: string };

export interface Spec {
  readonly file: string;
  /** The filter path resolved against the spec's directory; undefined if the spec names none. */
  readonly filter?: string;
  readonly format?: FormatName;
  readonly thread?: string;
  readonly arches: readonly ArchInfo[];
  readonly expect: readonly Expectation[];
}

const FORMATS: readonly string[] = ['raw', 'asm', 'bincode', 'seccompiler', 'oci', 'cellos'];
const TOP_KEYS = ['filter', 'format', 'thread', 'arches', 'expect'];

/** Read and parse a spec file. */
export function loadSpec(file: string): Spec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SeccheckError(file, undefined, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseSpec(text, file);
}

/** Parse a spec's text; `file` names it in errors and anchors a relative `filter`. */
export function parseSpec(text: string, file: string): Spec {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, intAsBigInt: true, uniqueKeys: true, prettyErrors: false });
  const lineOf = (n: Node | null | undefined): number | undefined => (n?.range ? lc.linePos(n.range[0]).line : undefined);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0].line ?? lc.linePos(e.pos[0]).line;
    throw new SeccheckError(file, line, `not valid YAML/JSON: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  const fail = (n: Node | null | undefined, problem: string): never => {
    throw new SeccheckError(file, lineOf(n) ?? 1, problem);
  };
  if (!isMap(root)) return fail(root, 'a spec is a mapping with keys filter, format, thread, arches, expect');
  const top = entries(root, TOP_KEYS, fail);

  const str = (n: Node | undefined, what: string): string => {
    if (!isScalar(n) || typeof n.value !== 'string' || n.value === '') return fail(n, `${what} must be a non-empty string`);
    return n.value;
  };

  const filterNode = top.get('filter');
  const filter = filterNode === undefined ? undefined : resolve(dirname(file), str(filterNode.value, 'filter'));
  let format: FormatName | undefined;
  const formatNode = top.get('format');
  if (formatNode !== undefined) {
    const f = str(formatNode.value, 'format');
    if (!FORMATS.includes(f)) fail(formatNode.value, `unknown format ${JSON.stringify(f)} (one of ${FORMATS.join(', ')})`);
    format = f as FormatName;
  }
  const threadNode = top.get('thread');
  const thread = threadNode === undefined ? undefined : str(threadNode.value, 'thread');

  const archesNode = top.get('arches');
  if (archesNode === undefined) return fail(root, 'missing key "arches" (a list of arch names such as [x86_64])');
  const archSeq = archesNode.value;
  if (!isSeq(archSeq) || archSeq.items.length === 0) return fail(archSeq ?? archesNode.key, 'arches must be a non-empty list of arch names');
  const arches: ArchInfo[] = [];
  for (const item of archSeq.items as Node[]) {
    const name = str(item, 'an arch');
    const a = archByName(name);
    if (a === undefined) return fail(item, `unknown arch ${JSON.stringify(name)}`);
    if (arches.includes(a)) return fail(item, `arch ${name} listed twice`);
    arches.push(a);
  }

  const expectNode = top.get('expect');
  if (expectNode === undefined) return fail(root, 'missing key "expect" (a list of expectations)');
  const expSeq = expectNode.value;
  if (!isSeq(expSeq)) return fail(expSeq ?? expectNode.key, 'expect must be a list');
  const expect: Expectation[] = [];
  for (const item of expSeq.items as Node[]) expect.push(parseExpectation(item, arches, fail, lineOf));
  return { file, filter, format, thread, arches, expect };
}

type Fail = (n: Node | null | undefined, problem: string) => never;

/** A mapping's pairs by key, rejecting unknown and non-string keys. */
function entries(map: YAMLMap, allowed: readonly string[], fail: Fail): Map<string, { key: Node; value: Node | undefined }> {
  const out = new Map<string, { key: Node; value: Node | undefined }>();
  for (const pair of map.items as Pair<Node, Node | null>[]) {
    const key = pair.key;
    const name = isScalar(key) ? String(key.value) : undefined;
    if (name === undefined || !allowed.includes(name)) {
      return fail(key, `unknown key ${JSON.stringify(name ?? '?')} (expected ${allowed.join(', ')})`);
    }
    out.set(name, { key, value: pair.value ?? undefined });
  }
  return out;
}

function parseExpectation(node: Node, arches: readonly ArchInfo[], fail: Fail, lineOf: (n: Node | null | undefined) => number | undefined): Expectation {
  if (!isMap(node)) return fail(node, 'an expectation is a mapping: {syscalls, args?, action}, {foreign_arch: A}, {x32: A} or {default: A}');
  const line = lineOf(node) ?? 1;
  const keys = (node.items as Pair<Node, Node | null>[]).map((p) => (isScalar(p.key) ? String(p.key.value) : '?'));
  const single = keys.length === 1 && ['foreign_arch', 'x32', 'default'].includes(keys[0]);
  if (single) {
    const kind = keys[0] as 'foreign_arch' | 'x32' | 'default';
    const v = node.items[0].value as Node | null;
    const { matcher, text } = parseActionNode(v, arches, fail);
    return { kind, line, action: matcher, actionText: text };
  }
  const e = entries(node, ['syscalls', 'args', 'action'], fail);
  const sc = e.get('syscalls');
  if (sc === undefined) return fail(node, 'an expectation needs "syscalls" (or is one of {foreign_arch: A}, {x32: A}, {default: A})');
  const act = e.get('action');
  if (act === undefined) return fail(node, 'an expectation needs "action"');
  const scNode = sc.value;
  const names: Node[] = isSeq(scNode) ? (scNode.items as Node[]) : isScalar(scNode) ? [scNode] : [];
  if (names.length === 0) return fail(scNode ?? sc.key, 'syscalls must be a non-empty list of syscall names');
  const syscalls: string[] = [];
  for (const n of names) {
    if (!isScalar(n) || typeof n.value !== 'string') return fail(n, 'a syscall name must be a string');
    for (const a of arches) {
      if (syscallNumber(a.name, n.value) === undefined) fail(n, `unknown syscall ${JSON.stringify(n.value)} on ${a.name}`);
    }
    syscalls.push(n.value);
  }
  const args: ArgConds[] = [];
  const argsNode = e.get('args');
  if (argsNode !== undefined) {
    const m = argsNode.value;
    if (!isMap(m)) return fail(m ?? argsNode.key, 'args must be a mapping from argument index (0-5) to a value or condition');
    for (const pair of m.items as Pair<Node, Node | null>[]) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!/^[0-5]$/.test(k)) return fail(pair.key, `args: ${JSON.stringify(k)} is not an argument index 0-5`);
      args.push({ arg: Number(k), conds: parseArgCond(pair.value, fail) });
    }
  }
  const { matcher, text } = parseActionNode(act.value ?? null, arches, fail);
  return { kind: 'syscalls', line, syscalls, args, action: matcher, actionText: text };
}

const CMP_OPS: readonly CmpOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];

function parseArgCond(n: Node | null, fail: Fail): ArgCond[] {
  if (isMap(n)) {
    const e = entries(n, ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'mask'], fail);
    const maskE = e.get('mask');
    const conds: ArgCond[] = [];
    if (maskE !== undefined) {
      const eqE = e.get('eq');
      if (eqE === undefined || e.size !== 2) return fail(n, '{mask: M} goes with exactly {eq: V}');
      return [{ kind: 'mask', mask: u64(maskE.value, fail), value: u64(eqE.value, fail) }];
    }
    for (const op of CMP_OPS) {
      const v = e.get(op);
      if (v !== undefined) conds.push({ kind: 'cmp', op, value: u64(v.value, fail) });
    }
    if (conds.length === 0) return fail(n, 'an argument condition needs one of eq, ne, lt, le, gt, ge, mask');
    return conds;
  }
  return [{ kind: 'cmp', op: 'eq', value: u64(n ?? undefined, fail) }];
}

/** A 64-bit value: an integer (negative: two's complement) or a string such as "0x10". */
function u64(n: Node | undefined, fail: Fail): bigint {
  if (!isScalar(n)) return fail(n, 'expected a number');
  const v = n.value;
  let b: bigint | undefined;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && /^-?(0x[0-9a-f]+|0o[0-7]+|0b[01]+|[0-9]+)$/i.test(v.trim())) {
    const s = v.trim();
    b = s.startsWith('-') ? -BigInt(s.slice(1)) : BigInt(s);
  }
  if (b === undefined) return fail(n, `${JSON.stringify(v)} is not an integer`);
  if (b > U64 || b < -(1n << 63n)) return fail(n, `${b} does not fit in 64 bits`);
  return b & U64;
}

function parseActionNode(n: Node | null, arches: readonly ArchInfo[], fail: Fail): { matcher: ActionMatcher; text: string } {
  if (!isScalar(n) || typeof n.value !== 'string') return fail(n, 'an action is a string such as ALLOW, ERRNO(EPERM), KILL_PROCESS, deny or "not ALLOW"');
  const text = n.value.trim();
  const m = parseAction(text);
  if (typeof m === 'string') return fail(n, m);
  const check = (x: ActionMatcher): void => {
    if (x.kind === 'not') check(x.inner);
    else if (x.kind === 'action' && typeof x.data === 'string') {
      for (const a of arches) if (errnoNumber(x.data, a.name) === undefined) fail(n, `unknown errno ${x.data} on ${a.name}`);
    }
  };
  check(m);
  return { matcher: m, text };
}

/** An action text, or the problem with it. */
export function parseAction(text: string): ActionMatcher | string {
  const t = text.trim();
  const not = /^not\s+(.+)$/i.exec(t);
  if (not) {
    const inner = parseAction(not[1]);
    return typeof inner === 'string' ? inner : { kind: 'not', inner };
  }
  if (/^deny$/i.test(t)) return { kind: 'deny' };
  const m = /^([A-Z_]+)(?:\(\s*([^()]*?)\s*\))?$/i.exec(t);
  if (!m) return `unknown action ${JSON.stringify(t)}`;
  let name = m[1].toUpperCase();
  if (name === 'KILL') name = 'KILL_THREAD';
  const arg = m[2];
  const kinds = ['ALLOW', 'LOG', 'KILL_THREAD', 'KILL_PROCESS', 'TRAP', 'ERRNO', 'TRACE', 'USER_NOTIF'] as const;
  const action = kinds.find((k) => k === name);
  if (action === undefined) return `unknown action ${JSON.stringify(t)} (ALLOW, LOG, ERRNO(n), TRAP, TRACE(n), USER_NOTIF, KILL_THREAD, KILL_PROCESS, deny, not A)`;
  if (arg === undefined) return { kind: 'action', action };
  if (action !== 'ERRNO' && action !== 'TRAP' && action !== 'TRACE') return `${action} takes no data`;
  if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(arg)) {
    const d = Number(arg);
    if (d > 0xffff) return `${t}: data ${arg} does not fit in 16 bits`;
    return { kind: 'action', action, data: d };
  }
  if (action === 'ERRNO' && /^E[A-Z0-9]+$/.test(arg)) return { kind: 'action', action, data: arg };
  return `unknown action ${JSON.stringify(t)}`;
}

/** Does a filter return value satisfy the matcher on this arch? */
export function actionMatches(m: ActionMatcher, raw: number, archName: string): boolean {
  const a = decodeAction(raw);
  switch (m.kind) {
    case 'deny':
      return a.kind !== 'ALLOW' && a.kind !== 'LOG';
    case 'not':
      return !actionMatches(m.inner, raw, archName);
    case 'action': {
      if (a.kind !== m.action) return false;
      if (m.data === undefined) return true;
      const want = typeof m.data === 'number' ? m.data : errnoNumber(m.data, archName);
      return want !== undefined && a.data === want;
    }
  }
}

/** Do the argument conditions hold for these args? */
export function argsHold(conds: readonly ArgConds[], args: readonly bigint[]): boolean {
  for (const { arg, conds: cs } of conds) {
    const x = args[arg] ?? 0n;
    for (const c of cs) if (!condHolds(c, x)) return false;
  }
  return true;
}

export function condHolds(c: ArgCond, x: bigint): boolean {
  if (c.kind === 'mask') return (x & c.mask) === c.value;
  switch (c.op) {
    case 'eq': return x === c.value;
    case 'ne': return x !== c.value;
    case 'lt': return x < c.value;
    case 'le': return x <= c.value;
    case 'gt': return x > c.value;
    case 'ge': return x >= c.value;
  }
}

const hex = (v: bigint): string => '0x' + v.toString(16);

/** "getpid", "ioctl args[1] == 0x5401", "foreign_arch", ... */
export function describeExpectation(e: Expectation): string {
  if (e.kind !== 'syscalls') return e.kind;
  const conds = e.args.flatMap(({ arg, conds }) => conds.map((c) =>
    c.kind === 'mask' ? `(args[${arg}] & ${hex(c.mask)}) == ${hex(c.value)}` : `args[${arg}] ${OP_TEXT[c.op]} ${hex(c.value)}`));
  return e.syscalls.join(',') + (conds.length ? ' ' + conds.join(' && ') : '');
}

const OP_TEXT: Readonly<Record<CmpOp, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };
