// Seccomp policies in JSON, read into the OCI runtime-spec shape
// (config.json's linux.seccomp) that runc and crun compile:
//
// - an OCI object: defaultAction, defaultErrnoRet, architectures, flags,
//   listenerPath, listenerMetadata, syscalls[{names, action, errnoRet, args}];
//   bare, or inside a whole config.json under linux.seccomp;
// - a Docker/moby profile, which adds archMap, and per rule name (the old
//   single-name form), comment, includes and excludes {arches, caps,
//   minKernel}. It is resolved for one target arch, capability set and
//   kernel exactly as moby's profiles/seccomp setupSeccomp does, plus the
//   errno/defaultErrno names of containers/common (podman's profiles).
//
// An OCI object goes through the same resolution unchanged (it has none of
// the Docker fields), as it does in moby. Every type problem is a
// SeccheckError naming the JSON path, e.g. "syscalls[3].args[0].op".
import type { ArchInfo, KernelVersion } from 'unicorn-bpf-emulator';
import { errnoNumber } from '../arch/errno.js';
import { SeccheckError } from '../errors.js';
import type { JsonValue } from './oci_json.js';

/** The actions runc and crun accept, by their OCI names. */
export const OCI_ACTIONS = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY',
] as const;
export type OciAction = (typeof OCI_ACTIONS)[number];

export const OCI_OPS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;
export type OciOp = (typeof OCI_OPS)[number];

/** The filter flags of the runtime spec (runc also knows SECCOMP_FILTER_FLAG_TSYNC). */
export const OCI_FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] as const;

/** Docker's default capability set (moby oci/caps/defaults.go), which its default profile's includes/excludes test. */
export const DOCKER_DEFAULT_CAPS: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

export interface OciArg {
  readonly index: number;
  readonly value: bigint;
  readonly valueTwo: bigint;
  readonly op: OciOp;
}

export interface OciSyscall {
  readonly names: readonly string[];
  readonly action: OciAction;
  /** As written (before the 16-bit truncation both runtimes apply). */
  readonly errnoRet: number | undefined;
  readonly args: readonly OciArg[];
  /** JSON path of the rule, e.g. "syscalls[3]". */
  readonly place: string;
}

/** The runtime-spec object a runtime compiles. */
export interface OciSeccomp {
  readonly defaultAction: OciAction;
  readonly defaultErrnoRet: number | undefined;
  /** SCMP_ARCH_* names as written (after archMap resolution). */
  readonly architectures: readonly string[];
  /** undefined when the input has no flags field (runc then adds SPEC_ALLOW). */
  readonly flags: readonly string[] | undefined;
  readonly listenerPath: string | undefined;
  readonly syscalls: readonly OciSyscall[];
}

export interface ResolvedProfile {
  readonly seccomp: OciSeccomp;
  /** "docker" when the input uses any Docker-only field, else "oci". */
  readonly kind: 'docker' | 'oci';
  /** Where the seccomp object sits: "" or "linux.seccomp". */
  readonly root: string;
  /** Rules that includes/excludes left out, with the reason. */
  readonly dropped: readonly { readonly place: string; readonly names: readonly string[]; readonly reason: string }[];
  readonly warnings: readonly string[];
}

export interface ResolveContext {
  /** The ABI the filter is for: selects the archMap entry and matches includes/excludes.arches. */
  readonly target: ArchInfo;
  /** The container's bounding capabilities, for includes/excludes.caps. */
  readonly caps: readonly string[];
  /** The host kernel, for includes/excludes.minKernel (only major.minor count, as in moby). */
  readonly kernel: KernelVersion;
}

