// An Explanation as text (one line per syscall, grouped by action, findings
// at the end) and as one JSON document.
import { ACTION_VALUES, auditArchName, decodeAction, type ActionKind, type ArchInfo } from 'unicorn-bpf-emulator';
import type { AbiExplanation, Entry, Explanation, Finding, SyscallVerdict, Verdict, Witness } from './explain.js';

const hex64 = (v: bigint): string => '0x' + v.toString(16);

/** A witness as a case line `seccheck eval --cases` reads (plus the value the filter returned). */
export interface WitnessRecord {
  readonly arch: string;
  readonly nr: number;
  readonly args: readonly string[];
  readonly ip: string;
  readonly raw: string;
}

export function witnessRecord(w: Witness): WitnessRecord {
  return {
    arch: w.abi,
    nr: w.data.nr,
    args: [...w.data.args].map(hex64),
    ip: hex64(w.data.instruction_pointer),
    raw: '0x' + (w.raw >>> 0).toString(16).padStart(8, '0'),
  };
}

export interface EntryRecord {
  readonly conditions: readonly string[];
  readonly action: string;
  readonly witness: WitnessRecord | null;
  /** Present (false) only when some condition could not be simplified. */
  readonly simplified?: false;
}

export type VerdictRecord =
  | { readonly action: string }
  | { readonly depends: readonly EntryRecord[] }
  | { readonly incomplete: true; readonly depends: readonly EntryRecord[] };

export type SyscallRecord = { readonly name: string; readonly nr: number } & VerdictRecord;

export interface ExplanationRecord {
  readonly arch: string;
  readonly thread: string | null;
  readonly syscalls: readonly SyscallRecord[];
  readonly foreign_arch: { readonly excluded: readonly string[] } & VerdictRecord;
  readonly x32?: AbiRecord;
  readonly i386?: AbiRecord;
  /** The compat ABI of other arches (aarch64: arm), keyed by its name. */
  readonly [compat: string]: unknown;
  readonly findings: readonly { readonly kind: string; readonly syscall: string; readonly detail: string; readonly witness: WitnessRecord }[];
}

/** A whole ABI: one action for every syscall, or the per-syscall list. */
export type AbiRecord = { readonly arch: string } & ({ readonly action: string } | { readonly syscalls: readonly SyscallRecord[] });

function entryRecord(e: Entry): EntryRecord {
  const r = { conditions: e.conditions, action: e.action, witness: e.witness && witnessRecord(e.witness) };
  return e.simplified ? r : { ...r, simplified: false };
}

export function verdictRecord(v: Verdict): VerdictRecord {
  switch (v.kind) {
    case 'action': return { action: v.action };
    case 'depends': return { depends: v.entries.map(entryRecord) };
    case 'incomplete': return { incomplete: true, depends: v.entries.map(entryRecord) };
  }
}

const syscallRecord = (s: SyscallVerdict): SyscallRecord => ({ name: s.name, nr: s.nr, ...verdictRecord(s.verdict) });

/** The one action every syscall of the ABI gets, if there is one. */
function uniformAction(syscalls: readonly SyscallVerdict[]): string | undefined {
  const first = syscalls[0]?.verdict;
  if (first?.kind !== 'action') return undefined;
  return syscalls.every((s) => s.verdict.kind === 'action' && s.verdict.action === first.action) ? first.action : undefined;
}

export const abiKey = (abi: ArchInfo): string => (abi.name === 'x86' ? 'i386' : abi.name);

function abiRecord(a: AbiExplanation): AbiRecord {
  const u = uniformAction(a.syscalls);
  return u === undefined ? { arch: a.abi.name, syscalls: a.syscalls.map(syscallRecord) } : { arch: a.abi.name, action: u };
}

const archText = (v: number): string => auditArchName(v) ?? '0x' + (v >>> 0).toString(16);

export function explanationRecord(e: Explanation): ExplanationRecord {
  const rec: Record<string, unknown> = {
    arch: e.arch.name,
    thread: e.thread,
    syscalls: e.syscalls.map(syscallRecord),
    foreign_arch: { excluded: e.foreign.excluded.map(archText), ...verdictRecord(e.foreign.verdict) },
  };
  if (e.x32) rec.x32 = abiRecord(e.x32);
  if (e.compat) rec[abiKey(e.compat.abi)] = abiRecord(e.compat);
  rec.findings = e.findings.map((f: Finding) => ({ kind: f.kind, syscall: f.syscall, detail: f.detail, witness: witnessRecord(f.witness) }));
  return rec as ExplanationRecord;
}

// ---------------------------------------------------------------- text

