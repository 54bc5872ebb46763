// The static seccheck-probe executable's line protocol (native/main/
// seccheck_probe.c), for engines that run it somewhere else (a VM, a
// container): requests as text lines, answers as JSON lines decoded into the
// same KernelOutcome / KernelInstallStep values the shared library gives.
import { encodeProgram, type Program } from 'unicorn-bpf-emulator';
import type { KernelInstallStep } from './install.js';
import { kernelOutcomeOf, type KernelCase, type KernelOutcome, type KernelRunOptions, type RawOutcome } from './probe.js';

/** Most CASE words one request line may carry (the executable's argument table holds 4096 words, PROGS included). */
export const MAX_CASES_PER_REQUEST = 4000;

/** PROG[,PROG...]: each program's struct sock_filter bytes in the probe machine's byte order, "-" for an empty one. */
export function programsWord(stack: readonly Program[], endian: 'little' | 'big'): string {
  return stack.map((p) => (p.length === 0 ? '-' : Buffer.from(encodeProgram(p, endian)).toString('hex'))).join(',');
}

/** ABI:NR[:A0...:A5], arguments in hex (full 64-bit). */
function caseWord(c: KernelCase): string {
  return [c.abi, String(c.nr | 0), ...c.args.map((a) => '0x' + BigInt.asUintN(64, a).toString(16))].join(':');
}

/** One `run` request line (at most MAX_CASES_PER_REQUEST cases). */
export function runRequest(id: string, stack: readonly Program[], cases: readonly KernelCase[], endian: 'little' | 'big', opts: KernelRunOptions = {}): string {
  if (cases.length > MAX_CASES_PER_REQUEST) throw new RangeError(`${cases.length} cases in one run request (at most ${MAX_CASES_PER_REQUEST})`);
  if (/\s/.test(id)) throw new RangeError(`request id ${JSON.stringify(id)} contains a blank`);
  const words = ['run', `id=${id}`];
  if (opts.threads === 'multi') words.push('multi=1');
  if (opts.execute) words.push('execute=1');
  if (opts.listener) words.push('listener=1');
  if (opts.outer) words.push('outer=1');
  if (opts.timeoutMs !== undefined) words.push(`timeout=${opts.timeoutMs}`);
  words.push(stack.length === 0 ? '' : programsWord(stack, endian), ...cases.map(caseWord));
  return words.filter((w) => w !== '').join(' ');
}

/** One `check` request line: load the stack with no_new_privs, CAP_SYS_ADMIN dropped (as kernelCheck does by default). */
export function checkRequest(id: string, stack: readonly Program[], endian: 'little' | 'big', flags?: number | readonly number[], timeoutMs?: number): string {
  const words = ['check', `id=${id}`];
  if (flags !== undefined) words.push(`flags=${(typeof flags === 'number' ? [flags] : flags).map((f) => f >>> 0).join(',')}`);
  if (timeoutMs !== undefined) words.push(`timeout=${timeoutMs}`);
  words.push(programsWord(stack, endian));
  return words.join(' ');
}

/** One answer line; `op` says which (run, check, features, tsync, error). */
export type ProbeAnswer = { readonly op: string; readonly id?: string; readonly result?: number; readonly error?: string | null } & Record<string, unknown>;

/** The JSON answer lines of a transcript; anything else (console noise) is left out. */
export function parseAnswers(text: string): ProbeAnswer[] {
  const out: ProbeAnswer[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r+$/, '').trim();
    if (!line.startsWith('{"op":')) continue;
    out.push(JSON.parse(line) as ProbeAnswer);
  }
  return out;
}

/** enum sc_kind by the executable's names (index = value). */
const KIND_NAMES = ['not_run', 'killed_process', 'killed_thread', 'trap', 'errno', 'enosys_trace', 'enosys_notif', 'allowed', 'traced', 'notified', 'timeout', 'install_failed', 'executed', 'weak'];

interface JsonOutcome {
  kind: string;
  errno_val: number;
  si_errno: number;
  si_syscall: number;
  si_arch: number;
  data: number;
  signal: number;
  ret: number;
}

/** The outcomes of a `run` answer for `cases` (the request's), as kernelRun returns them. */
export function runOutcomes(answer: ProbeAnswer, cases: readonly KernelCase[]): KernelOutcome[] {
  const where = `probe answer ${answer.id ?? '?'}`;
  if (answer.op !== 'run') throw new Error(`${where}: ${answer.op === 'error' ? `request refused: ${String(answer.error)}` : `expected a run answer, got ${answer.op}`}`);
  if ((answer.result ?? -1) < 0) throw new Error(`${where}: kernel probe failed: ${String(answer.error)}`);
  const list = answer.outcomes as JsonOutcome[];
  if (list.length !== cases.length) throw new Error(`${where}: ${list.length} outcomes for ${cases.length} cases`);
  return list.map((o, i) => {
    const kind = KIND_NAMES.indexOf(o.kind);
    if (kind < 0) throw new Error(`${where}: case ${i}: unknown kind ${o.kind}`);
    const raw: RawOutcome = {
      kind: kind as RawOutcome['kind'], errnoVal: o.errno_val, siErrno: o.si_errno, siSyscall: o.si_syscall, siArch: o.si_arch, data: o.data,
      signal: o.signal, ret: BigInt(o.ret),
    };
    return kernelOutcomeOf(raw, i, cases[i].nr);
  });
}

/** The steps of a `check` answer, as kernelCheck returns them. */
export function checkSteps(answer: ProbeAnswer): KernelInstallStep[] {
  const where = `probe answer ${answer.id ?? '?'}`;
  if (answer.op !== 'check') throw new Error(`${where}: ${answer.op === 'error' ? `request refused: ${String(answer.error)}` : `expected a check answer, got ${answer.op}`}`);
  return (answer.steps as { index: number; ok: boolean; ret: number; errno: string | null; signal?: number; timedOut?: boolean }[]).map((s) => ({
    index: s.index, ok: s.ok, ret: s.ret, errno: s.errno, ...(s.signal === undefined ? {} : { signal: s.signal }), ...(s.timedOut ? { timedOut: true } : {}),
  }));
}