type JsonObject = { readonly [key: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The name moby (GOARCH through goToNative) and containers/common use for an arch in includes/excludes.arches. */
export function mobyArchName(target: ArchInfo): string {
  const names: Record<string, string> = {
    x86_64: 'amd64', aarch64: 'arm64', mipsel64n32: 'mips3l64n32', // sic: moby's spelling
  };
  return names[target.name] ?? target.name;
}

/** The seccomp object of a bare profile or of a config.json; a SeccheckError if there is none. */
function seccompObject(root: JsonValue, file: string): { obj: JsonObject; root: string } {
  if (!isObject(root)) throw new SeccheckError(file, undefined, `expected a JSON object (a seccomp profile or an OCI config.json), got ${jsonType(root)}`);
  if ('defaultAction' in root || 'syscalls' in root || !('linux' in root)) return { obj: root, root: '' };
  const linux = root.linux;
  if (!isObject(linux)) throw new SeccheckError(file, 'linux', `expected an object, got ${jsonType(linux)}`);
  const s = linux.seccomp;
  if (s === undefined || s === null) throw new SeccheckError(file, 'linux.seccomp', 'this config.json has no seccomp section: runc and crun install no filter');
  if (!isObject(s)) throw new SeccheckError(file, 'linux.seccomp', `expected an object, got ${jsonType(s)}`);
  return { obj: s, root: 'linux.seccomp' };
}

/** Read and resolve a profile for one target; see the file comment. */
export function resolveProfile(json: JsonValue, file: string, ctx: ResolveContext): ResolvedProfile {
  const { obj, root } = seccompObject(json, file);
  const r = new Reader(file, root);
  const warnings: string[] = [];
  const dropped: { place: string; names: string[]; reason: string }[] = [];
  let docker = false;

  const rawSyscalls = r.list(obj.syscalls, 'syscalls');
  const defaultActionRaw = r.optString(obj.defaultAction, 'defaultAction');
  if (defaultActionRaw === undefined || defaultActionRaw === '') {
    if (rawSyscalls.length === 0) throw new SeccheckError(file, r.at('defaultAction'), 'missing, and there are no syscalls: runc and crun install no filter at all');
    throw new SeccheckError(file, r.at('defaultAction'), 'missing (runc and crun need a default action)');
  }
  const defaultAction = r.action(defaultActionRaw, 'defaultAction');

  let defaultErrnoRet = r.optUint(obj.defaultErrnoRet, 'defaultErrnoRet', 0xffffffff);
  const defaultErrno = r.optString(obj.defaultErrno, 'defaultErrno');
  if (defaultErrno !== undefined && defaultErrno !== '') {
    docker = true;
    defaultErrnoRet = r.errnoName(defaultErrno, 'defaultErrno');
  }

  const architectures = r.list(obj.architectures, 'architectures').map((a, i) => r.string(a, `architectures[${i}]`));
  const archMap = r.list(obj.archMap, 'archMap');
  if (archMap.length > 0) {
    docker = true;
    if (architectures.length > 0) throw new SeccheckError(file, r.at('archMap'), "both 'architectures' and 'archMap' are given; use one of them (as moby requires)");
    const want = `SCMP_ARCH_${ctx.target.name.toUpperCase()}`;
    let found = false;
    archMap.forEach((e, i) => {
      const p = `archMap[${i}]`;
      const entry = r.object(e, p);
      const arch = r.string(entry.architecture ?? '', `${p}.architecture`);
      const subs = r.list(entry.subArchitectures, `${p}.subArchitectures`).map((s, j) => r.string(s, `${p}.subArchitectures[${j}]`));
      if (!found && arch === want) {
        found = true;
        architectures.push(arch, ...subs);
      }
    });
    if (!found) warnings.push(`archMap has no entry for ${want}: the filter covers ${ctx.target.name} alone (the runtime's native arch)`);
  }

  const flagsRaw = obj.flags;
  const flags = flagsRaw === undefined || flagsRaw === null ? undefined : r.list(flagsRaw, 'flags').map((f, i) => {
    const s = r.string(f, `flags[${i}]`);
    if (!(OCI_FLAGS as readonly string[]).includes(s)) throw new SeccheckError(file, r.at(`flags[${i}]`), `unknown flag ${JSON.stringify(s)} (known: ${OCI_FLAGS.join(', ')})`);
    return s;
  });
  const listenerPath = r.optString(obj.listenerPath, 'listenerPath');
  r.optString(obj.listenerMetadata, 'listenerMetadata');

  const mobyArch = mobyArchName(ctx.target);
  const syscalls: OciSyscall[] = [];
  rawSyscalls.forEach((raw, i) => {
    const p = `syscalls[${i}]`;
    const call = r.object(raw, p);
    const name = r.optString(call.name, `${p}.name`);
    let names = r.list(call.names, `${p}.names`).map((n, j) => r.string(n, `${p}.names[${j}]`));
    if (name !== undefined && name !== '') {
      docker = true;
      if (names.length > 0) throw new SeccheckError(file, r.at(p), "both 'name' and 'names' are given; use one of them (as moby requires)");
      names = [name];
    }
    if (call.action === undefined || call.action === null) throw new SeccheckError(file, r.at(`${p}.action`), 'missing (every rule needs an action)');
    const action = r.action(r.string(call.action, `${p}.action`), `${p}.action`);
    let errnoRet = r.optUint(call.errnoRet, `${p}.errnoRet`, 0xffffffff);
    const errno = r.optString(call.errno, `${p}.errno`);
    if (errno !== undefined && errno !== '') {
      docker = true;
      errnoRet = r.errnoName(errno, `${p}.errno`);
    }
    const args = r.list(call.args, `${p}.args`).map((a, k) => r.arg(a, `${p}.args[${k}]`));
    r.optString(call.comment, `${p}.comment`);

    // moby's order: excludes (arches, caps, minKernel), then includes.
    const excludes = call.excludes === undefined || call.excludes === null ? undefined : r.filter(call.excludes, `${p}.excludes`);
    const includes = call.includes === undefined || call.includes === null ? undefined : r.filter(call.includes, `${p}.includes`);
    if (excludes || includes || call.comment !== undefined) docker = true;
    const reason = dropReason(excludes, includes, mobyArch, ctx);
    if (reason !== undefined) {
      dropped.push({ place: r.at(p), names, reason });
      return;
    }
    syscalls.push({ names, action, errnoRet, args, place: r.at(p) });
  });

  return {
    seccomp: { defaultAction, defaultErrnoRet, architectures, flags, listenerPath, syscalls },
    kind: docker ? 'docker' : 'oci',
    root,
    dropped,
    warnings,
  };
}

interface Filter {
  readonly arches: readonly string[];
  readonly caps: readonly string[];
  /** [major, minor]; "" reads as [0, 0], which every kernel satisfies (as in moby). */
  readonly minKernel: readonly [number, number] | undefined;
}

const kernelAtLeast = (k: KernelVersion, min: readonly [number, number]): boolean => k.major > min[0] || (k.major === min[0] && k.minor >= min[1]);

/** Why moby's setupSeccomp leaves a rule out, or undefined when it keeps it. */
function dropReason(excludes: Filter | undefined, includes: Filter | undefined, arch: string, ctx: ResolveContext): string | undefined {
  if (excludes) {
    if (excludes.arches.includes(arch)) return `excludes.arches has ${arch}`;
    const cap = excludes.caps.find((c) => ctx.caps.includes(c));
    if (cap !== undefined) return `excludes.caps: the container has ${cap}`;
    if (excludes.minKernel && kernelAtLeast(ctx.kernel, excludes.minKernel)) return `excludes.minKernel ${excludes.minKernel.join('.')}: the kernel is ${ctx.kernel.major}.${ctx.kernel.minor}`;
  }
  if (includes) {
    if (includes.arches.length > 0 && !includes.arches.includes(arch)) return `includes.arches lacks ${arch}`;
    const cap = includes.caps.find((c) => !ctx.caps.includes(c));
    if (cap !== undefined) return `includes.caps: the container lacks ${cap}`;
    if (includes.minKernel && !kernelAtLeast(ctx.kernel, includes.minKernel)) return `includes.minKernel ${includes.minKernel.join('.')}: the kernel is ${ctx.kernel.major}.${ctx.kernel.minor}`;
  }
  return undefined;
}

function jsonType(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'bigint') return 'a number';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

const U64_MAX = (1n << 64n) - 1n;

/** Typed reads of JSON values, each failing with the value's path (Go's encoding/json rules: null is "absent"). */
class Reader {
  constructor(private readonly file: string, private readonly root: string) {}

  at(path: string): string {
    return this.root === '' ? path : `${this.root}.${path}`;
  }

  private fail(path: string, problem: string): never {
    throw new SeccheckError(this.file, this.at(path), problem);
  }

  object(v: JsonValue | undefined, path: string): JsonObject {
    if (!isObject(v)) this.fail(path, `expected an object, got ${jsonType(v)}`);
    return v;
  }

  list(v: JsonValue | undefined, path: string): JsonValue[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, `expected an array, got ${jsonType(v)}`);
    return v;
  }

  string(v: JsonValue | undefined, path: string): string {
    if (typeof v !== 'string') this.fail(path, `expected a string, got ${jsonType(v)}`);
    return v;
  }

  optString(v: JsonValue | undefined, path: string): string | undefined {
    return v === undefined || v === null ? undefined : this.string(v, path);
  }

  uint(v: JsonValue | undefined, path: string, max: bigint | number): bigint {
    const ok = (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
    if (!ok) this.fail(path, `expected an unsigned integer, got ${typeof v === 'number' ? String(v) : jsonType(v)}`);
    const b = BigInt(v as number | bigint);
    if (b < 0n || b > BigInt(max)) this.fail(path, `${b} is out of range 0..${max}`);
    return b;
  }

  optUint(v: JsonValue | undefined, path: string, max: number): number | undefined {
    return v === undefined || v === null ? undefined : Number(this.uint(v, path, max));
  }

  action(name: string, path: string): OciAction {
    if (!(OCI_ACTIONS as readonly string[]).includes(name)) this.fail(path, `unknown action ${JSON.stringify(name)} (known: ${OCI_ACTIONS.join(', ')})`);
    return name as OciAction;
  }

  errnoName(name: string, path: string): number {
    if (/^[0-9]+$/.test(name)) return Number(this.uint(BigInt(name), path, 0xffffffff));
    const n = errnoNumber(name);
    if (n === undefined) this.fail(path, `unknown errno ${JSON.stringify(name)}`);
    return n;
  }

  arg(v: JsonValue, path: string): OciArg {
    const a = this.object(v, path);
    const index = Number(this.uint(a.index ?? 0, `${path}.index`, U64_MAX));
    if (index > 5) this.fail(`${path}.index`, `argument index ${index} is out of range 0..5 (a syscall has six arguments)`);
    const value = a.value === undefined || a.value === null ? 0n : this.uint(a.value, `${path}.value`, U64_MAX);
    const valueTwo = a.valueTwo === undefined || a.valueTwo === null ? 0n : this.uint(a.valueTwo, `${path}.valueTwo`, U64_MAX);
    if (a.op === undefined || a.op === null) this.fail(`${path}.op`, `missing (one of ${OCI_OPS.join(', ')})`);
    const op = this.string(a.op, `${path}.op`);
    if (!(OCI_OPS as readonly string[]).includes(op)) this.fail(`${path}.op`, `unknown operator ${JSON.stringify(op)} (known: ${OCI_OPS.join(', ')})`);
    return { index, value, valueTwo, op: op as OciOp };
  }

  filter(v: JsonValue, path: string): Filter {
    const f = this.object(v, path);
    const arches = this.list(f.arches, `${path}.arches`).map((a, i) => this.string(a, `${path}.arches[${i}]`));
    const caps = this.list(f.caps, `${path}.caps`).map((c, i) => this.string(c, `${path}.caps[${i}]`));
    const mk = this.optString(f.minKernel, `${path}.minKernel`);
    return { arches, caps, minKernel: mk === undefined ? undefined : this.minKernel(mk, `${path}.minKernel`) };
  }

  /** moby's KernelVersion.UnmarshalJSON: "<kernel>.<major>", each 0..255, not 0.0; "" is allowed and reads as 0.0. */
  private minKernel(s: string, path: string): [number, number] {
    if (s === '') return [0, 0];
    const parts = s.split('.');
    const bad = (why: string): never => this.fail(path, `invalid kernel version ${JSON.stringify(s)}, expected "<kernel>.<major>"${why}`);
    if (parts.length !== 2) bad('');
    const n = parts.map((x) => (/^[0-9]+$/.test(x) ? Number(x) : NaN));
    if (n.some((x) => !Number.isInteger(x) || x > 255)) bad('');
    if (n[0] === 0 && n[1] === 0) bad(': version cannot be 0.0');
    return [n[0], n[1]];
  }
}