/** "args[1]=0x5401 ip=0x1000", or "all args 0"; the arch too when it is not the explained one. */
export function formatWitness(w: Witness | null, abi?: string): string {
  if (w === null) return 'no witness found';
  const parts: string[] = [];
  if (abi === undefined || w.abi !== abi) parts.push(`arch=${w.abi}`, `nr=${(w.data.nr >>> 0) < 0x10000 ? w.data.nr : "0x" + (w.data.nr >>> 0).toString(16)}`);
  w.data.args.forEach((a, i) => {
    if (a !== 0n) parts.push(`args[${i}]=${hex64(a)}`);
  });
  if (w.data.instruction_pointer !== 0n) parts.push(`ip=${hex64(w.data.instruction_pointer)}`);
  if (parts.length === 0 || parts.every((p) => p.startsWith('arch=') || p.startsWith('nr='))) parts.push('args 0');
  return parts.join(' ') + (w.verified ? '' : ' (SELF-CHECK FAILED)');
}

function entryLines(entries: readonly Entry[], indent: string, abi: string): string[] {
  return entries.map((e) => {
    const cond = e.conditions.length ? e.conditions.join(' && ') : 'always';
    const notes = [e.simplified ? '' : ' (condition not simplified)', e.divByZero ? ' (division by zero)' : ''].join('');
    return `${indent}${cond} -> ${e.action}${notes}  [witness: ${formatWitness(e.witness, abi)}]`;
  });
}

/** Kernel precedence of an action text's kind, for ordering groups (KILL_PROCESS first, ALLOW last). */
function actionRank(v: Verdict): number {
  if (v.kind !== 'action') return 100;
  if (v.raw === null) return 90;
  const kinds = Object.keys(ACTION_VALUES) as ActionKind[];
  return kinds.indexOf(decodeAction(v.raw).kind);
}

/** Syscalls grouped by action (strongest first), "depends" last; stable by number within a group. */
function grouped(syscalls: readonly SyscallVerdict[]): { label: string; items: SyscallVerdict[] }[] {
  const groups = new Map<string, { label: string; rank: number; items: SyscallVerdict[] }>();
  for (const s of syscalls) {
    const label = s.verdict.kind === 'action' ? s.verdict.action : s.verdict.kind === 'depends' ? 'depends on args' : 'too many paths (analysis incomplete)';
    const g = groups.get(label);
    if (g) g.items.push(s);
    else groups.set(label, { label, rank: actionRank(s.verdict), items: [s] });
  }
  return [...groups.values()].sort((a, b) => a.rank - b.rank || a.label.localeCompare(b.label));
}

function syscallLines(syscalls: readonly SyscallVerdict[], abi: string, indent: string): string[] {
  const out: string[] = [];
  for (const g of grouped(syscalls)) {
    for (const s of g.items) {
      if (s.verdict.kind === 'action') out.push(`${indent}${s.name} (${s.nr}): ${s.verdict.action}`);
      else {
        out.push(`${indent}${s.name} (${s.nr}): ${g.label}:`);
        out.push(...entryLines(s.verdict.entries, indent + '    ', abi));
      }
    }
  }
  return out;
}

function verdictLines(head: string, v: Verdict, abi: string): string[] {
  if (v.kind === 'action') return [`${head}: ${v.action}`];
  const label = v.kind === 'depends' ? 'depends on' : 'too many paths (analysis incomplete); found so far';
  return [`${head}: ${label}:`, ...entryLines(v.entries, '    ', abi)];
}

function abiLines(head: string, a: AbiExplanation): string[] {
  const u = uniformAction(a.syscalls);
  if (u !== undefined) return [`${head}: ${u} (all ${a.syscalls.length} syscalls)`];
  return [`${head}:`, ...grouped(a.syscalls).map((g) => `    ${g.label} (${g.items.length}): ${g.items.map((s) => s.name).join(', ')}`)];
}

export function formatExplanation(e: Explanation, source?: string): string[] {
  const abi = e.arch.name;
  const counts = grouped(e.syscalls).map((g) => `${g.label} ${g.items.length}`).join(', ');
  const out: string[] = [
    `${source ? source + ': ' : ''}${e.instructions} instructions${e.thread === null ? '' : `, thread ${e.thread}`}; ${e.syscalls.length} ${abi} syscalls (${archText(e.arch.auditArch)}): ${counts}`,
    ...syscallLines(e.syscalls, abi, '  '),
  ];
  const excluded = e.foreign.excluded.length ? `not ${e.foreign.excluded.map(archText).join(', ')}` : 'the filter checks no arch';
  out.push(...verdictLines(`foreign arch (${excluded})`, e.foreign.verdict, ''));
  if (e.x32) out.push(...abiLines(`x32 callers (nr | 0x40000000, ${archText(e.x32.abi.auditArch)})`, e.x32));
  if (e.compat) out.push(...abiLines(`${abiKey(e.compat.abi)} callers (${archText(e.compat.abi.auditArch)}, ${abiKey(e.compat.abi)} numbers)`, e.compat));
  out.push(`findings (${e.findings.length})${e.findings.length ? ':' : ''}`);
  for (const f of e.findings) out.push(`  ${f.kind} ${f.syscall}: ${f.detail}  [witness: ${formatWitness(f.witness)}]`);
  return out;
}
