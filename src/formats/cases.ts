// Test cases: one seccomp_data per case, as JSON lines
//   {"arch": "x86_64", "nr": 39, "args": ["0x0", ...up to six], "ip": "0x0"}
// or given by options (--arch, --syscall, --args, --ip). Numbers may be JSON
// numbers or decimal / 0x-hex strings; missing args and ip are 0; other keys
// ("expect", "raw", ...) are ignored. The corpus's cases.jsonl files use this
// format.
import { ARCHES, archByName, type ArchInfo } from 'unicorn-bpf-emulator';
import { syscallNumber, syscallTableArches } from '../arch/syscalls.js';
import { SeccheckError } from '../errors.js';
import { readInput } from './read_input.js';

export interface Case {
  /** 1-based line of the case in its file (1 for a case given by options). */
  readonly line: number;
  readonly arch: ArchInfo;
  /** seccomp_data.nr: signed 32-bit, already the number for `arch` (x32 numbers carry 0x40000000). */
  readonly nr: number;
  /** Six u64 arguments. */
  readonly args: readonly bigint[];
  readonly ip: bigint;
}

/** Where a value came from, for error messages: a file and line, or an option. */
export interface Where {
  readonly file: string | undefined;
  readonly place: number | string | undefined;
}

function fail(where: Where, problem: string): never {
  throw new SeccheckError(where.file, where.place, problem);
}

const MAX_U64 = (1n << 64n) - 1n;
const MIN_S32 = -(1n << 31n);
const MAX_U32 = (1n << 32n) - 1n;

/** An integer from a JSON number or a decimal / 0x-hex string (optionally signed). */
function parseInteger(value: unknown, what: string, where: Where): bigint {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) fail(where, `${what} ${value} is not an integer`);
    if (!Number.isSafeInteger(value)) fail(where, `${what} ${value} is too large for a JSON number; write it as a string ("0x...")`);
    return BigInt(value);
  }
  if (typeof value === 'string') {
    const m = /^([-+]?)(0[xX][0-9a-fA-F]+|[0-9]+)$/.exec(value.trim());
    if (!m) fail(where, `${what} ${JSON.stringify(value)} is not a number (decimal or 0x-hex)`);
    const v = BigInt(m[2]);
    return m[1] === '-' ? -v : v;
  }
  return fail(where, `${what} must be a number or a string, not ${value === null ? 'null' : typeof value}`);
}

/** seccomp_data.nr: accepts -2^31 .. 2^32-1 (so -1 and 0xffffffff alike) and returns it as a signed 32-bit value. */
export function parseNr(value: unknown, where: Where, what = '"nr"'): number {
  const v = parseInteger(value, what, where);
  if (v < MIN_S32 || v > MAX_U32) fail(where, `${what} ${value} is out of range (a 32-bit value: -2147483648..4294967295)`);
  return Number(BigInt.asIntN(32, v));
}

/** A u64 (an argument or the instruction pointer): 0 .. 2^64-1. */
export function parseU64(value: unknown, what: string, where: Where): bigint {
  const v = parseInteger(value, what, where);
  if (v < 0n || v > MAX_U64) fail(where, `${what} ${value} is out of range (u64: 0..18446744073709551615)`);
  return v;
}

/** An arch by libseccomp name or alias (i386, amd64, arm64). */
export function parseArch(value: unknown, where: Where, what = '"arch"'): ArchInfo {
  if (typeof value !== 'string') return fail(where, value === undefined ? `${what} is missing` : `${what} must be a string`);
  const arch = archByName(value);
  if (!arch) fail(where, `unknown arch ${JSON.stringify(value)} (known: ${ARCHES.map((a) => a.name).join(', ')}, i386)`);
  return arch;
}

function parseArgs(values: readonly unknown[], where: Where, what: (i: number) => string): bigint[] {
  if (values.length > 6) fail(where, `${values.length} arguments given; a syscall has at most 6`);
  const args = [0n, 0n, 0n, 0n, 0n, 0n];
  values.forEach((v, i) => {
    args[i] = parseU64(v, what(i), where);
  });
  return args;
}

/** One case from an already-parsed JSON value. */
export function parseCase(value: unknown, line: number, file?: string): Case {
  const where = { file, place: line };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'a case must be a JSON object like {"arch": "x86_64", "nr": 39}');
  const o = value as Record<string, unknown>;
  const arch = parseArch(o.arch, where);
  if (o.nr === undefined) fail(where, '"nr" is missing');
  const nr = parseNr(o.nr, where);
  if (o.args !== undefined && !Array.isArray(o.args)) fail(where, '"args" must be an array of up to 6 values');
  const args = parseArgs((o.args as unknown[] | undefined) ?? [], where, (i) => `"args"[${i}]`);
  const ip = o.ip === undefined ? 0n : parseU64(o.ip, '"ip"', where);
  return { line, arch, nr, args, ip };
}

/** Every case of a JSON-lines text; blank lines are skipped but counted. */
export function parseCasesJsonl(text: string, file?: string): Case[] {
  const cases: Case[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      fail({ file, place: i + 1 }, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    cases.push(parseCase(value, i + 1, file));
  }
  return cases;
}

/** Read a cases file (JSON lines). */
export function readCases(file: string): Case[] {
  return parseCasesJsonl(readInput(file).toString('utf8'), file);
}

export interface CaseOptions {
  /** Arch name or alias. */
  readonly arch: string;
  /** A syscall name from the arch's table, or a number (decimal or 0x-hex, may be negative). */
  readonly syscall: string;
  /** Comma-separated arguments, e.g. "1,0x2". */
  readonly args?: string;
  readonly ip?: string;
}

/** The one case `--arch A --syscall S [--args ...] [--ip N]` describes. */
export function caseFromOptions(o: CaseOptions): Case {
  const arch = parseArch(o.arch, { file: undefined, place: '--arch' }, 'arch');
  const nr = resolveSyscall(arch, o.syscall);
  const argWhere = { file: undefined, place: '--args' };
  const argv = o.args === undefined || o.args.trim() === '' ? [] : o.args.split(',').map((s) => s.trim());
  const args = parseArgs(argv, argWhere, (i) => `argument ${i}`);
  const ip = o.ip === undefined ? 0n : parseU64(o.ip, 'value', { file: undefined, place: '--ip' });
  return { line: 1, arch, nr, args, ip };
}

/** A syscall name (looked up in the arch's table) or number, as seccomp_data.nr. */
export function resolveSyscall(arch: ArchInfo, syscall: string): number {
  const where = { file: undefined, place: '--syscall' };
  if (/^[-+]?(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(syscall.trim())) return parseNr(syscall, where, 'number');
  const tables = syscallTableArches();
  if (!tables.includes(arch.name)) {
    fail(where, `no syscall table for ${arch.name} yet (tables: ${tables.join(', ')}); give the number instead`);
  }
  const nr = syscallNumber(arch.name, syscall);
  if (nr === undefined) fail(where, `unknown syscall ${JSON.stringify(syscall)} for ${arch.name}`);
  return nr | 0;
}
